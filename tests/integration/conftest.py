"""Integration fixtures: run the playbooks on the lab and look at the engine.

These tests run inside the lab's network namespace (`make integration` wraps
pytest in `lab/engine.sh exec`), with DOCKER_HOST pointing at the lab engine.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import docker
import pytest
import yaml

from lab.probes import iptables

ROOT = Path(__file__).resolve().parents[2]
LAB_INVENTORY = ROOT / "inventories" / "lab"
# The lab inventory's opt_lock_dir: the lab's own run directory.
LOCK_DIR = Path(os.environ.get("LAB_RUN", "/run/coaxis-lab")) / "locks"
MANAGED = "coaxis.opt.managed-by=coaxis-opt"
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
                   r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)", re.M)


def lab_address(ip):
    """Refuse to send to an address that no interface of the lab namespace reaches directly."""
    route = json.loads(subprocess.run(["ip", "-j", "route", "get", ip], check=True,
                                      capture_output=True, text=True).stdout)[0]
    assert "gateway" not in route and route.get("dev", "").startswith(("lab-", "opt-", "br-", "lo")), \
        f"{ip} is not on an interface the lab created: {route}"
    return ip


def lab_environment(inventory=LAB_INVENTORY):
    """The environment of a lab run: the lab inventory's (or its copy's) vault password as the
    vault id "lab", as lab/engine.sh exec gives it (ansible.cfg names no vault password)."""
    return {**os.environ, "ANSIBLE_VAULT_IDENTITY_LIST": f"lab@{Path(inventory) / 'vault-password.txt'}"}


def production_environment():
    """The environment of a run outside the lab: nothing of the lab's vault settings."""
    return {k: v for k, v in os.environ.items()
            if k not in ("ANSIBLE_VAULT_IDENTITY_LIST", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY")}


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        self.recap = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
                      for m in RECAP.finditer(proc.stdout)}

    def changed(self, host="lab-docker-host"):
        return self.recap[host]["changed"]

    def __repr__(self):
        return f"<Run rc={self.rc}>\n{self.out[-4000:]}"


class Inventory:
    """A private copy of the lab inventory that a test may edit."""

    def __init__(self, path):
        self.path = path
        shutil.copytree(LAB_INVENTORY, path)

    def set_vars(self, kind, name, **values):
        folder = self.path / kind / name
        file = folder / "main.yml" if folder.is_dir() else self.path / kind / f"{name}.yml"
        data = yaml.safe_load(file.read_text()) if file.exists() else {}
        for key, value in values.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        file.write_text(yaml.safe_dump(data))

    def client(self, name, **values):
        self.set_vars("host_vars", name, **values)

    def add_client(self, name, **values):
        hosts = yaml.safe_load((self.path / "hosts.yml").read_text())
        hosts["all"]["children"]["opt_clients"]["hosts"][name] = None
        (self.path / "hosts.yml").write_text(yaml.safe_dump(hosts))
        self.client(name, **values)

    def remove_client(self, name):
        """Take a client out of the inventory (its host_vars stay, as an operator's would)."""
        hosts = yaml.safe_load((self.path / "hosts.yml").read_text())
        hosts["all"]["children"]["opt_clients"]["hosts"].pop(name)
        (self.path / "hosts.yml").write_text(yaml.safe_dump(hosts))

    def _command(self, name, args, lang):
        cmd = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(self.path),
               str(ROOT / "playbooks" / name), *args]
        if lang:
            cmd += ["-e", f"opt_lang={lang}"]
        env = {**lab_environment(self.path), "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
               "ANSIBLE_FORCE_COLOR": "0"}
        return cmd, env

    def playbook(self, name, *args, lang=None):
        cmd, env = self._command(name, args, lang)
        return Run(subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600))

    def spawn(self, name, *args, lang=None):
        """Start a run in the background (for concurrency tests); the caller waits, bounded."""
        cmd, env = self._command(name, args, lang)
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="session", autouse=True)
def no_stale_lab_lock():
    """A run killed while it held the lab Docker host's lock (a session or CI job ended
    mid-run) would make every test wait for its ttl: the lab starts without one."""
    shutil.rmtree(LOCK_DIR / "opt-clients.lock", ignore_errors=True)


@pytest.fixture(scope="session")
def engine():
    client = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], timeout=120)
    client.ping()
    return client


def clean_engine(engine):
    """Remove what the product made on the lab engine (never the lab's own stand-ins)."""
    for container in engine.containers.list(all=True, filters={"label": MANAGED}):
        container.remove(force=True)
    for network in engine.networks.list(names=["opt-clients"]):
        network.remove()
    for volume in engine.volumes.list(filters={"label": MANAGED}):
        volume.remove(force=True)
    clear_firewall()


FIREWALL_JUMPS = (("FORWARD", "DOCKER-USER"), ("DOCKER-USER", "COAXIS-OPT"), ("INPUT", "COAXIS-OPT-INPUT"))


def clear_firewall():
    """The kernel keeps the firewall's rules after its container is gone: remove them too."""
    for parent, chain in FIREWALL_JUMPS[1:]:
        while iptables("-D", parent, "-j", chain, check=False).returncode == 0:
            pass
        iptables("-F", chain, check=False)
        iptables("-X", chain, check=False)


def firewall_rules():
    """Our chains as the kernel has them (iptables -S), '' when absent."""
    return "".join(iptables("-S", chain, check=False).stdout for chain in ("COAXIS-OPT", "COAXIS-OPT-INPUT"))


@pytest.fixture
def fresh(engine):
    clean_engine(engine)
    yield engine


# The lab's two clients converged from the unedited lab inventory, shared by the tests that only
# look or whose runs are refused (each checks that nothing changed): converged again only when
# the engine no longer is as that run left it, or a test said it changed what this does not see.
_DEPLOYED = {"fingerprint": None}


