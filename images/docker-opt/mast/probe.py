"""`mast probe`: is each site reachable, and is each printer reachable *from the site*?

A local listen port accepts even when the far side is down, so printers are checked through
the site's sshd: a `direct-tcpip` channel (ssh -W) that the sshd answers with success or
"open failed: connect failed: <reason>". Nothing is sent to the printer (the channel is closed
at once), so a probe never prints a page.
"""

import datetime
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

TCP_TIMEOUT, PING_TIMEOUT, SSH_TIMEOUT = 3.0, 3.0, 8.0
MAX_WORKERS = 16
OPEN_CONFIRM = re.compile(r"channel \d+: open confirm")
OPEN_FAILED = re.compile(r"channel \d+: open failed: (.*)$")


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(start):
    return round((time.monotonic() - start) * 1000, 1)


def result(state, ms=None, error=None):
    return {"state": state, "ms": ms, "error": error}


def _reason(exc):
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def tcp_check(host, port, timeout=TCP_TIMEOUT):
    """The "telnet" check: a TCP connect to the site's SSH port."""
    start = time.monotonic()
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.timeout:
        return result("down", error=f"timed out after {timeout:g} s")
    except OSError as e:
        return result("down", error=_reason(e))
    return result("up", _ms(start))


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(seq, payload=b"mast-probe"):
    # The kernel rewrites the identifier of a ping socket; the checksum is ours to give.
    header = struct.pack("!BBHHH", 8, 0, 0, 0, seq)
    return struct.pack("!BBHHH", 8, 0, _checksum(header + payload), 0, seq) + payload


def ping_check(host, timeout=PING_TIMEOUT, seq=1):
    """ICMP echo through an unprivileged ping socket (needs net.ipv4.ping_group_range)."""
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    except OSError as e:
        return result("unsupported", error=f"ICMP socket refused ({_reason(e)}): "
                                           "net.ipv4.ping_group_range must include this group")
    start = time.monotonic()
    deadline = start + timeout
    try:
        addr = socket.gethostbyname(host)
        sock.sendto(echo_request(seq), (addr, 0))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return result("down", error=f"no reply after {timeout:g} s")
            sock.settimeout(left)
            data, peer = sock.recvfrom(2048)
            # Ping sockets hand over the ICMP message without the IP header.
            if peer[0] == addr and len(data) >= 8 and data[0] == 0 and struct.unpack("!H", data[6:8])[0] == seq:
                return result("up", _ms(start))
    except socket.timeout:
        return result("down", error=f"no reply after {timeout:g} s")
    except OSError as e:
        return result("down", error=_reason(e))
    finally:
        sock.close()


def ssh_command(site, printer, connect_timeout):
    """ssh -W with the tunnel's own key, user, port, known_hosts and options."""
    # -vv: the sshd's answer to the channel ("open confirm") is only shown at debug2.
    return ["ssh", "-vv",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={site['known_hosts']}",
            "-o", "IdentitiesOnly=yes",
            "-o", f"IdentityFile={site['identity_file']}",
            "-o", f"ConnectTimeout={connect_timeout}",
            "-p", str(site["port"]),
            "-W", f"{printer['address']}:{printer['port']}",
            f"{site['user']}@{site['host']}"]


def classify_ssh(lines, returncode):
    """(state, error) from ssh -vv's stderr lines and its exit code (None: still running).

    up: the site's sshd confirmed the channel; down: it said why the printer is not reachable;
    unknown: ssh failed before a channel (host key, auth, timeout), with ssh's own message."""
    for line in lines:
        if OPEN_CONFIRM.search(line):
            return "up", None
        m = OPEN_FAILED.search(line)
        if m:
            return "down", m.group(1).strip()
    if returncode == 0:
        return "up", None  # the printer closed the channel after our EOF: it was open
    said = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("debug")
            and not ln.startswith("OpenSSH_")]
    if returncode is None:
        return "unknown", None
    return "unknown", said[-1] if said else f"ssh exited with status {returncode}"


