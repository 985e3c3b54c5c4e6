"""`mast health`, the container's HEALTHCHECK, and the control-socket client it shares with the CLI.

Docker runs `mast health` in every client container every minute. Through the whole command
line (argparse, the probes, asyncio) it cost about 90 ms of CPU; with hundreds of clients on
one Docker host the health checks were most of the host's idle load. `python3 -m mast health`
therefore comes here straight (__main__.py), importing only the socket, json and the verdict.
"""

import json
import socket
import sys

from mast.status import healthy

EXIT_OK, EXIT_NOT_UP, EXIT_USAGE, EXIT_NO_DAEMON = 0, 1, 2, 3
RUN_DIR = "/run/mast"


class NoDaemon(Exception):
    pass


def request(run_dir, req, timeout=30.0):
    path = f"{run_dir}/mast.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except (FileNotFoundError, ConnectionRefusedError) as e:
        raise NoDaemon(f"mast daemon is not running ({path}: {e.strerror})")
    try:
        s.sendall(json.dumps(req).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    return json.loads(buf)


def ask(run_dir, req):
    """(the daemon's reply, None), or (None, exit code) once stderr says why there is none."""
    try:
        resp = request(run_dir, req)
    except NoDaemon as e:
        print(e, file=sys.stderr)
        return None, EXIT_NO_DAEMON
    except (OSError, ValueError) as e:
        print(f"mast: control socket error: {e}", file=sys.stderr)
        return None, EXIT_NOT_UP
    if not resp.get("ok"):
        print(f"mast: {resp.get('error')}", file=sys.stderr)
        for line in resp.get("errors", []):
            print(f"  {line}", file=sys.stderr)
    return resp, None


def verdict(status):
    """(exit code, the line `mast health` prints) for a status reply."""
    if healthy(status):
        return EXIT_OK, "healthy"
    bad = [f"{s['site']} {s['state']}" for s in status["sites"]
           if s["state"] != "up" and not s.get("operator_stopped")]
    if status.get("config_error"):
        bad.append("configuration invalid")
    return EXIT_NOT_UP, "unhealthy: " + ", ".join(bad)


def main(run_dir=RUN_DIR):
    resp, code = ask(run_dir, {"cmd": "status", "sites": []})
    if resp is None:
        return code
    if not resp.get("ok"):
        return EXIT_NOT_UP
    code, line = verdict(resp)
    print(line)
    return code
