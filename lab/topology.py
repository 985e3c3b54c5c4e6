"""Create (or repair) the lab's stand-ins around the product on the lab engine.

    coaxis-lan  lab-coaxis-1: a Coaxis host booting systemd (sshd as ssh.service); Ansible
                reaches it over SSH. The admin interface (10.129.0.20:8000) is the product's own
                portal, deployed after this by playbooks/portal.yml (make lab-portal) from the
                inventory repository made here: $LAB_STATE/inventory.git, seeded from inventories/lab.
    wan         lab-site-lyon, lab-site-paris: client sites' gateways (sshd, pinned host keys)
    site LANs   lab-printer-lyon-1, -lyon-2, -paris-1: raw 9100 printer sinks, each on its
                site's internal network only (reachable through that site's sshd alone)

The client network itself is not made here: the product makes it
(coaxis.opt.opt_network). Keys are generated once under $LAB_STATE/keys.
Idempotent: what exists and matches is left alone, what is stopped is started.
"""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import docker
import yaml

STATE = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"))
KEYS = STATE / "keys"
NODE_IMAGE = "coaxis-lab/node:lab"
LABEL = {"coaxis.lab": "1"}

NETWORKS = {
    # name: (subnet, gateway, bridge name, internal)
    "lab-coaxis-lan": ("10.129.0.0/24", "10.129.0.1", "lab-coaxis", False),
    "lab-wan": ("10.130.0.0/24", "10.130.0.1", "lab-wan", False),
    "lab-site-lyon": ("10.131.1.0/24", "10.131.1.1", "lab-lyon", True),
    "lab-site-paris": ("10.131.2.0/24", "10.131.2.1", "lab-paris", True),
}
NODES = {
    # name: (role, {network: ip}, capabilities, key directory)
    "lab-coaxis-1": ("coaxis-host", {"lab-coaxis-lan": "10.129.0.10"}, ["NET_ADMIN"], "coaxis-1"),
    "lab-site-lyon": ("site-gateway", {"lab-wan": "10.130.0.10", "lab-site-lyon": "10.131.1.10"},
                      [], "site-lyon"),
    "lab-site-paris": ("site-gateway", {"lab-wan": "10.130.0.11", "lab-site-paris": "10.131.2.10"},
                       [], "site-paris"),
    "lab-printer-lyon-1": ("printer", {"lab-site-lyon": "10.131.1.20"}, [], None),
    "lab-printer-lyon-2": ("printer", {"lab-site-lyon": "10.131.1.21"}, [], None),
    "lab-printer-paris-1": ("printer", {"lab-site-paris": "10.131.2.20"}, [], None),
}
# Which client key each sshd accepts.
AUTHORIZED = {"coaxis-1": "ansible_ed25519", "site-lyon": "tunnel_ed25519", "site-paris": "tunnel_ed25519"}
# The lab's "Internet": client containers reach the sites' gateways the way they would in
# production, out through their network's gateway (NATed by the engine). Docker drops
# forwarding between two of its bridges, so the lab accepts client network -> WAN in
# DOCKER-USER. Lab-only: the product's own rules live in its firewall, whose chain runs first and
# decides every packet of the client bridge (each client's declared sites accepted, the rest
# rejected); these rules carry the traffic only while that chain is taken away (tests show a probe
# getting through before showing our chain refuse it).
WAN_RULES = [
    ["-i", "opt-clients", "-o", "lab-wan", "-j", "ACCEPT"],
    ["-i", "lab-wan", "-o", "opt-clients", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
]
RULE_TAG = "coaxis-lab-wan"
# The Coaxis host boots systemd as PID 1 (lab-node execs it), so what the product persists
# there (the routes unit of coaxis.opt.opt_route) is replayed for real when it restarts.
# What systemd needs in a container on this kernel and dockerd 20.10 (cgroup v1): the
# container=docker hint, its own shutdown signal, tmpfs where it expects a fresh boot, and the
# name=systemd hierarchy writable (without it: "Failed to create .../init.scope control
# group"); it then writes only below its own container's cgroup.
SYSTEMD_ROLES = {"coaxis-host"}
SYSTEMD_CGROUP = "/sys/fs/cgroup/systemd"
SPEC_LABEL = "coaxis.lab.spec"


def log(text):
    print(f"[lab topology] {text}", file=sys.stderr, flush=True)


ROOT = Path(__file__).resolve().parent.parent
# The sites' host keys are fixed and vaulted, so the inventory can pin them
# (inventories/lab/host_vars/*/main.yml); the lab-only vault password sits beside it.
SITE_HOST_KEYS = ROOT / "lab" / "site-host-keys.vault.yml"
VAULT_PASSWORD = ROOT / "inventories" / "lab" / "vault-password.txt"
# Public keys of the lab clients (their private keys are vaulted in the inventory).
CLIENT_PUBLIC_KEYS = ROOT / "lab" / "site-authorized-keys.pub"


def keygen(path, comment):
    if not path.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                       check=True)


