"""The end of `make demo`: acme's tunnels as mast reports them, one test job printed, and
acme's subdomain asked through the edge proxy (what the admin interface receives).

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


def show_subdomain():
    """acme.coaxis.test through the edge proxy, as a browser on the Coaxis LAN would ask it."""
    ca = os.path.join(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"), "tls", "wildcard.crt")
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", ca, "--resolve", f"{CLIENT}.{DOMAIN}:443:{EDGE}",
           f"https://{CLIENT}.{DOMAIN}/"]
    answer = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    try:
        seen = json.loads(answer.stdout)
        client, verified = seen["headers"].get("X-OPT-Client"), seen.get("verified_client")
    except (ValueError, KeyError):
        client = verified = None
    print(f"admin interface: https://{CLIENT}.{DOMAIN}/ reached the admin stand-in with X-OPT-Client: {client}"
          f" (signature {'verified' if verified == client and client else 'NOT verified'})")
    print("  try it: lab/engine.sh exec -- " + " ".join(cmd[:-1]).replace(" -sS --max-time 10", "") + f" {cmd[-1]}")


if __name__ == "__main__":
    main()
