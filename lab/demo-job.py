"""The end of `make demo`: acme's tunnels as mast reports them, one test job printed, acme's
subdomain and the back-office asked through the edge proxy (what the admin interface, the portal,
receives), and a technician's first password for the back-office.

Runs inside the lab namespace, as if on the Docker host: the job goes to
<acme's IP>:<its first printer's listen port>, crosses the SSH tunnel to the site,
and the printer on the site's internal LAN stores it; the sha256 sent and stored
must match.
"""
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

import docker

CLIENT, IP, PORT = "acme", "10.128.0.10", 9101
DOMAIN, EDGE = "coaxis.test", "10.129.0.1"  # the lab's opt_domain; the Docker host on the Coaxis LAN
PRINTER = "lab-printer-lyon-1"
PAGE = (b"%!PS\n%% coaxis-opt demo page\n/Helvetica findfont 24 scalefont setfont\n"
        b"72 720 moveto (Hello from coaxis-opt) show showpage\n") * 64


def main():
    engine = docker.DockerClient(base_url=os.environ["DOCKER_HOST"])
    container = engine.containers.get(f"opt-{CLIENT}")
    deadline = time.monotonic() + 60
    while True:  # bounded: the tunnels come up within seconds of a (re)start
        state = json.loads(container.exec_run(["mast", "status", "--json"]).output)
        if all(site["state"] == "up" for site in state["sites"]) or time.monotonic() > deadline:
            break
        time.sleep(1)
    print(container.exec_run(["mast", "status"]).output.decode())
    spool = engine.containers.get(PRINTER)
    before = set(spool.exec_run(["ls", "/var/spool/printer"]).output.decode().split())
    with socket.create_connection((IP, PORT), timeout=10) as job:
        job.sendall(PAGE)
        job.shutdown(socket.SHUT_WR)
        job.recv(1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        new = set(spool.exec_run(["ls", "/var/spool/printer"]).output.decode().split()) - before - {""}
        if new:
            name = sorted(new)[-1]
            stored = spool.exec_run(["sha256sum", f"/var/spool/printer/{name}"]).output.decode().split()[0]
            sent = hashlib.sha256(PAGE).hexdigest()
            verdict = "delivered, byte-identical" if stored == sent else "CORRUPTED"
            print(f"test job: {len(PAGE)} bytes to {IP}:{PORT} -> {PRINTER}:{name} {verdict} (sha256 {sent[:16]})")
            if stored != sent:
                sys.exit(1)
            show_subdomain()
            return
        time.sleep(0.3)
    sys.exit(f"test job: nothing arrived at {PRINTER} within 20 s")


PORTAL = "opt-portal"  # the portal's web server (playbooks/portal.yml)
TECHNICIAN = "tech@coaxis.test"


def through_the_edge(host, path):
    """What the portal's /healthz says of a request to host through the edge, as a browser on the
    Coaxis LAN would ask it; (the curl command, the portal's answer or None)."""
    ca = os.path.join(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"), "tls", "wildcard.crt")
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", ca, "--resolve", f"{host}:443:{EDGE}", f"https://{host}{path}"]
    answer = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    try:
        return cmd, json.loads(answer.stdout)
    except ValueError:
        return cmd, None


def show_subdomain():
    """acme.coaxis.test and opt.coaxis.test through the edge proxy, and the technician's login."""
    _, seen = through_the_edge(f"{CLIENT}.{DOMAIN}", "/healthz/")
    client = (seen or {}).get("client")
    print(f"admin interface, client {CLIENT}: https://{CLIENT}.{DOMAIN}/ reaches the portal as {client or 'NOTHING'}"
          f" (X-OPT-Client signature {'verified' if client == CLIENT else 'NOT verified'})")
    cmd, seen = through_the_edge(f"opt.{DOMAIN}", "/healthz")
    state = (seen or {}).get("status", "NOT reached")
    print(f"admin interface, back-office: https://opt.{DOMAIN}/ ({state})")
    print("  try it: lab/engine.sh exec -- " + " ".join(cmd[:-1]).replace(" -sS --max-time 10", "")
          + f" https://opt.{DOMAIN}/accounts/login/")
    password = technician_password()
    if password:
        print(f"  technician: {TECHNICIAN} / {password}")


def technician_password():
    """The first technician's password: made once in the portal (manage.py createtechnician), kept in
    the lab's state directory (0600) so that every later demo prints it again."""
    kept = os.path.join(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"), "portal-technician")
    if os.path.exists(kept):
        with open(kept, encoding="utf-8") as handle:
            return handle.read().strip()
    web = docker.DockerClient(base_url=os.environ["DOCKER_HOST"]).containers.get(PORTAL)
    for extra in ([], ["--reset-password"]):  # the account exists but its password was not kept
        result = web.exec_run(["opt-portal", "createtechnician", "--email", TECHNICIAN, *extra])
        output = result.output.decode(errors="replace").strip()
        if result.exit_code != 0:
            print(f"  technician: not created ({output.splitlines()[-1] if output else result.exit_code})")
            return None
        if "password" in output:
            password = output.split()[-1]
            descriptor = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(password + "\n")
            return password
    return None


if __name__ == "__main__":
    main()