def site_host_keys():
    vault = ROOT / ".venv" / "bin" / "ansible-vault"
    text = subprocess.run([str(vault), "view", "--vault-id", f"lab@{VAULT_PASSWORD}", str(SITE_HOST_KEYS)],
                          check=True, capture_output=True, text=True).stdout
    return yaml.safe_load(text)


def write_if_changed(path, text):
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def install_host_key(folder, node, private_text):
    """Returns whether the host key changed (the node's sshd must then restart)."""
    key = folder / "ssh_host_ed25519_key"
    if private_text is None:
        fresh = not key.exists()
        keygen(key, node)
        return fresh
    if not key.exists() or key.read_text() != private_text:
        key.write_text(private_text)
        key.chmod(0o600)
        public = subprocess.run(["ssh-keygen", "-y", "-f", str(key)], check=True, capture_output=True,
                                text=True).stdout.strip()
        (folder / "ssh_host_ed25519_key.pub").write_text(f"{public} {node}\n")
        return True
    return False


def ensure_keys():
    """Returns the key folders whose content changed."""
    changed = set()
    KEYS.mkdir(parents=True, exist_ok=True, mode=0o700)
    for user_key in set(AUTHORIZED.values()):
        keygen(KEYS / user_key, f"{user_key}@coaxis-lab")
    vaulted = site_host_keys()
    known = []
    for node, (_, addresses, _, keydir) in NODES.items():
        if keydir is None:
            continue
        folder = KEYS / keydir
        folder.mkdir(exist_ok=True, mode=0o700)
        site = keydir.removeprefix("site-") if keydir.startswith("site-") else None
        if install_host_key(folder, node, vaulted.get(site) if site else None):
            changed.add(keydir)
        authorized = (KEYS / f"{AUTHORIZED[keydir]}.pub").read_text()
        if site:
            authorized += CLIENT_PUBLIC_KEYS.read_text()
        if write_if_changed(folder / "authorized_keys", authorized):
            changed.add(keydir)
        hostkey = (folder / "ssh_host_ed25519_key.pub").read_text().split()[:2]
        known += [f"{ip} {' '.join(hostkey)}" for ip in addresses.values()]
    (KEYS / "known_hosts").write_text("\n".join(known) + "\n")
    return changed


def ensure_network(client, name, subnet, gateway, bridge, internal):
    found = client.networks.list(names=[name])
    if found:
        config = found[0].attrs["IPAM"]["Config"][0]
        if config.get("Subnet") != subnet:
            sys.exit(f"lab network {name} has subnet {config.get('Subnet')}, expected {subnet}: "
                     "run `make lab-down` and set up again")
        return
    log(f"network {name} {subnet}")
    client.networks.create(
        name, driver="bridge", internal=internal, labels=LABEL,
        ipam=docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet, gateway=gateway)]),
        options={"com.docker.network.bridge.name": bridge})


