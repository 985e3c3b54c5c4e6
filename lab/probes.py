"""Reachability probes that can fail: a real listener where a test probes, a source on the
Coaxis LAN that is not a Coaxis host, and ways to show a probe getting through when the
product's rule is taken away (so a "refused" means the rule refused it).

Every listener and container here is bounded in time and lives on the lab's own networks.
"""
import contextlib
import json
import os
import subprocess
import time

from lab.paths import ROOT, connect_from

NODE_IMAGE = "coaxis-lab/node:lab"
LISTEN_SECONDS = 90
# A bounded TCP listener: accepts (and closes) connections until its time is up. It prints its pid
# first, so the test ends it by id.
LISTEN = r'''
import os, socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", port))
server.listen(16)
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    server.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        conn, _ = server.accept()
        conn.close()
    except OSError:
        pass
'''


def iptables(*args, check=True):
    """iptables of the lab namespace (the tests run inside it, as on the Docker host)."""
    return subprocess.run(["iptables", "-w", "5", *args], capture_output=True, text=True, check=check)


@contextlib.contextmanager
def listening(engine, container, port, seconds=LISTEN_SECONDS):
    """A real TCP listener on `port` inside `container` for the block (at most `seconds`)."""
    target = engine.containers.get(container)
    started = target.exec_run(["sh", "-c", 'python3 -c "$0" "$1" "$2" >/dev/null 2>&1 & echo $!',
                               LISTEN, str(port), str(seconds)])
    pid = started.output.decode().strip().splitlines()[-1]
    assert pid.isdigit(), started.output
    try:
        deadline = time.monotonic() + 10
        while connect_from(engine, container, "127.0.0.1", port, timeout=1) != "open":
            assert time.monotonic() < deadline, f"no listener on {container}:{port}"
            time.sleep(0.2)
        yield
    finally:
        target.exec_run(["kill", pid])


@contextlib.contextmanager
def host_listening(ports):
    """Listeners of the Docker host itself (the tests run in its namespace) on every address."""
    import socket
    servers = []
    try:
        for port in ports:
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("0.0.0.0", port))
            server.listen(8)
            servers.append(server)
        yield [server.getsockname()[1] for server in servers]
    finally:
        for server in servers:
            server.close()


@contextlib.contextmanager
def lan_source(engine, address, network="lab-coaxis-lan", name="lab-probe-coaxis-lan"):
    """A short-lived host on the lab's Coaxis LAN that is not a Coaxis host (default route: the
    Docker host, as any machine of that LAN that knows the client subnet)."""
    with contextlib.suppress(Exception):
        engine.containers.get(name).remove(force=True)
    created = engine.api.create_container(
        NODE_IMAGE, entrypoint=["python3", "-c", "import time; time.sleep(300)"], name=name,
        labels={"coaxis.lab": "1", "coaxis.lab.probe": "1"},
        host_config=engine.api.create_host_config(network_mode=network, auto_remove=False),
        networking_config=engine.api.create_networking_config(
            {network: engine.api.create_endpoint_config(ipv4_address=address)}))
    try:
        engine.api.start(created["Id"])
        yield name
    finally:
        engine.api.remove_container(created["Id"], force=True)


PERMISSIVE_TAG = "coaxis-test-permissive-engine"


@contextlib.contextmanager
def permissive_engine(bridge="opt-clients"):
    """Stand in for an engine that lets everything through to and from the client bridge (a
    FORWARD policy ACCEPT, no isolation chains): two ACCEPTs in DOCKER-USER right after the jump
    to our chain. Whatever our chain does not decide is then accepted."""
    rules = [[flag, bridge, "-m", "comment", "--comment", PERMISSIVE_TAG, "-j", "ACCEPT"] for flag in ("-o", "-i")]
    assert iptables("-S", "DOCKER-USER").stdout.splitlines()[1] == "-A DOCKER-USER -j COAXIS-OPT"
    for rule in rules:
        iptables("-I", "DOCKER-USER", "2", *rule)
    try:
        yield
    finally:
        for rule in rules:
            while iptables("-D", "DOCKER-USER", *rule, check=False).returncode == 0:
                pass


@contextlib.contextmanager
def our_chain_bypassed(engine):
    """Take our rules away for the block: the firewall container paused (it would put its jump
    back within seconds) and the DOCKER-USER jump to COAXIS-OPT removed; both restored after."""
    firewall = engine.containers.get("opt-firewall")
    firewall.pause()
    try:
        iptables("-D", "DOCKER-USER", "-j", "COAXIS-OPT")
        yield
    finally:
        if iptables("-C", "DOCKER-USER", "-j", "COAXIS-OPT", check=False).returncode != 0:
            iptables("-I", "DOCKER-USER", "1", "-j", "COAXIS-OPT")
        firewall.unpause()


def run_module(module, args):
    """One module of the collection, ad hoc on the Docker host (the lab namespace): its result."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json"}
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "localhost", "-i", "localhost,", "-c", "local",
                           "-e", f"ansible_python_interpreter={ROOT / '.venv' / 'bin' / 'python'}",
                           "-m", module, "-a", json.dumps(args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout[proc.stdout.index("{"):])
    return data["plays"][0]["tasks"][0]["hosts"]["localhost"]
