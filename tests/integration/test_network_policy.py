"""The client network's policy, proven by packets on the lab (coaxis.opt.opt_firewall,
coaxis.opt.opt_network).

In: only the Coaxis hosts (opt_coaxis_sources, by default the coaxis_hosts group's addresses),
only to the listen ports; every other port and source is refused by our chain, even on an
engine that would let everything through. Out: a client container opens its sites' SSH port
and the admin interface, DNS only when a site is named by host name, nothing else. IPv6: off
on the client network, a network with IPv6 on is refused and left alone.

Every "refused" below first shows the same probe getting through where it is allowed, or with
our rule taken away, against a real listener.
"""
import os
import socket

import docker
import pytest
import yaml

from conftest import Inventory, deployment_changed, ensure_deployed, firewall_rules, lab_address
from lab.paths import COAXIS_HOST, close_coaxis_path, connect_from, open_coaxis_path, wait_state
from lab.probes import host_listening, lan_source, listening, our_chain_bypassed, permissive_engine, run_module

ACME, GLOBEX = "10.128.0.10", "10.128.0.11"
COAXIS, NOT_A_COAXIS_HOST = "10.129.0.10", "10.129.0.99"
ADMIN, LYON, PARIS = "10.129.0.20", "10.130.0.10", "10.130.0.11"
SPARE_PORT = 9999


@pytest.fixture(scope="module")
def lab(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("policy-deployed"))
    open_coaxis_path(engine)
    for client, site in (("acme", "lyon"), ("acme", "paris"), ("globex", "lyon")):
        wait_state(engine, client, site, "up", timeout=40)
    yield Inventory(tmp_path_factory.mktemp("policy") / "inventory")
    close_coaxis_path(engine)
    deployment_changed()  # rules changed on purpose (sources), the lab's DOCKER-USER touched and restored


def test_the_coaxis_host_reaches_the_listen_ports_and_no_other_port(lab, engine):
    with listening(engine, "opt-acme", SPARE_PORT), permissive_engine():
        # A real listener, and a path to it: open once our rule is taken away.
        with our_chain_bypassed(engine):
            assert connect_from(engine, COAXIS_HOST, ACME, SPARE_PORT) == "open"
        # Our chain refuses it, although the engine would let it through.
        assert connect_from(engine, COAXIS_HOST, ACME, SPARE_PORT) == "refused"
        assert connect_from(engine, COAXIS_HOST, ACME, 9101) == "open"
        # The client's nginx: the edge reaches it from the Docker host; the Coaxis host does not.
        with socket.create_connection((lab_address(ACME), 8080), timeout=3):
            pass
        assert connect_from(engine, COAXIS_HOST, ACME, 8080) == "refused"


def test_a_coaxis_lan_address_that_is_no_coaxis_host_is_refused(lab, engine, tmp_path):
    with lan_source(engine, NOT_A_COAXIS_HOST) as source, permissive_engine():
        allowed = Inventory(tmp_path / "inventory")
        allowed.set_vars("group_vars", "docker_hosts", opt_coaxis_sources=[COAXIS, NOT_A_COAXIS_HOST])
        run = allowed.playbook("firewall.yml")
        assert run.rc == 0 and run.changed() == 1, run
        assert f"-A COAXIS-OPT -s {NOT_A_COAXIS_HOST}/32 -d {ACME}/32" in firewall_rules()
        assert connect_from(engine, source, ACME, 9101) == "open"
        # The lab inventory names no opt_coaxis_sources: the coaxis_hosts group's address alone.
        run = lab.playbook("firewall.yml")
        assert run.rc == 0 and run.changed() == 1, run
        assert "-s 10.129.0.0/24" not in firewall_rules()
        assert connect_from(engine, source, ACME, 9101) == "refused"
        assert connect_from(engine, COAXIS_HOST, ACME, 9101) == "open"
        assert lab.playbook("firewall.yml").changed() == 0


def test_a_client_opens_its_sites_and_the_admin_interface_only(lab, engine):
    # globex's one site is lyon; paris is acme's. Both gateways' sshd listen on 22.
    assert connect_from(engine, "opt-acme", PARIS, 22) == "open"
    assert connect_from(engine, "opt-globex", LYON, 22) == "open"
    assert connect_from(engine, "opt-globex", PARIS, 22) == "refused"
    assert connect_from(engine, "opt-acme", ADMIN, 8000) == "open"
    # Another port of a declared site's host: through with our rule taken away (the lab's WAN
    # rule), refused by our chain.
    with listening(engine, "lab-site-lyon", SPARE_PORT):
        with our_chain_bypassed(engine):
            assert connect_from(engine, "opt-acme", LYON, SPARE_PORT) == "open"
        assert connect_from(engine, "opt-acme", LYON, SPARE_PORT) == "refused"
    # Nothing else of the Coaxis LAN either, on an engine that would let it through.
    with listening(engine, "opt-portal", SPARE_PORT), permissive_engine():
        with our_chain_bypassed(engine):
            assert connect_from(engine, "opt-acme", ADMIN, SPARE_PORT) == "open"
        assert connect_from(engine, "opt-acme", ADMIN, SPARE_PORT) == "refused"


