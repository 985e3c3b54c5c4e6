"""The address plan on the lab: refusals before any change, allocation, concurrency, the lock."""
import json
import subprocess
import time
import uuid

import pytest

from conftest import LOCK_DIR, engine_snapshot, ensure_deployed



def allocated_ip(engine, client):
    return engine.containers.get(f"opt-{client}").attrs["NetworkSettings"]["Networks"]["opt-clients"]["IPAddress"]


def network(**overrides):
    return {"name": "opt-clients", "bridge_name": "opt-clients", "subnet": "10.128.0.0/16",
            "gateway": "10.128.0.1", **overrides}


# (id, inventory edits, -e client=, exact message the operator reads)
REFUSALS = [
    ("outside-subnet", {"client": ("acme", {"opt_ip": "10.200.0.5"})}, "acme",
     "lab-docker-host: acme: 10.200.0.5 is outside the subnet 10.128.0.0/16"),
    ("network-address", {"client": ("acme", {"opt_ip": "10.128.0.0"})}, "acme",
     "lab-docker-host: acme: 10.128.0.0 is the network address of 10.128.0.0/16"),
    ("broadcast", {"client": ("acme", {"opt_ip": "10.128.255.255"})}, "acme",
     "lab-docker-host: acme: 10.128.255.255 is the broadcast address of 10.128.0.0/16"),
    ("gateway", {"client": ("acme", {"opt_ip": "10.128.0.1"})}, "acme",
     "lab-docker-host: acme: 10.128.0.1 is the gateway of 10.128.0.0/16"),
    ("reserved", {"client": ("acme", {"opt_ip": "10.128.0.2"})}, "acme",
     "lab-docker-host: acme: 10.128.0.2 is reserved in the plan of opt-clients (opt_reserved_ips)"),
    ("other-client", {"client": ("globex", {"opt_ip": "10.128.0.10"})}, "acme",
     "lab-docker-host: globex: 10.128.0.10 is also the address of client acme"),
    ("not-ipv4", {"client": ("acme", {"opt_ip": "10.128.0.300"})}, "acme",
     "lab-docker-host: acme: 10.128.0.300 is not a valid IPv4 address"),
    ("outside-ip-range", {"network": network(ip_range="10.128.0.0/24"), "client": ("acme", {"opt_ip": "10.128.1.5"})},
     "acme", "lab-docker-host: acme: 10.128.1.5 is outside the ip_range 10.128.0.0/24 of 10.128.0.0/16"),
    ("other-docker-hosts-client", {"client": ("globex", {"opt_ip": "10.201.0.1"})}, "acme",
     "lab-docker-host: globex: 10.201.0.1 is outside the subnet 10.128.0.0/16"),
    ("overlaps-coaxis-lan", {"host": {"opt_coaxis_lans": ["10.128.0.0/24"]}}, "acme",
     "lab-docker-host: network opt-clients: subnet 10.128.0.0/16 overlaps the Coaxis LAN 10.128.0.0/24"),
    ("overlaps-engine-network", {"network": network(name="opt-other", bridge_name="opt-other", subnet="10.130.0.0/16",
                                                    gateway="10.130.0.1"),
                                 "client": ("acme", {"opt_ip": "10.130.0.10"}),
                                 "other": ("globex", {"opt_ip": "10.130.0.11"}),
                                 "host": {"opt_reserved_ips": []}}, "acme",
     "network opt-other: subnet 10.130.0.0/16 overlaps the network lab-wan (10.130.0.0/24) of the engine"),
    ("prefix-too-small", {"network": network(name="opt-small", bridge_name="opt-small", subnet="10.140.0.0/30",
                                             gateway="10.140.0.1"),
                          "client": ("acme", {"opt_ip": None}), "other": ("globex", {"opt_ip": None}),
                          "host": {"opt_reserved_ips": []}}, "acme",
     "lab-docker-host: network opt-small: 10.140.0.0/30 has 1 usable address(es) for 2 client(s); "
     "use a shorter prefix"),
    ("unsafe-name", {"add": ("bad_name", {"opt_ip": "10.128.0.20"})}, "acme",
     "lab-docker-host: bad_name: invalid client name: use 2 to 32 characters, lowercase letters, digits and dashes, "
     "not starting or ending with a dash"),
    ("unknown-docker-host", {"add": ("initech", {"opt_ip": "10.128.0.20", "opt_docker_host": "nowhere"})}, "acme",
     "initech: opt_docker_host nowhere is not a member of the docker_hosts group"),
    ("used-by-foreign-container", {"client": ("acme", {"opt_ip": "10.128.0.50"})}, "acme",
     "acme: 10.128.0.50 is already used on the engine by container foreign-50"),
]


