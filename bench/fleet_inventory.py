"""Generate an Ansible inventory of K clients over the N Docker hosts of lab/fleet.sh.

    python bench/fleet_inventory.py --clients K --hosts N --out DIR [--sites S --printers P]
                                    [--layout round-robin|blocks]

Docker host i (fleet-host-i) talks to engine i of the fleet (unix:///run/coaxis-fleet-i/docker.sock)
and owns the client subnet 10.(160+i).0.0/16 (gateway .0.1, .0.2 reserved for the edge proxy);
its clients take 10.(160+i).1.0 upwards, in order. Every client has S sites of P printers;
the sites are documentation addresses nobody answers (converge benchmarks do not need the
tunnels up), with listen ports 9101 upwards, unique per client.

DIR gets hosts.yml (every host with its own variables, one file: thousands of host_vars files
load slower) and group_vars/{all,docker_hosts,opt_clients}.yml. Run it from the repository:
    ansible-playbook -i DIR playbooks/site.yml --limit docker_hosts
"""
import argparse
import ipaddress
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from lab import fleet

MAX_HOSTS = fleet.MAX_ENGINES
FIRST_LISTEN_PORT = 9101
LAST_LISTEN_PORT = 65535
# One Coaxis LAN for the whole fleet, as in production; no engine holds it, so it only
# shapes the firewall rules and the Docker hosts' addresses seen from the Coaxis hosts.
COAXIS_LAN = "10.170.0.0/24"
LAB_TLS_DIR = Path("/var/lib/coaxis-lab/tls")


def host_name(i):
    return f"fleet-host-{i}"


def client_name(k):
    return f"cl{k:05d}"


host_subnet = fleet.subnet
engine_url = fleet.engine_url


