"""add_client.yml on the lab: what the operator sees, through the Docker API."""
import io
import re
import socket

import pytest

from conftest import container_ip, engine_snapshot, firewall_rules, lab_address

ACME_IP = "10.128.0.10"


def test_add_client_gives_the_static_ip_and_prints_it(fresh, inventory):
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc == 0, run
    container = fresh.containers.get("opt-acme")
    assert container.status == "running"
    assert container_ip(container) == (ACME_IP, 16, "10.128.0.1")
    assert container.labels["coaxis.opt.client"] == "acme"
    assert container.labels["coaxis.opt.managed-by"] == "coaxis-opt"
    assert container.labels["coaxis.opt.config-hash"]
    # The run ends with what the operator needs: container id and IP.
    assert container.id[:12] in run.out and ACME_IP in run.out, run
    # Only the requested client was converged; the others were only validated.
    assert not fresh.containers.list(all=True, filters={"name": "opt-globex"})
    # The container answers on its address in the lab (ICMP-free check: ARP + TCP RST).
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((lab_address(ACME_IP), 9), timeout=3)


def test_check_mode_reports_and_changes_nothing(fresh, inventory):
    first = inventory.playbook("add_client.yml", "-e", "client=acme", "--check", "--diff")
    assert first.rc == 0 and first.changed() > 0, first
    assert not fresh.containers.list(all=True, filters={"name": "opt-acme"})
    assert not fresh.networks.list(names=["opt-clients"])
    assert inventory.playbook("add_client.yml", "-e", "client=acme").rc == 0
    before = engine_snapshot(fresh)
    inventory.client("acme", opt_ip="10.128.0.12")
    run = inventory.playbook("add_client.yml", "-e", "client=acme", "--check", "--diff")
    assert run.rc == 0 and run.changed() == 3, run  # the container, the firewall rules, the vhost
    assert "10.128.0.12" in run.out and ACME_IP in run.out  # the diff shows before/after
    assert engine_snapshot(fresh) == before


NOVA_SITES = [{"name": "lyon", "host": "10.130.0.10",
               "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw",
               "printers": [{"name": "accueil", "address": "10.131.1.20", "listen_port": 9101}]}]


def firewall_summary(run):
    """The firewall's line of a run (its one summary)."""
    lines = re.findall(r'firewall of opt-clients: [^"\n]*', run.out)
    assert len(lines) == 1, run
    return lines[0]


@pytest.mark.parametrize("sites", [False, True], ids=["no-site-as-the-guide-declares-it", "a-site-and-a-printer"])
def test_a_brand_new_client_is_named_added_by_the_firewall_summary(deployed, inventory, sites):
    """A new client declared as the guide's step 1 shows (no opt_ip: its address is allocated in the
    run; opt_sites: [] until it has its key): the firewall's summary names it added, in check mode as
    its diff shows it, and in the real run. Without a site nor a printer it has no rule of its own,
    only its entry in the rule set, and it is a client of the rule set all the same (drift agrees)."""
    values = {"opt_subdomain": "nova", "opt_sites": []}
    if sites:
        vault = (inventory.path / "host_vars" / "acme" / "vault.yml").read_text()
        values.update(opt_sites=NOVA_SITES, opt_private_key="{{ vault_opt_private_key }}")
    inventory.add_client("nova", **values)
    folder = inventory.path / "host_vars" / "nova"
    folder.mkdir()
    (inventory.path / "host_vars" / "nova.yml").rename(folder / "main.yml")
    if sites:
        (folder / "vault.yml").write_text(vault)
    before = engine_snapshot(deployed)
    check = inventory.playbook("add_client.yml", "-e", "client=nova", "--check", "--diff")
    assert check.rc == 0, check
    assert "nova: no ip in the inventory, allocated 10.128.0." in check.out, check
    assert "+# nova 10.128.0." in check.out, check  # the diff shows its entry in the rule set
    assert firewall_summary(check) == ("firewall of opt-clients: 3 client(s) with rules, backend nft; "
                                       "added: nova; pruned: -"), check
    assert engine_snapshot(deployed) == before
    run = inventory.playbook("add_client.yml", "-e", "client=nova")
    assert run.rc == 0, run
    assert firewall_summary(run) == ("firewall of opt-clients: 3 client(s) with rules, backend nft; "
                                     "added: nova; pruned: -"), run
    drift = inventory.playbook("drift.yml", "--limit", "docker_hosts")
    assert drift.rc == 0 and "lab-docker-host: no drift" in drift.out, drift
    # The next run of another client adds nobody and prunes nobody.
    again = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert again.rc == 0 and again.changed() == 0, again
    assert firewall_summary(again).endswith("added: -; pruned: -"), again


def test_interface_name_needs_a_recent_engine(fresh, inventory):
    version = fresh.version()
    inventory.client("acme", opt_interface="coaxis0")
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    if tuple(int(x) for x in version["ApiVersion"].split(".")) >= (1, 48):
        assert run.rc == 0, run
        result = fresh.containers.get("opt-acme").exec_run(["cat", "/sys/class/net/coaxis0/address"])
        assert result.exit_code == 0
    else:
        assert run.rc != 0, run
        assert f"this engine is {version['Version']} (API {version['ApiVersion']})" in run.out, run
        assert not fresh.containers.list(all=True, filters={"name": "opt-acme"})