def deployment_fingerprint(engine):
    containers = sorted((c.name, c.id, c.status)
                        for c in engine.containers.list(all=True, filters={"label": MANAGED}))
    networks = sorted(n.id for n in engine.networks.list(names=["opt-clients"]))
    volumes = sorted(v.name for v in engine.volumes.list(filters={"label": MANAGED}))
    return containers, networks, volumes, firewall_rules()


def ensure_deployed(engine, tmp_dir):
    """acme and globex as the lab inventory declares them, deployed by one site.yml run."""
    if _DEPLOYED["fingerprint"] == deployment_fingerprint(engine):
        return engine
    clean_engine(engine)
    run = Inventory(tmp_dir / "inventory").playbook("site.yml", "--limit", "docker_hosts")
    assert run.rc == 0, run
    _DEPLOYED["fingerprint"] = deployment_fingerprint(engine)
    return engine


def deployment_changed():
    """A test changed the deployment in a way the fingerprint does not see (a vhost, a config)."""
    _DEPLOYED["fingerprint"] = None


@pytest.fixture
def deployed(engine, tmp_path_factory):
    return ensure_deployed(engine, tmp_path_factory.mktemp("deployed"))


@pytest.fixture
def inventory(tmp_path):
    return Inventory(tmp_path / "inventory")


def vaulted_value(path, name):
    """The clear text of a vaulted variable of the lab inventory (to look for it where it must not be)."""
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret
    block = yaml.safe_load(path.read_text().replace("!vault |", "|"))[name]
    password = (ROOT / "inventories" / "lab" / "vault-password.txt").read_bytes().strip()
    return VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(password))]).decrypt(block).decode()


def container_ip(container, network="opt-clients"):
    """(address, prefix, gateway) of a container on a network, as the Docker API reports it."""
    settings = container.attrs["NetworkSettings"]["Networks"][network]
    return settings["IPAddress"], settings["IPPrefixLen"], settings["Gateway"]


def engine_snapshot(engine):
    """What an operator would compare before/after a refused run."""
    containers = sorted((c.name, c.id, c.status, json.dumps(c.attrs["NetworkSettings"]["Networks"], sort_keys=True))
                        for c in engine.containers.list(all=True))
    networks = sorted((n.name, n.id, json.dumps(n.attrs["IPAM"], sort_keys=True)) for n in engine.networks.list())
    volumes = sorted(v.name for v in engine.volumes.list())
    return containers, networks, volumes, firewall_rules()


# --- the engine before and after a refused run -------------------------------------------------

IPTABLES_COUNTERS = re.compile(r" \[\d+:\d+\]$", re.M)
SNAPSHOT_PARTS = ("containers", "networks", "volumes", "firewall", "config files")


def ruleset():
    """Every table of the lab namespace's iptables (iptables-save), packet counters left out."""
    out = subprocess.run(["iptables-save"], capture_output=True, text=True, check=True, timeout=30).stdout
    return IPTABLES_COUNTERS.sub("", "\n".join(line for line in out.splitlines() if not line.startswith("#")))


def config_files(engine, image="coaxis/docker-opt:lab"):
    """{config volume: its files (path, mode, owner, sha256)} of every config volume the product made,
    read by one short-lived container that mounts them read-only."""
    names = sorted(v.name for v in engine.volumes.list(filters={"label": MANAGED})
                   if v.attrs.get("Labels", {}).get("coaxis.opt.volume") == "config")
    if not names:
        return {}
    # One line per regular file: path, mode, owner, sha256.
    script = "; ".join(f"echo '== {n}'; (cd /v/{n} && find . -type f | sort | while read -r p; do "
                       f"echo \"$(stat -c '%n %a %u:%g' \"$p\") $(sha256sum \"$p\" | cut -d' ' -f1)\"; done)"
                       for n in names)
    out = engine.containers.run(image, ["sh", "-c", script], entrypoint=[], user="0", network_mode="none",
                                remove=True, volumes={n: {"bind": f"/v/{n}", "mode": "ro"} for n in names})
    files, current = {}, None
    for line in out.decode().splitlines():
        if line.startswith("== "):
            current = files.setdefault(line[3:], [])
        elif current is not None:
            current.append(line)
    return files


def engine_state(engine):
    """Everything a refused run must leave as it was: containers (id, state, addresses), networks,
    volumes, the firewall (iptables-save of the namespace) and the files of the config volumes."""
    containers = sorted((c.name, c.id, c.status, json.dumps(c.attrs["NetworkSettings"]["Networks"], sort_keys=True))
                        for c in engine.containers.list(all=True))
    networks = sorted((n.name, n.id, json.dumps(n.attrs["IPAM"], sort_keys=True)) for n in engine.networks.list())
    volumes = sorted((v.name, json.dumps(v.attrs.get("Labels"), sort_keys=True)) for v in engine.volumes.list())
    return dict(zip(SNAPSHOT_PARTS, (containers, networks, volumes, ruleset(), config_files(engine))))


class EngineSnapshot:
    """engine_state() taken now; unchanged() asserts the engine is still so, part by part."""

    def __init__(self, engine):
        self.engine = engine
        self.before = engine_state(engine)

    def differences(self):
        after = engine_state(self.engine)
        return [part for part in SNAPSHOT_PARTS if after[part] != self.before[part]]

    def assert_unchanged(self):
        after = engine_state(self.engine)
        for part in SNAPSHOT_PARTS:
            assert after[part] == self.before[part], f"the run changed the engine's {part}"


@pytest.fixture
def snapshot(engine):
    """snapshot() takes the engine's state; .assert_unchanged() after a run that must change nothing."""
    return lambda: EngineSnapshot(engine)