def placement(clients, hosts, layout):
    """Docker host (1..hosts) of each client (1..clients)."""
    if layout == "round-robin":
        return {k: (k - 1) % hosts + 1 for k in range(1, clients + 1)}
    per_host = -(-clients // hosts)
    return {k: (k - 1) // per_host + 1 for k in range(1, clients + 1)}


def sites_of(sites, printers, host_key):
    result = []
    for s in range(sites):
        result.append({
            "name": f"site{s + 1}",
            "host": f"198.51.100.{10 + s % 240}",
            "host_key": host_key,
            "printers": [{"name": f"p{p + 1}", "address": f"203.0.113.{20 + p % 230}",
                          "listen_port": FIRST_LISTEN_PORT + s * printers + p}
                         for p in range(printers)],
        })
    return result


def generate(clients, hosts, sites=1, printers=1, layout="round-robin",
             private_key="", public_key="", tls_dir=None, image="coaxis/docker-opt:lab"):
    """The inventory as {relative path: YAML data}; pure (no files, no key generation)."""
    if not 1 <= hosts <= MAX_HOSTS:
        raise ValueError(f"--hosts must be 1..{MAX_HOSTS} (lab/fleet.sh engines)")
    if clients < 1 or sites < 1 or printers < 1:
        raise ValueError("--clients, --sites and --printers must be at least 1")
    if FIRST_LISTEN_PORT + sites * printers - 1 > LAST_LISTEN_PORT:
        raise ValueError(f"{sites} sites x {printers} printers need more listen ports than "
                         f"{FIRST_LISTEN_PORT}-{LAST_LISTEN_PORT}")
    where = placement(clients, hosts, layout)
    capacity = host_subnet(1).num_addresses - 256 - 1   # from .1.0 up to the broadcast address
    docker_hosts, opt_clients, used = {}, {}, {}
    for i in range(1, hosts + 1):
        net = host_subnet(i)
        docker_hosts[host_name(i)] = {
            "opt_docker_url": engine_url(i),
            "opt_network": {"name": "opt-clients", "bridge_name": "opt-clients",
                            "subnet": str(net), "gateway": str(net.network_address + 1)},
            "opt_reserved_ips": [str(net.network_address + 2)],
            "opt_docker_host_address": str(ipaddress.ip_network(COAXIS_LAN).network_address + 10 + i),
        }
        used[i] = 0
    for k in range(1, clients + 1):
        i = where[k]
        if used[i] >= capacity:
            raise ValueError(f"{host_name(i)}: more than {capacity} clients")
        name = client_name(k)
        opt_clients[name] = {
            "opt_docker_host": host_name(i),
            "opt_ip": str(host_subnet(i).network_address + 256 + used[i]),
            "opt_subdomain": name,
            "opt_sites": sites_of(sites, printers, public_key),
        }
        used[i] += 1
    group_docker_hosts = {
        # The fleet's engines run on this machine; their sockets answer from the root namespace.
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "opt_image": image,
        "opt_firewall_image": "coaxis/opt-firewall:lab",
        "opt_edge_image": "coaxis/opt-edge:lab",
        "opt_coaxis_lans": [COAXIS_LAN],
        # The lab's Coaxis host address: the firewall lets it alone print.
        "opt_coaxis_sources": [str(ipaddress.ip_network(COAXIS_LAN).network_address + 10)],
        # Nobody answers there: the clients' nginx and firewall only need the address.
        "opt_admin_url": f"http://{ipaddress.ip_network(COAXIS_LAN).network_address + 20}:8000",
        # The clients sign X-OPT-Client with it (benchmark only, in clear like the key).
        "opt_admin_signing_secret": "benchmark-only-signing-secret-not-a-secret",
    }
    if tls_dir is not None:
        # The lab's wildcard certificate: the edge proxy serves <client>.coaxis.test with it.
        group_docker_hosts.update({
            "opt_domain": "coaxis.test",
            "opt_tls_cert": f"{{{{ lookup('ansible.builtin.file', '{tls_dir}/wildcard.crt') }}}}",
            "opt_tls_key": f"{{{{ lookup('ansible.builtin.file', '{tls_dir}/wildcard.key') }}}}",
        })
    return {
        "hosts.yml": {"all": {"children": {
            "docker_hosts": {"hosts": docker_hosts},
            "opt_clients": {"hosts": opt_clients},
            # No Coaxis host: routes.yml (the end of site.yml) then matches nothing, quietly.
            "coaxis_hosts": {},
        }}},
        "group_vars/all.yml": {
            "opt_lang": "en",
            # One lock directory per Docker host: every host's network is named opt-clients,
            # and one shared directory would make the hosts of a run wait for each other.
            "opt_lock_dir": "/run/coaxis-fleet-locks/{{ inventory_hostname }}",
        },
        "group_vars/docker_hosts.yml": group_docker_hosts,
        "group_vars/opt_clients.yml": {
            "ansible_connection": "local",
            "opt_private_key": private_key,
        },
    }


HEADERS = {
    "hosts.yml": "# Generated by bench/fleet_inventory.py ({args}); regenerate rather than edit.",
    "group_vars/opt_clients.yml": (
        "# Benchmark inventory: every client shares one ed25519 key, in clear (no vault), made by\n"
        "# ssh-keygen for this inventory alone and trusted by no site. Never a production pattern."),
}


class _Literal(str):
    """A multi-line string written as a YAML block (the private key stays readable)."""


yaml.SafeDumper.add_representer(
    _Literal, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|"))


def keypair(out):
    """The key of an earlier run of the same DIR, or a new one (stable keys: a second run of the
    generator does not change every client's configuration)."""
    previous = out / "group_vars" / "opt_clients.yml"
    if previous.exists():
        data = yaml.safe_load(previous.read_text()) or {}
        if data.get("opt_private_key") and data.get("opt_public_key"):
            return data["opt_private_key"], data["opt_public_key"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "coaxis-fleet-bench",
                        "-f", str(path)], check=True, timeout=30)
        return path.read_text(), path.with_suffix(".pub").read_text().strip()


def write(out, files, args_text):
    for relative, data in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        header = HEADERS.get(relative, "").format(args=args_text)
        text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=120)
        path.write_text("---\n" + (header + "\n" if header else "") + text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--hosts", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sites", type=int, default=1)
    parser.add_argument("--printers", type=int, default=1)
    parser.add_argument("--layout", choices=["round-robin", "blocks"], default="round-robin")
    parser.add_argument("--tls-dir", type=Path, default=LAB_TLS_DIR,
                        help="wildcard.crt and wildcard.key for the edge proxy; without them no opt_domain")
    parser.add_argument("--image", default="coaxis/docker-opt:lab", help="the clients' image (opt_image)")
    args = parser.parse_args(argv)
    tls_dir = args.tls_dir if (args.tls_dir / "wildcard.crt").exists() else None
    if tls_dir is None:
        print(f"no certificate in {args.tls_dir}: the inventory has no opt_domain (no edge proxy)",
              file=sys.stderr)
    private_key, public_key = keypair(args.out)
    try:
        files = generate(args.clients, args.hosts, args.sites, args.printers, args.layout,
                         _Literal(private_key), public_key, tls_dir, args.image)
    except ValueError as exc:
        parser.error(str(exc))
    files["group_vars/opt_clients.yml"]["opt_public_key"] = public_key
    write(args.out, files, f"--clients {args.clients} --hosts {args.hosts} --sites {args.sites} "
                           f"--printers {args.printers} --layout {args.layout} --image {args.image}")
    print(f"{args.out}: {args.clients} clients over {args.hosts} Docker hosts")


if __name__ == "__main__":
    main()