def test_client_container_is_confined(deployed):
    attrs = deployed.containers.get("opt-acme").attrs
    host = attrs["HostConfig"]
    mounts = {m["Destination"]: m for m in attrs["Mounts"]}
    assert mounts["/etc/mast"]["Name"] == "opt-acme-config" and mounts["/etc/mast"]["RW"] is False
    assert mounts["/var/log/mast"]["Name"] == "opt-acme-logs" and mounts["/var/log/mast"]["RW"] is True
    assert not any("docker.sock" in (m.get("Source") or "") for m in attrs["Mounts"])
    assert host["Privileged"] is False
    assert not host["CapAdd"]
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert host["RestartPolicy"]["Name"] == "unless-stopped"
    assert list(attrs["NetworkSettings"]["Networks"]) == ["opt-clients"]
    network = deployed.networks.get("opt-clients").attrs
    assert network["Options"]["com.docker.network.bridge.enable_icc"] == "false"
    assert network["Options"]["com.docker.network.bridge.name"] == "opt-clients"
    # An init is PID 1, so signals are forwarded and children reaped.
    assert deployed.containers.get("opt-acme").exec_run(["cat", "/proc/1/comm"]).output == b"tini\n"
    # The config volume refuses writes from inside.
    result = deployed.containers.get("opt-acme").exec_run(["touch", "/etc/mast/x"])
    assert result.exit_code != 0


def test_second_run_changes_nothing(deployed, inventory):
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc == 0 and run.changed() == 0, run


BAD_INPUTS = [
    # (what to change, -e client=, expected message)
    ({}, "nobody", "nobody: unknown client"),
    ({"opt_ip": "10.200.0.5"}, "acme", "acme: 10.200.0.5 is outside the subnet 10.128.0.0/16"),
    ({"opt_ip": "10.128.0.11"}, "acme", "10.128.0.11"),
    ({"opt_ip": "10.128.0.0"}, "acme", "acme: 10.128.0.0 is the network address of 10.128.0.0/16"),
    ({"opt_ip": "10.128.0.1"}, "acme", "acme: 10.128.0.1"),
    ({"opt_ip": "not-an-ip"}, "acme", "acme: not-an-ip is not a valid IPv4 address"),
]


@pytest.mark.parametrize("change, client, message", BAD_INPUTS,
                         ids=["unknown-client", "outside-subnet", "other-clients-ip", "network-address",
                              "gateway", "not-an-ip"])
def test_bad_input_is_refused_before_any_change(deployed, inventory, change, client, message):
    before = engine_snapshot(deployed)
    if change:
        inventory.client("acme", **change)
    run = inventory.playbook("add_client.yml", "-e", f"client={client}")
    assert run.rc != 0, run
    assert message in run.out, run
    assert engine_snapshot(deployed) == before


def test_unknown_client_in_french(inventory):
    run = inventory.playbook("add_client.yml", "-e", "client=nobody", lang="fr")
    assert run.rc != 0 and "client inconnu" in run.out, run


def test_a_drifted_network_with_containers_is_an_error_not_a_recreate(deployed, inventory):
    before = engine_snapshot(deployed)
    inventory.set_vars("group_vars", "docker_hosts", opt_network={
        "name": "opt-clients", "bridge_name": "opt-clients", "subnet": "10.128.0.0/17",
        "gateway": "10.128.0.1"})
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc != 0, run
    assert "10.128.0.0/17" in run.out and "10.128.0.0/16" in run.out, run
    assert engine_snapshot(deployed) == before


def test_ip_change_recreates_only_that_client_and_keeps_its_data(deployed, inventory):
    old = deployed.containers.get("opt-acme")
    globex = deployed.containers.get("opt-globex").id
    assert old.exec_run(["sh", "-c", "echo kept > /var/log/mast/marker"]).exit_code == 0
    inventory.client("acme", opt_ip="10.128.0.12")
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    # The container, and the firewall's rules and the vhost for the new address.
    assert run.rc == 0 and run.changed() == 3, run
    assert "-d 10.128.0.12/32" in firewall_rules() and "-d 10.128.0.10/32" not in firewall_rules()
    new = deployed.containers.get("opt-acme")
    assert new.id != old.id
    assert container_ip(new)[0] == "10.128.0.12"
    assert new.exec_run(["cat", "/var/log/mast/marker"]).output == b"kept\n"
    assert deployed.containers.get("opt-globex").id == globex


def test_image_change_recreates_only_that_client_and_keeps_its_data(deployed, inventory):
    # A new docker-opt build, offline: the same image with one more label.
    newer, _ = deployed.images.build(fileobj=io.BytesIO(b"FROM coaxis/docker-opt:lab\nLABEL test.rebuild=1\n"),
                                  tag="coaxis/docker-opt:test-newer", rm=True, pull=False)
    try:
        old = deployed.containers.get("opt-acme")
        globex = deployed.containers.get("opt-globex").id
        assert old.exec_run(["sh", "-c", "echo kept > /var/log/mast/marker"]).exit_code == 0
        inventory.set_vars("group_vars", "docker_hosts", opt_image="coaxis/docker-opt:test-newer")
        run = inventory.playbook("add_client.yml", "-e", "client=acme")
        assert run.rc == 0 and run.changed() == 1, run
        new = deployed.containers.get("opt-acme")
        assert new.id != old.id and new.image.id == newer.id
        assert container_ip(new)[0] == ACME_IP
        assert new.exec_run(["cat", "/var/log/mast/marker"]).output == b"kept\n"
        assert deployed.containers.get("opt-globex").id == globex
    finally:
        deployed.containers.get("opt-acme").remove(force=True)
        deployed.images.remove("coaxis/docker-opt:test-newer")