def systemd_cgroup():
    """The cgroup v1 name=systemd hierarchy's mount point; a clear exit when there is none."""
    with open("/proc/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            _, path, fstype, options = line.split()[:4]
            if fstype == "cgroup" and "name=systemd" in options.split(","):
                return path
    sys.exit("the lab's Coaxis host boots systemd, which needs the cgroup v1 name=systemd hierarchy "
             f"(a 'cgroup ... name=systemd' line in /proc/mounts, usually at {SYSTEMD_CGROUP}); this machine has "
             "none (cgroup v2 only?). Mount it: mkdir -p /sys/fs/cgroup/systemd && "
             "mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd")


def node_spec(role, addresses, caps, keydir):
    """Everything the container is created with, besides its image: compared on every run."""
    spec = {"command": [role], "addresses": addresses, "caps": caps, "keydir": keydir,
            "entrypoint": None, "environment": None, "stop_signal": None, "tmpfs": None, "cgroup": None}
    if role in SYSTEMD_ROLES:
        spec.update(entrypoint=["/usr/local/bin/lab-node"], environment={"container": "docker"},
                    stop_signal="SIGRTMIN+3", tmpfs={"/run": "", "/run/lock": "", "/tmp": ""},
                    cgroup=systemd_cgroup())
    return spec


def spec_digest(spec):
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def ensure_node(client, name, role, addresses, caps, keydir, image_id, keys_changed):
    spec = node_spec(role, addresses, caps, keydir)
    digest = spec_digest(spec)
    try:
        container = client.containers.get(name)
        same_spec = container.labels.get(SPEC_LABEL) == digest
        if container.image.id == image_id and same_spec:
            if keydir in keys_changed and container.status == "running":
                log(f"restarting {name}: its keys changed")
                container.restart(timeout=5)
            elif container.status != "running":
                log(f"starting {name}")
                container.start()
            return
        log(f"{name}: {'image' if same_spec else 'settings'} changed, recreating")
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    networks = list(addresses)
    first = networks[0]
    mounts = [docker.types.Mount("/etc/lab-ssh", str(KEYS / keydir), type="bind", read_only=True)] if keydir else []
    if spec["cgroup"]:
        mounts.append(docker.types.Mount(SYSTEMD_CGROUP, spec["cgroup"], type="bind", read_only=False))
    log(f"container {name} ({role}{', systemd' if spec['cgroup'] else ''})")
    created = client.api.create_container(
        NODE_IMAGE, command=spec["command"], entrypoint=spec["entrypoint"], environment=spec["environment"],
        stop_signal=spec["stop_signal"], name=name, hostname=name, labels={**LABEL, SPEC_LABEL: digest},
        host_config=client.api.create_host_config(
            network_mode=first, cap_add=caps, mounts=mounts, tmpfs=spec["tmpfs"],
            restart_policy={"Name": "unless-stopped"}),
        networking_config=client.api.create_networking_config(
            {first: client.api.create_endpoint_config(ipv4_address=addresses[first])}))
    for extra in networks[1:]:
        client.api.connect_container_to_network(created["Id"], extra, ipv4_address=addresses[extra])
    client.api.start(created["Id"])


def ns_iptables(*args, check=True):
    return subprocess.run(["nsenter", f"--net=/var/run/netns/{os.environ.get('LAB_NS', 'coaxis-lab')}",
                           "iptables", "-w", *args], capture_output=True, text=True, check=check)


def ensure_wan_rules():
    for rule in WAN_RULES:
        tagged = [*rule[:-2], "-m", "comment", "--comment", RULE_TAG, *rule[-2:]]
        if ns_iptables("-C", "DOCKER-USER", *tagged, check=False).returncode != 0:
            ns_iptables("-I", "DOCKER-USER", "1", *tagged)
    # After a daemon restart the DOCKER-USER jump can end up behind the isolation chains,
    # where its rules silently stop matching (moby#48560): keep it first in FORWARD.
    first = ns_iptables("-S", "FORWARD").stdout.splitlines()[1:2]
    if first != ["-A FORWARD -j DOCKER-USER"]:
        ns_iptables("-D", "FORWARD", "-j", "DOCKER-USER", check=False)
        ns_iptables("-I", "FORWARD", "1", "-j", "DOCKER-USER")


LAB_DOMAIN = "coaxis.test"
# The group of the portal image's user (images/opt-portal/Dockerfile).
PORTAL_GID = 10002


def ensure_tls():
    """A self-signed wildcard certificate for the lab's client subdomains (*.coaxis.test),
    made once; the lab inventory reads it (production brings its own, key vaulted)."""
    tls = STATE / "tls"
    if not ((tls / "wildcard.crt").exists() and (tls / "wildcard.key").exists()):
        make_tls(tls)
    # The portal's web server (non-root, group PORTAL_GID) checks every change against the whole
    # inventory, which reads this key as the lab inventory names it: its group may read it.
    os.chown(tls / "wildcard.key", 0, PORTAL_GID)
    os.chmod(tls / "wildcard.key", 0o640)


def make_tls(tls):
    tls.mkdir(parents=True, exist_ok=True)
    log(f"self-signed certificate for *.{LAB_DOMAIN}")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "825", "-subj", f"/CN=*.{LAB_DOMAIN}",
                    "-addext", f"subjectAltName=DNS:*.{LAB_DOMAIN},DNS:{LAB_DOMAIN}",
                    "-keyout", str(tls / "wildcard.key"), "-out", str(tls / "wildcard.crt")],
                   check=True, capture_output=True)