def timed_out(lines, printer, timeout):
    """No verdict within the time box. Once the site has let us in, a channel still pending
    means its own connect to the printer gets no answer (a printer gone from the LAN whose ARP
    entry is stale at the site: the SYNs go nowhere for ~2 minutes): the printer is down.
    Before that, the site itself did not answer in time."""
    if any(line.startswith("Authenticated to ") for line in lines):
        return "down", (f"no answer from {printer['address']}:{printer['port']} at the site "
                        f"within {timeout:g} s")
    return "unknown", f"ssh: no answer from the site within {timeout:g} s"


def printer_check(site, printer, timeout=SSH_TIMEOUT):
    connect_timeout = max(1, min(int(site.get("connect_timeout", 5)), int(timeout)))
    start = time.monotonic()
    try:
        proc = subprocess.Popen(ssh_command(site, printer, connect_timeout), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return result("unknown", error=f"cannot run ssh: {_reason(e)}")
    lines, buf = [], b""
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    state = error = None
    try:
        while state is None:
            left = start + timeout - time.monotonic()
            if left <= 0:
                state, error = timed_out(lines, printer, timeout)
                break
            if not sel.select(left):
                continue
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                proc.wait(timeout=max(0.1, start + timeout - time.monotonic()))
                state, error = classify_ssh(lines + [buf.decode("utf-8", "replace")], proc.returncode)
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            lines += [ln.decode("utf-8", "replace").rstrip("\r") for ln in done]
            found = classify_ssh(lines, None)
            if found[0] != "unknown":
                state, error = found
    except subprocess.TimeoutExpired:
        state, error = timed_out(lines, printer, timeout)
    finally:
        sel.close()
        if proc.poll() is None:
            # The answer is in: close the channel (and ssh) now instead of waiting for the printer.
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=2)
        proc.stderr.close()
    return result(state, _ms(start) if state == "up" else None, error)


def probe_sites(sites, tcp_timeout=TCP_TIMEOUT, ping_timeout=PING_TIMEOUT, ssh_timeout=SSH_TIMEOUT,
                checks=None):
    """Every check of every site at once (one slow site does not delay the others).

    sites: {name: validated site config}. checks: overrides of tcp/ping/printer (tests)."""
    checks = dict({"tcp": tcp_check, "ping": ping_check, "printer": printer_check}, **(checks or {}))
    names = sorted(sites)
    jobs = []
    for name in names:
        site = sites[name]
        jobs.append((name, "tcp", None, lambda s=site: checks["tcp"](s["host"], s["port"], tcp_timeout)))
        jobs.append((name, "ping", None, lambda s=site: checks["ping"](s["host"], ping_timeout)))
        for p in site["printers"]:
            jobs.append((name, "printer", p["name"], lambda s=site, p=p: checks["printer"](s, p, ssh_timeout)))
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_WORKERS, len(jobs)))) as pool:
        futures = [(job, pool.submit(job[3])) for job in jobs]
        outcome = {}
        for (name, kind, printer, _), fut in futures:
            try:
                outcome[(name, kind, printer)] = fut.result()
            except Exception as e:  # a bug in one check must not hide the others
                outcome[(name, kind, printer)] = result("unknown", error=f"probe error: {e}")
    report = []
    for name in names:
        site = sites[name]
        printers = []
        for p in site["printers"]:
            r = outcome[(name, "printer", p["name"])]
            printers.append({"name": p["name"], "address": p["address"], "port": p["port"],
                             "listen_port": p["listen_port"], "state": r["state"], "error": r["error"]})
        report.append({"site": name, "host": site["host"], "port": site["port"],
                       "tcp": outcome[(name, "tcp", None)], "ping": outcome[(name, "ping", None)],
                       "printers": printers})
    return report


def render(report):
    """Human table of a probe report."""
    lines = [f"{'SITE':<20} {'TCP':<6} {'PING':<12} ERROR"]
    for s in report["sites"]:
        err = "; ".join(e for e in (s["tcp"]["error"], s["ping"]["error"]) if e) or "-"
        lines.append(f"{s['site']:<20} {s['tcp']['state']:<6} {s['ping']['state']:<12} {err}")
        for p in s["printers"]:
            lines.append(f"  {p['name']:<18} {p['address']}:{p['port']} (:{p['listen_port']})  "
                         f"{p['state']}" + (f"  {p['error']}" if p["error"] else ""))
    for e in report.get("config_error") or []:
        lines.append(f"CONFIG ERROR {e}")
    lines.append(f"checked at {report['checked_at']}")
    return "\n".join(lines)
