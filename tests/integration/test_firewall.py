"""The Docker host's firewall (coaxis.opt.opt_firewall), proven by packets on the lab.

From the Coaxis host a job reaches a client's listen port only while the client has its
rule; client containers cannot open connections to each other, to the Coaxis LAN or to
the Docker host (its API included); after a dockerd restart the rules are back and first,
without Ansible.
"""
import socket
import subprocess
import time

import pytest

from conftest import ROOT, Inventory, deployment_changed, ensure_deployed, firewall_rules, lab_address
from lab.paths import (COAXIS_HOST, close_coaxis_path, connect_from, open_coaxis_path, printer_jobs, send_job,
                       wait_job, wait_state)
from lab.probes import host_listening, iptables, permissive_engine

ACME, GLOBEX, GATEWAY = "10.128.0.10", "10.128.0.11", "10.128.0.1"
LYON_1 = "10.131.1.20"


@pytest.fixture(scope="module")
def lab(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("firewall-deployed"))
    close_coaxis_path(engine)  # no route on the Coaxis host yet
    inventory = Inventory(tmp_path_factory.mktemp("firewall") / "inventory")
    for client, site in (("acme", "lyon"), ("acme", "paris"), ("globex", "lyon")):
        wait_state(engine, client, site, "up", timeout=40)
    yield inventory
    close_coaxis_path(engine)
    deployment_changed()  # rules pruned and refused on purpose, the engine restarted


def first_rule(chain):
    return next(line for line in iptables("-S", chain).stdout.splitlines() if line.startswith("-A "))


