"""The end of `make demo`: acme's tunnels as mast reports them, and one test job printed.

Runs inside the lab namespace, as if on the Docker host: the job goes to
<acme's IP>:<its first printer's listen port>, crosses the SSH tunnel to the site,
and the printer on the site's internal LAN stores it; the sha256 sent and stored
must match.
"""
import hashlib
import json
import os
import socket
import sys
import time

import docker

CLIENT, IP, PORT = "acme", "10.128.0.10", 9101
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
            sys.exit(0 if stored == sent else 1)
        time.sleep(0.3)
    sys.exit(f"test job: nothing arrived at {PRINTER} within 20 s")


if __name__ == "__main__":
    main()
