"""playbooks/upgrade.yml on the lab: a new docker-opt image rolls out client by client.

The "new" image is the lab's docker-opt image committed with another version label: a
different image id, the same content, made here with the Docker SDK (never pulled).
"""
from datetime import datetime

import pytest

from conftest import Inventory, clean_engine
from lab.paths import status, wait_state

OLD = "coaxis/docker-opt:lab"
NEW = "coaxis/docker-opt:upgrade-test"
CLIENTS = {"acme": ("lyon", "paris"), "globex": ("lyon",)}
MARKER = "/var/log/mast/upgrade-marker"
# The lyon gateway's host key. acme's paris becomes nantes on the paris gateway, pinned with
# this key: its host key check fails (a new site, so mast starts it with the new pin).
LYON_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw"


@pytest.fixture(scope="module")
def clients(engine, tmp_path_factory):
    clean_engine(engine)
    # Created with the image's own command and entry point: commit keeps the container's.
    base = engine.containers.create(OLD, network_mode="none")
    try:
        engine.api.commit(base.id, repository="coaxis/docker-opt", tag="upgrade-test",
                          changes=["LABEL org.opencontainers.image.version=0.1.1-test"])
    finally:
        base.remove(force=True)
    inventory = Inventory(tmp_path_factory.mktemp("upgrade") / "inventory")
    for name, sites in CLIENTS.items():
        run = inventory.playbook("add_client.yml", "-e", f"client={name}")
        assert run.rc == 0, run
        for site in sites:
            wait_state(engine, name, site, "up")
    yield engine
    clean_engine(engine)
    engine.images.remove(NEW, force=True)


def image_ids(engine):
    return dict((name, engine.containers.get(f"opt-{name}").attrs["Image"]) for name in CLIENTS)


def address(engine, name):
    return engine.containers.get(f"opt-{name}").attrs["NetworkSettings"]["Networks"]["opt-clients"]["IPAddress"]


def created(engine, name):
    return timestamp(engine.containers.get(f"opt-{name}").attrs["Created"])


def timestamp(text):
    # Docker gives nanoseconds; Python's ISO parser takes at most microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(head + ("." + frac[:6] if frac else "") + "+00:00")


def target_and_other(engine):
    """The image the clients are not on now (the tests may run in any order)."""
    current = engine.containers.get("opt-globex").attrs["Image"]
    new_id, old_id = engine.images.get(NEW).id, engine.images.get(OLD).id
    return (OLD, old_id) if current == new_id else (NEW, new_id)


def test_two_clients_roll_out_one_after_the_other_keeping_ip_and_data(clients, tmp_path):
    engine = clients
    target, target_id = target_and_other(engine)
    before_ids = image_ids(engine)
    addresses = dict((name, address(engine, name)) for name in CLIENTS)
    for name in CLIENTS:
        code, _ = engine.containers.get(f"opt-{name}").exec_run(["sh", "-c", f"echo {name} > {MARKER}"])
        assert code == 0
    inventory = Inventory(tmp_path / "inventory")
    inventory.set_vars("group_vars", "docker_hosts", opt_image=target)

    check = inventory.playbook("upgrade.yml", "--check")
    assert check.rc == 0, check
    assert image_ids(engine) == before_ids

    run = inventory.playbook("upgrade.yml")
    assert run.rc == 0, run
    assert image_ids(engine) == {"acme": target_id, "globex": target_id}
    for name, sites in CLIENTS.items():
        container = engine.containers.get(f"opt-{name}")
        assert address(engine, name) == addresses[name]
        assert container.exec_run(["cat", MARKER]).output.decode().strip() == name
        assert {s: v["state"] for s, v in status(engine, name).items()} == dict((s, "up") for s in sites)
        assert f"{name}: container {container.id} on {target}, IP {addresses[name]}, sites up: " \
               f"{', '.join(sites)}" in run.out
    # globex was recreated only once acme's tunnels were all up again.
    acme_up = max(timestamp(site["since"]) for site in status(engine, "acme").values())
    assert created(engine, "acme") < created(engine, "globex")
    assert acme_up <= created(engine, "globex")

    again = inventory.playbook("upgrade.yml")
    assert again.rc == 0 and again.changed("acme") == 0 and again.changed("globex") == 0, again


def test_a_client_whose_tunnels_do_not_come_up_stops_the_rollout(clients, tmp_path):
    engine = clients
    target, target_id = target_and_other(engine)
    before = image_ids(engine)
    inventory = Inventory(tmp_path / "inventory")
    inventory.set_vars("group_vars", "docker_hosts", opt_image=target)
    inventory.client("acme", opt_sites=[
        {"name": "lyon", "host": "10.130.0.10", "host_key": LYON_KEY,
         "printers": [{"name": "accueil", "address": "10.131.1.20", "listen_port": 9101}]},
        {"name": "nantes", "host": "10.130.0.11", "host_key": LYON_KEY,
         "printers": [{"name": "atelier", "address": "10.131.2.20", "listen_port": 9202}]},
    ])
    run = inventory.playbook("upgrade.yml", "-e", "clients=acme,globex", "-e", "opt_upgrade_wait=60", lang="fr")
    assert run.rc != 0 and run.recap["acme"]["failed"] == 1, run
    assert f"acme : mise à jour vers {target} arrêtée, sites pas up (attendu 60 s au plus) : nantes (down: " in run.out
    assert "les clients suivants gardent leur image" in run.out
    assert "lyon (" not in run.out.split("arrêtée")[1].split("\n")[0]
    after = image_ids(engine)
    assert after["acme"] == target_id and after["globex"] == before["globex"] != target_id
    assert "globex" not in run.recap