def firewall_in_place(engine, timeout=60):
    """Wait (bounded) until the firewall container says its rules are in place."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            container = engine.containers.get("opt-firewall")
            if container.status == "running":
                last = container.exec_run(["opt-firewall", "check"])
                if last.exit_code == 0:
                    return last.output.decode()
        except Exception as exc:  # the engine is coming back: keep polling until the deadline
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"firewall not in place after {timeout}s: {last}")


def deliver(engine, port=9101, printer=LYON_1):
    before = printer_jobs(engine, printer)
    sent = send_job(engine, lab_address(ACME), port, 64 * 1024, timeout=30)
    return sent, wait_job(engine, printer, before, timeout=15)


def test_a_job_needs_the_route_and_the_client_rule(lab, engine, tmp_path):
    # The client has its rule (add_client.yml), but the Coaxis host has no route yet.
    assert connect_from(engine, COAXIS_HOST, ACME, 9101).startswith("OSError: [Errno 101]")
    open_coaxis_path(engine)  # playbooks/routes.yml
    sent, received = deliver(engine)
    assert "error" not in sent and len(received) == 1, (sent, received)

    without_acme = Inventory(tmp_path / "inventory")
    without_acme.remove_client("acme")
    run = without_acme.playbook("firewall.yml")
    assert run.rc == 0 and run.changed() == 1, run
    assert "added: -; pruned: acme" in run.out
    assert "client=acme" not in firewall_rules() and "client=globex" in firewall_rules()
    # The job got through a moment ago; without its rule, our chain refuses it (default deny).
    assert connect_from(engine, COAXIS_HOST, ACME, 9101) == "refused"
    assert connect_from(engine, COAXIS_HOST, GLOBEX, 9101) == "open"

    run = lab.playbook("firewall.yml")
    assert run.rc == 0 and run.changed() == 1 and "added: acme; pruned: -" in run.out, run
    sent, received = deliver(engine)
    assert "error" not in sent and len(received) == 1, (sent, received)


def test_each_client_has_its_rules_tagged_and_first(lab, engine):
    rules = iptables("-S", "COAXIS-OPT").stdout
    # From the Coaxis host (the coaxis_hosts group), not the whole Coaxis LAN.
    assert ('-A COAXIS-OPT -s 10.129.0.10/32 -d 10.128.0.10/32 -o opt-clients -p tcp -m multiport '
            '--dports 9101,9102,9201 -m comment --comment "coaxis-opt client=acme" -j ACCEPT') in rules
    assert ('-A COAXIS-OPT -s 10.129.0.10/32 -d 10.128.0.11/32 -o opt-clients -p tcp -m multiport --dports 9101 '
            '-m comment --comment "coaxis-opt client=globex" -j ACCEPT') in rules
    # The chain has the last word on the client bridge, both ways.
    assert rules.splitlines()[-2:] == [
        '-A COAXIS-OPT -i opt-clients -m comment --comment "coaxis-opt deny=egress" '
        '-j REJECT --reject-with icmp-port-unreachable',
        '-A COAXIS-OPT -o opt-clients -m comment --comment "coaxis-opt deny=ingress" '
        '-j REJECT --reject-with icmp-port-unreachable']
    assert first_rule("FORWARD") == "-A FORWARD -j DOCKER-USER"
    assert first_rule("DOCKER-USER") == "-A DOCKER-USER -j COAXIS-OPT"
    assert first_rule("INPUT") == "-A INPUT -j COAXIS-OPT-INPUT"
    host = engine.containers.get("opt-firewall").attrs["HostConfig"]
    assert host["NetworkMode"] == "host" and host["Privileged"] is False and host["ReadonlyRootfs"] is True
    assert sorted(host["CapAdd"]) == ["NET_ADMIN", "NET_RAW"] and host["CapDrop"] == ["ALL"]
    assert host["RestartPolicy"]["Name"] == "always"


def test_only_the_listen_ports_are_open(lab, engine):
    assert connect_from(engine, COAXIS_HOST, ACME, 9101) == "open"
    # The client's nginx listens on 8080: the edge reaches it from the Docker host...
    with socket.create_connection((lab_address(ACME), 8080), timeout=3):
        pass
    # ...the Coaxis host has no rule for it, and our chain refuses it even on an engine that
    # would let it through.
    with permissive_engine():
        assert connect_from(engine, COAXIS_HOST, ACME, 8080) == "refused"


def test_a_client_cannot_open_a_connection_to_another(lab, engine):
    network = engine.networks.get("opt-clients").attrs
    assert network["Options"]["com.docker.network.bridge.enable_icc"] == "false"
    # globex listens (seen from the Docker host), acme is refused.
    with socket.create_connection((lab_address(GLOBEX), 9101), timeout=3):
        pass
    # ...and from the Coaxis host, the source its rules allow.
    assert connect_from(engine, COAXIS_HOST, GLOBEX, 9101) == "open"
    assert connect_from(engine, COAXIS_HOST, ACME, 9101) == "open"
    assert connect_from(engine, "opt-acme", GLOBEX, 9101) == "refused"
    assert connect_from(engine, "opt-globex", ACME, 9101) == "refused"
    # Nor into the Coaxis LAN: the Coaxis host's sshd listens (the Docker host reaches it).
    with socket.create_connection(("10.129.0.10", 22), timeout=3):
        pass
    assert connect_from(engine, "opt-acme", "10.129.0.10", 22) == "refused"


def test_a_client_cannot_reach_the_docker_host_nor_its_api(lab, engine):
    # A service of the Docker host, listening on every address: open from the host itself.
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen(4)
    port = server.getsockname()[1]
    try:
        with socket.create_connection((GATEWAY, port), timeout=3):
            pass
        assert connect_from(engine, "opt-acme", GATEWAY, port) == "refused"
        assert connect_from(engine, "opt-acme", "10.129.0.1", port) == "refused"
    finally:
        server.close()
    # The engine API's ports (no listener here: the lab's engine has none) with a listener of the
    # Docker host on each: open from the host, refused to the client.
    with host_listening([2375, 2376]) as api_ports:
        for api_port in api_ports:
            with socket.create_connection((GATEWAY, api_port), timeout=3):
                pass
            assert connect_from(engine, "opt-acme", GATEWAY, api_port) == "refused"
    container = engine.containers.get("opt-acme")
    assert not [m for m in container.attrs["Mounts"] if "docker.sock" in (m.get("Source") or "")]
    assert container.exec_run(["sh", "-c", "test -e /var/run/docker.sock || test -e /run/docker.sock"]).exit_code != 0
    host = container.attrs["HostConfig"]
    assert host["Privileged"] is False and not host["CapAdd"] and host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]


def test_second_run_and_check_mode_change_nothing(lab, engine, tmp_path):
    assert lab.playbook("firewall.yml").changed() == 0
    assert lab.playbook("add_client.yml", "-e", "client=acme").changed() == 0
    rules = firewall_rules()
    saved = engine.containers.get("opt-firewall").exec_run(["cat", "/var/lib/opt-firewall/rules.v4"]).output
    without_acme = Inventory(tmp_path / "inventory")
    without_acme.remove_client("acme")
    run = without_acme.playbook("firewall.yml", "--check", "--diff")
    assert run.rc == 0 and run.changed() == 1, run
    assert '-A COAXIS-OPT -s 10.129.0.10/32 -d 10.128.0.10/32' in run.out  # the diff shows what would go
    assert firewall_rules() == rules
    assert engine.containers.get("opt-firewall").exec_run(["cat", "/var/lib/opt-firewall/rules.v4"]).output == saved


def test_a_rule_set_the_kernel_refuses_leaves_the_previous_one(lab, engine):
    rules = firewall_rules()
    container = engine.containers.get("opt-firewall")
    container.exec_run(["sh", "-c", "printf '*filter\\n:COAXIS-OPT - [0:0]\\n-A COAXIS-OPT -j NO-SUCH-CHAIN\\n"
                        "COMMIT\\n' > /var/lib/opt-firewall/bad"])
    result = container.exec_run(["opt-firewall", "apply", "/var/lib/opt-firewall/bad"])
    assert result.exit_code != 0 and b"NO-SUCH-CHAIN" in result.output
    assert firewall_rules() == rules
    # Nor may the volume carry rules for other chains.
    container.exec_run(["sh", "-c", "printf '*filter\\n-A INPUT -j ACCEPT\\nCOMMIT\\n' > /var/lib/opt-firewall/bad"])
    result = container.exec_run(["opt-firewall", "apply", "/var/lib/opt-firewall/bad"])
    assert result.exit_code == 2 and b"outside the COAXIS-OPT chains" in result.output
    assert firewall_rules() == rules


def test_rules_come_back_first_after_a_dockerd_restart_without_ansible(lab, engine):
    rules = firewall_rules()
    restart = subprocess.run([str(ROOT / "lab" / "engine.sh"), "restart"], capture_output=True, text=True,
                             timeout=180)
    assert restart.returncode == 0, restart.stderr
    firewall_in_place(engine)
    assert first_rule("FORWARD") == "-A FORWARD -j DOCKER-USER"
    assert first_rule("DOCKER-USER") == "-A DOCKER-USER -j COAXIS-OPT"
    assert firewall_rules() == rules
    # The Coaxis host restarted with the engine: its route came back from the unit (systemd).
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up", timeout=60)
    sent, received = deliver(engine)
    assert "error" not in sent and len(received) == 1, (sent, received)
