"""Lab-side helpers for the tunnel tests and benchmarks: site configs on a client's volume, jobs
from the Coaxis host, what the printers received, and the lab path from the Coaxis LAN to the
client network.

Writing the configs here stands in for the product's config renderer (it drives mast
directly, with the lab's test key): same archive, same put_archive into a short-lived
container that mounts the volume read-write.
"""
import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

# The same archive the product's config renderer writes (owners, modes, parent directories).
from ansible_collections.coaxis.opt.plugins.module_utils._configapply import build_archive
# The site file as the product writes it (the one contract, plugins/module_utils/_siteschema.py).
from ansible_collections.coaxis.opt.plugins.module_utils._configplan import site_document

ROOT = Path(__file__).resolve().parents[1]
LAB_STATE = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"))
KEYS = LAB_STATE / "keys"
MAST_UID = 10001
COAXIS_HOST = "lab-coaxis-1"
CLIENT_SUBNET = "10.128.0.0/16"
DOCKER_HOST_ON_COAXIS_LAN = "10.129.0.1"

SITES = {
    "lyon": {"host": "10.130.0.10", "printers": [
        {"name": "accueil", "address": "10.131.1.20", "port": 9100, "listen_port": 9101},
        {"name": "compta", "address": "10.131.1.21", "port": 9100, "listen_port": 9102}]},
    "paris": {"host": "10.130.0.11", "printers": [
        {"name": "atelier", "address": "10.131.2.20", "port": 9100, "listen_port": 9201}]},
}
PRINTER_CONTAINER = {"10.131.1.20": "lab-printer-lyon-1", "10.131.1.21": "lab-printer-lyon-2",
                     "10.131.2.20": "lab-printer-paris-1"}


def site_config(name, **overrides):
    """The document of sites/<name>.json as coaxis.opt.opt_config renders it (defaults filled)."""
    site = SITES[name]
    return site_document({"name": name, "host": site["host"], "printers": [dict(p) for p in site["printers"]],
                          **overrides})


def write_config(engine, client, sites, known_hosts=None, remove=()):
    """Write site configs, the tunnel key and known_hosts onto the client's config volume."""
    def entry(content, mode):
        return {"content": content, "mode": mode, "uid": MAST_UID, "gid": MAST_UID}

    files = {f"sites/{s['name']}.json": entry(json.dumps(s, indent=2), 0o644) for s in sites}
    files["ssh/id_ed25519"] = entry((KEYS / "tunnel_ed25519").read_bytes(), 0o600)
    files["ssh/known_hosts"] = entry(known_hosts or (KEYS / "known_hosts").read_text(), 0o644)
    command = ["sh", "-c", " ".join(f"rm -f /cfg/sites/{name}.json;" for name in remove) or "true"]
    helper = engine.containers.create("coaxis/docker-opt:lab", command, entrypoint=[], user="0",
                                      network_mode="none", volumes={f"opt-{client}-config": {"bind": "/cfg"}})
    try:
        helper.put_archive("/cfg", build_archive(files))
        if remove:
            helper.start()
            helper.wait(timeout=30)
    finally:
        helper.remove(force=True)


def mast(engine, client, *args):
    result = engine.containers.get(f"opt-{client}").exec_run(["mast", *args])
    return result.exit_code, result.output.decode()


def status(engine, client):
    code, out = mast(engine, client, "status", "--json")
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return {}  # the daemon is (re)starting: its control socket does not answer yet
    sites = data["sites"] if isinstance(data, dict) else data
    return {site["site"]: site for site in sites}


def wait_state(engine, client, site, state, timeout=30):
    deadline = time.monotonic() + timeout
    current = None
    while time.monotonic() < deadline:
        current = status(engine, client).get(site)
        if current and current["state"] == state:
            return current
        time.sleep(0.5)
    raise AssertionError(f"{client}/{site} not {state} after {timeout} s: {current}")


