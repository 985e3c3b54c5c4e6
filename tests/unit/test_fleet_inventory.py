"""bench/fleet_inventory.py: names, addresses, subdomains and ports are unique, and the
inventory passes the same whole-inventory checks as any other (opt_inventory_errors)."""
import importlib.util
import ipaddress
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lab import fleet
from ansible_collections.coaxis.opt.plugins.filter.ipplan import inventory_errors

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("fleet_inventory", ROOT / "bench" / "fleet_inventory.py")
fleet_inventory = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fleet_inventory)

# Any well-formed key: the generator only copies it.
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw test"
# A well-formed (synthetic) private key: the whole-inventory check validates it; assembled here so
# that no armoured private key block stands in the repository.
ARMOUR = "OPENSSH " + "PRIVATE KEY"
PRIVATE_KEY = "-----BEGIN %s-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END %s-----\n" % (ARMOUR, ARMOUR)


def flatten(files):
    """groups and hostvars as Ansible builds them (group_vars under host variables)."""
    children = files["hosts.yml"]["all"]["children"]
    groups = {group: list((body or {}).get("hosts") or {}) for group, body in children.items()}
    hostvars = {}
    for group, body in children.items():
        for host, own in ((body or {}).get("hosts") or {}).items():
            hostvars[host] = {**files["group_vars/all.yml"], **files.get(f"group_vars/{group}.yml", {}),
                              **(own or {})}
    return groups, hostvars


def build(**kwargs):
    return fleet_inventory.generate(public_key=PUBLIC_KEY, private_key=PRIVATE_KEY, **kwargs)


@pytest.mark.parametrize("layout", ["round-robin", "blocks"])
@pytest.mark.parametrize("clients,hosts,sites,printers", [(4, 2, 1, 1), (1, 1, 1, 1), (250, 9, 2, 3), (7, 3, 3, 2)])
def test_unique_and_valid(layout, clients, hosts, sites, printers):
    groups, hostvars = flatten(build(clients=clients, hosts=hosts, sites=sites, printers=printers, layout=layout))
    assert len(groups["docker_hosts"]) == hosts
    assert len(set(groups["opt_clients"])) == clients
    subnets = {h: ipaddress.ip_network(hostvars[h]["opt_network"]["subnet"]) for h in groups["docker_hosts"]}
    assert len({hostvars[h]["opt_docker_url"] for h in subnets}) == hosts
    addresses = Counter()
    for name in groups["opt_clients"]:
        client = hostvars[name]
        host = client["opt_docker_host"]
        assert ipaddress.ip_address(client["opt_ip"]) in subnets[host]
        addresses[(host, client["opt_ip"])] += 1
        ports = [p["listen_port"] for site in client["opt_sites"] for p in site["printers"]]
        assert len(client["opt_sites"]) == sites
        assert len(ports) == len(set(ports)) == sites * printers
        assert len({site["name"] for site in client["opt_sites"]}) == sites
    assert max(addresses.values()) == 1
    assert len({hostvars[c]["opt_subdomain"] for c in groups["opt_clients"]}) == clients
    # Every Docker host gets its share: round-robin and blocks both spread the clients.
    per_host = Counter(hostvars[c]["opt_docker_host"] for c in groups["opt_clients"])
    assert len(per_host) == min(hosts, clients)
    errors, counted_hosts, counted_clients = inventory_errors(groups, hostvars)
    assert errors == []
    assert (counted_hosts, counted_clients) == (hosts, clients)


def test_subnets_stay_clear_of_the_lab_and_the_uplinks():
    _, hostvars = flatten(build(clients=9, hosts=9))
    subnets = [ipaddress.ip_network(v["opt_network"]["subnet"]) for v in hostvars.values() if "opt_network" in v]
    lab = ipaddress.ip_network("10.128.0.0/14")  # every lab subnet and the lab's uplink
    assert len(subnets) == 9
    for net in subnets:
        assert not any(net.overlaps(other) for other in subnets if other != net)
        assert not net.overlaps(lab)
        assert not any(net.overlaps(fleet.uplink(i)) for i in range(1, fleet.MAX_ENGINES + 1))


def test_round_robin_and_blocks():
    robin = fleet_inventory.placement(6, 3, "round-robin")
    blocks = fleet_inventory.placement(6, 3, "blocks")
    assert [robin[k] for k in range(1, 7)] == [1, 2, 3, 1, 2, 3]
    assert [blocks[k] for k in range(1, 7)] == [1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("kwargs", [dict(clients=1, hosts=10), dict(clients=0, hosts=1),
                                    dict(clients=1, hosts=1, sites=600, printers=100)])
def test_refused(kwargs):
    with pytest.raises(ValueError):
        build(**kwargs)


def test_cli_writes_a_loadable_inventory(tmp_path):
    out = tmp_path / "inv"
    fleet_inventory.main(["--clients", "3", "--hosts", "2", "--out", str(out), "--tls-dir", str(tmp_path)])
    assert (out / "hosts.yml").exists()
    clients = yaml.safe_load((out / "group_vars" / "opt_clients.yml").read_text())
    # A real ed25519 key: ssh-keygen derives its public half.
    key = tmp_path / "key"
    key.write_text(clients["opt_private_key"])
    key.chmod(0o600)
    public = subprocess.run(["ssh-keygen", "-y", "-f", str(key)], capture_output=True, text=True, timeout=30)
    assert public.returncode == 0 and public.stdout.startswith("ssh-ed25519 "), public
    assert "opt_domain" not in yaml.safe_load((out / "group_vars" / "docker_hosts.yml").read_text())
    # A second run keeps the key: the clients' configurations do not change.
    fleet_inventory.main(["--clients", "3", "--hosts", "2", "--out", str(out), "--tls-dir", str(tmp_path)])
    assert yaml.safe_load((out / "group_vars" / "opt_clients.yml").read_text()) == clients


def test_fleet_sh_takes_its_addresses_from_lab_fleet():
    """The shell and the inventory generator read one formula (lab/fleet.py)."""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([str(root / ".venv" / "bin" / "python"), "-m", "lab.fleet", "env", "3"],
                         capture_output=True, text=True, check=True, cwd="/").stdout.split()
    assert out == ["LAB_NAME=coaxis-fleet-3", "LAB_VETH=cxfl3", "LAB_UPLINK=10.153.255.0/30",
                   "LAB_SUBNETS=10.163.0.0/16"]
    script = (root / "lab" / "fleet.sh").read_text()
    assert "-m lab.fleet env" in script and "$((150" not in script and "$((160" not in script