def test_a_site_named_by_host_name_opens_dns_to_the_resolvers_only_for_its_client(lab, engine, tmp_path):
    # A resolver stand-in on the Coaxis LAN (TCP 53; the UDP rule is its twin) and a site of acme
    # named by a host name the Docker host resolves (localhost: the lab has no DNS of its own).
    named = Inventory(tmp_path / "inventory")
    named.set_vars("group_vars", "docker_hosts", opt_dns_servers=[ADMIN])
    sites = yaml.safe_load((named.path / "host_vars" / "acme" / "main.yml").read_text())["opt_sites"]
    named.client("acme", opt_sites=sites + [dict(sites[0], name="named", host="localhost", printers=[])])
    with listening(engine, "opt-portal", 53):
        run = named.playbook("firewall.yml")
        assert run.rc == 0 and run.changed() == 1, run
        assert f"-A COAXIS-OPT -s {ACME}/32 -d {ADMIN}/32 -i opt-clients -p udp -m udp --dport 53" in firewall_rules()
        assert connect_from(engine, "opt-acme", ADMIN, 53) == "open"
        # globex names its sites by address: no DNS.
        assert connect_from(engine, "opt-globex", ADMIN, 53) == "refused"
        # Back to the lab inventory (sites by address): acme's DNS goes too.
        run = lab.playbook("firewall.yml")
        assert run.rc == 0 and run.changed() == 1, run
        assert connect_from(engine, "opt-acme", ADMIN, 53) == "refused"


def test_the_docker_host_itself_stays_closed_to_the_clients(lab, engine):
    with host_listening([0]) as (port,):
        with socket.create_connection(("10.128.0.1", port), timeout=3):
            pass
        assert connect_from(engine, "opt-acme", "10.128.0.1", port) == "refused"


def test_the_client_network_has_ipv6_off_and_its_containers_no_ipv6_address(lab, engine):
    network = engine.networks.get("opt-clients").attrs
    assert network["EnableIPv6"] is False
    assert not [config for config in network["IPAM"]["Config"] if ":" in config.get("Subnet", "")]
    for name in ("opt-acme", "opt-globex"):
        assert engine.containers.get(name).exec_run(["cat", "/proc/net/if_inet6"]).output.strip() == b""


def test_opt_network_creates_ipv6_off_and_refuses_a_network_with_ipv6_on(lab, engine):
    url = os.environ["DOCKER_HOST"]
    args = {"docker_host": url, "name": "opt-v4-probe", "subnet": "10.131.98.0/24", "bridge_name": "opt-v4-probe"}
    try:
        created = run_module("coaxis.opt.opt_network", args)
        assert created.get("changed") is True and created["network"]["ipv6"] is False, created
        assert engine.networks.get("opt-v4-probe").attrs["EnableIPv6"] is False
        assert run_module("coaxis.opt.opt_network", args).get("changed") is False
    finally:
        for network in engine.networks.list(names=["opt-v4-probe"]):
            network.remove()

    ipam = docker.types.IPAMConfig(pool_configs=[
        docker.types.IPAMPool(subnet="10.131.99.0/24", gateway="10.131.99.1"),
        docker.types.IPAMPool(subnet="fd00:131:99::/64", gateway="fd00:131:99::1")])
    v6 = engine.networks.create("opt-v6-probe", driver="bridge", enable_ipv6=True, ipam=ipam,
                                options={"com.docker.network.bridge.name": "opt-v6-probe",
                                         "com.docker.network.bridge.enable_icc": "false"})
    try:
        for recreate in ("never", "when_empty"):
            result = run_module("coaxis.opt.opt_network", {
                "docker_host": url, "name": "opt-v6-probe", "subnet": "10.131.99.0/24",
                "bridge_name": "opt-v6-probe", "recreate": recreate})
            assert result.get("failed") is True, result
            assert result["msg"].startswith("network opt-v6-probe has IPv6 enabled: the client network must be "
                                            "IPv4 only"), result
            assert engine.networks.get("opt-v6-probe").id == v6.id  # left alone, never recreated
    finally:
        v6.remove()