SEND = r'''
import hashlib, json, os, socket, sys, time
host, port, size, rate_hint = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = os.urandom(size)
result = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": size}
start = time.monotonic()
try:
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(float(rate_hint))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    tail = s.recv(1)  # b"" on a normal close, after the printer has it all
    result["closed"] = "normal" if tail == b"" else "data"
except OSError as exc:
    result["error"] = f"{type(exc).__name__}: {exc}"
result["elapsed"] = time.monotonic() - start
print(json.dumps(result))
'''


def two_sites_by_hand(engine, client="acme"):
    """The client's sites lyon and paris written onto its config volume by hand, mast reloaded, both up."""
    write_config(engine, client, [site_config("lyon"), site_config("paris")])
    assert mast(engine, client, "reload")[0] == 0
    for site in ("lyon", "paris"):
        wait_state(engine, client, site, "up")


def send_job(engine, target_ip, port, size, timeout=120):
    """Send `size` random bytes from the Coaxis host to target_ip:port; return what the sender saw."""
    result = engine.containers.get(COAXIS_HOST).exec_run(
        ["python3", "-c", SEND, target_ip, str(port), str(size), str(timeout)])
    return json.loads(result.output.decode().strip().splitlines()[-1])


CONNECT = r'''
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
    print("open")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError as exc:
    print(type(exc).__name__ + ": " + str(exc))
'''


def connect_from(engine, container, ip, port, timeout=3):
    """What a TCP connect from inside `container` to ip:port gives: open, refused, timeout or the error."""
    result = engine.containers.get(container).exec_run(["python3", "-c", CONNECT, ip, str(port), str(timeout)])
    return result.output.decode().strip().splitlines()[-1]


def printer_jobs(engine, printer_ip):
    """{file name: sha256} of the jobs a printer stored."""
    container = engine.containers.get(PRINTER_CONTAINER[printer_ip])
    out = container.exec_run(["sh", "-c", "cd /var/spool/printer && sha256sum job-*.bin 2>/dev/null"]).output
    return {line.split()[1]: line.split()[0] for line in out.decode().splitlines() if line.strip()}


def wait_job(engine, printer_ip, before, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = {k: v for k, v in printer_jobs(engine, printer_ip).items() if k not in before}
        if new:
            return new
        time.sleep(0.3)
    return {}


def routes(*args):
    """playbooks/routes.yml on the lab inventory (the Coaxis host, over SSH)."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(ROOT / "playbooks" / "routes.yml"),
                           *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


ROUTES_UNIT = "coaxis-opt-routes"
ROUTES_UNIT_FILE = f"/etc/systemd/system/{ROUTES_UNIT}.service"


def remove_coaxis_routes(container):
    """Take the Coaxis host back to no route to the client subnet and no unit, without a playbook run."""
    script = (f"systemctl disable --now {ROUTES_UNIT} 2>/dev/null; rm -f {ROUTES_UNIT_FILE}; systemctl daemon-reload; "
              f"while ip route del {CLIENT_SUBNET} 2>/dev/null; do :; done")
    container.exec_run(["sh", "-c", script])


def open_coaxis_path(engine):
    """The product's path from the Coaxis host to the clients: its route (routes.yml); the
    firewall rules come with add_client.yml (coaxis.opt.opt_firewall)."""
    run = routes()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr


def close_coaxis_path(engine):
    run = routes("-e", "state=absent")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr


def coaxis_route(engine):
    """The Coaxis host's route to the client subnet as `ip route` prints it, or None."""
    result = engine.containers.get(COAXIS_HOST).exec_run(["ip", "-4", "route", "show", "exact", CLIENT_SUBNET])
    return result.output.decode().strip() or None


@contextlib.contextmanager
def coaxis_path_opened(engine):
    """The path open for a block (open_coaxis_path), then put back as it was found: closed again
    only when it was closed before. A tool that changes the lab leaves it as it found it."""
    was_open = coaxis_route(engine) is not None
    open_coaxis_path(engine)
    try:
        yield
    finally:
        if not was_open:
            close_coaxis_path(engine)