# The echo stand-in the portal replaced (same address): removed from labs made before.
RETIRED = ["lab-admin"]
# The portal's inventory repository (bare), owned by the portal image's user (it pushes there).
INVENTORY_REPO = STATE / "inventory.git"
PORTAL_UID = 10002
LAB_RUN = Path(os.environ.get("LAB_RUN", "/run/coaxis-lab"))


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def ensure_inventory_repo():
    """$LAB_STATE/inventory.git, seeded once from inventories/lab (later edits are the portal's)."""
    if not (INVENTORY_REPO / "HEAD").exists():
        log(f"inventory repository {INVENTORY_REPO} (from inventories/lab)")
        seed = STATE / "inventory-seed"
        subprocess.run(["rm", "-rf", str(seed), str(INVENTORY_REPO)], check=True)
        git("init", "-q", "--bare", "--initial-branch=main", str(INVENTORY_REPO))
        subprocess.run(["cp", "-a", str(ROOT / "inventories" / "lab"), str(seed)], check=True)
        git("init", "-q", "--initial-branch=main", cwd=seed)
        git("add", "-A", cwd=seed)
        git("-c", "user.name=coaxis-opt lab", "-c", "user.email=lab@coaxis.test", "commit", "-q", "-m",
            "The lab inventory (inventories/lab)", cwd=seed)
        git("push", "-q", str(INVENTORY_REPO), "main", cwd=seed)
        subprocess.run(["rm", "-rf", str(seed)], check=True)
    subprocess.run(["chown", "-R", f"{PORTAL_UID}:{PORTAL_UID}", str(INVENTORY_REPO)], check=True)
    # What the portal's worker mounts at the same paths: the Docker host's lock directory (shared
    # with the operators' runs and the tests) and its recorded state.
    for folder in (LAB_RUN / "locks", STATE / "opt-state"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def main():
    client = docker.DockerClient(base_url=os.environ.get("DOCKER_HOST", f"unix://{os.environ['LAB_SOCK']}"))
    keys_changed = ensure_keys()
    ensure_tls()
    ensure_inventory_repo()
    for name, spec in NETWORKS.items():
        ensure_network(client, name, *spec)
    for name in RETIRED:
        try:
            client.containers.get(name).remove(force=True)
            log(f"{name} removed (the portal replaces it)")
        except docker.errors.NotFound:
            pass
    image_id = client.images.get(NODE_IMAGE).id
    for name, spec in NODES.items():
        ensure_node(client, name, *spec, image_id, keys_changed)
    ensure_wan_rules()
    log("ready")


if __name__ == "__main__":
    main()