def edit(inventory, edits):
    for key in ("client", "other"):
        if key in edits:
            name, values = edits[key]
            inventory.client(name, **values)
    if "add" in edits:
        name, values = edits["add"]
        inventory.add_client(name, **values)
    if "network" in edits:
        inventory.set_vars("group_vars", "docker_hosts", opt_network=edits["network"])
    if "host" in edits:
        inventory.set_vars("group_vars", "docker_hosts", **edits["host"])


@pytest.fixture(scope="module")
def baseline(engine, tmp_path_factory):
    """acme and globex running, and a container coaxis-opt does not manage holding 10.128.0.50.

    Shared by the refusal cases: a refused run changes nothing, which each case checks.
    """
    ensure_deployed(engine, tmp_path_factory.mktemp("baseline"))
    # Created, never started: a stopped container's static address counts too.
    foreign = engine.containers.create(
        "coaxis-lab/node:lab", ["printer"], name="foreign-50", network="opt-clients",
        networking_config={"opt-clients": engine.api.create_endpoint_config(ipv4_address="10.128.0.50")})
    yield engine
    foreign.remove(force=True)


@pytest.mark.parametrize("edits, client, message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused_before_any_change(baseline, inventory, edits, client, message):
    before = engine_snapshot(baseline)
    edit(inventory, edits)
    run = inventory.playbook("add_client.yml", "-e", f"client={client}")
    assert run.rc != 0, run
    assert message in run.out, run
    assert engine_snapshot(baseline) == before


def test_refusal_in_french(inventory):
    inventory.client("acme", opt_ip="10.128.0.0")
    run = inventory.playbook("add_client.yml", "-e", "client=acme", lang="fr")
    assert run.rc != 0
    assert "acme : 10.128.0.0 est l'adresse de réseau de 10.128.0.0/16" in run.out, run


def test_a_client_without_ip_gets_the_lowest_free_one_and_keeps_it(fresh, inventory):
    inventory.add_client("initech")
    run = inventory.playbook("add_client.yml", "-e", "client=initech")
    assert run.rc == 0, run
    # .1 is the gateway, .2 reserved; acme (.10) and globex (.11) are declared, not yet running.
    assert allocated_ip(fresh, "initech") == "10.128.0.3"
    assert "initech: no ip in the inventory, allocated 10.128.0.3; pin it with opt_ip: 10.128.0.3" in run.out, run
    again = inventory.playbook("add_client.yml", "-e", "client=initech")
    assert again.rc == 0 and again.changed() == 0, again
    assert "initech: no ip in the inventory, keeps 10.128.0.3 (its running container)" in again.out, again
    # A newcomer that sorts first does not take initech's address: it is held.
    inventory.add_client("aaa-corp")
    assert inventory.playbook("add_client.yml", "-e", "client=aaa-corp").rc == 0
    assert allocated_ip(fresh, "aaa-corp") == "10.128.0.4"
    assert inventory.playbook("add_client.yml", "-e", "client=initech").changed() == 0
    assert allocated_ip(fresh, "initech") == "10.128.0.3"
    assert fresh.containers.get("opt-initech").labels["coaxis.opt.ip"] == "10.128.0.3"


def test_two_concurrent_runs_hand_out_different_addresses(fresh, inventory):
    inventory.add_client("conc-one")
    inventory.add_client("conc-two")
    procs = [inventory.spawn("add_client.yml", "-e", f"client={name}") for name in ("conc-one", "conc-two")]
    results = [proc.wait(timeout=600) for proc in procs]
    assert results == [0, 0], [p.stdout.read() for p in procs]
    addresses = {allocated_ip(fresh, "conc-one"), allocated_ip(fresh, "conc-two")}
    assert len(addresses) == 2


def test_a_held_lock_times_out_with_a_clear_message(fresh, inventory):
    path = LOCK_DIR / "opt-clients.lock"
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    path.mkdir()
    try:
        (path / "owner.json").write_text(json.dumps({
            "token": uuid.uuid4().hex, "owner": "a test holding the lock", "created_at": time.time(), "ttl": 600}))
        before = engine_snapshot(fresh)
        run = inventory.playbook("add_client.yml", "-e", "client=acme", "-e", "opt_lock_timeout=2")
        assert run.rc != 0, run
        assert "a test holding the lock" in run.out and str(path) in run.out, run
        assert engine_snapshot(fresh) == before
    finally:
        subprocess.run(["rm", "-rf", str(path)], check=True)
    assert inventory.playbook("add_client.yml", "-e", "client=acme").rc == 0
    assert not path.exists()  # released at the end of the run
