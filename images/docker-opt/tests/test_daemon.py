"""The daemon: actions and reloads serialised (one autossh per site whatever the interleaving),
malformed control requests answered with an error, SIGHUP at start-up harmless."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mast import daemon, health, tunnel

MAST_ROOT = Path(__file__).resolve().parents[1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def write_site(cfg, name, keepalive_count=2):
    site = {"name": name, "host": "127.0.0.1", "keepalive_count": keepalive_count,
            "printers": [{"name": "p1", "address": "10.0.0.5", "listen_port": free_port()}]}
    path = cfg / "sites" / f"{name}.json"
    if path.exists():   # keep the ports: only what the test changes changes
        old = json.loads(path.read_text())
        site["printers"] = old["printers"]
    path.write_text(json.dumps(site))


def make_config(tmp_path, sites=("lyon", "paris")):
    cfg = tmp_path / "etc"
    (cfg / "sites").mkdir(parents=True)
    (cfg / "mast.json").write_text(json.dumps({"nginx": False, "listen_address": "127.0.0.1"}))
    for s in sites:
        write_site(cfg, s)
    return cfg


def fake_autossh(marker):
    """autossh stand-in: a process that lives until signalled, named by marker and site."""
    def build(site, sockdir):
        return [sys.executable, "-c", "import time; time.sleep(120)", "fake-autossh", marker, site["name"]]
    return build


def live_processes(marker):
    """{site: [pid, ...]} of the fake autossh processes of this test that are alive."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in argv and tunnel.pid_alive(int(d)):
            out.setdefault(argv[argv.index(marker.encode()) + 1].decode(), []).append(int(d))
    return out


def kill_leftovers(marker):
    for pids in live_processes(marker).values():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    marker = f"mast-test-{os.getpid()}-{time.monotonic_ns()}"
    monkeypatch.setattr(tunnel, "build_command", fake_autossh(marker))
    cfg = make_config(tmp_path)
    yield cfg, tmp_path / "run", tmp_path / "log", marker
    kill_leftovers(marker)


async def started(d):
    task = asyncio.get_running_loop().create_task(d.run())
    for _ in range(200):
        if d.server is not None and len(d.sites) == 2:
            break
        await asyncio.sleep(0.02)
    return task


async def wait_for_processes(marker, want, timeout=5.0):
    t0 = time.monotonic()
    while True:
        got = {k: len(v) for k, v in live_processes(marker).items()}
        if got == want or time.monotonic() - t0 > timeout:
            return got
        await asyncio.sleep(0.05)


def test_restart_racing_reload_leaves_one_autossh_per_site(dirs):
    cfg, run_dir, log_dir, marker = dirs

    async def main():
        d = daemon.Daemon(str(cfg), str(run_dir), str(log_dir))
        task = await started(d)
        errors = []
        for i in range(12):
            write_site(cfg, "lyon", keepalive_count=3 if i % 2 == 0 else 2)   # the reload restarts lyon
            reqs = [d.dispatch("restart", ["lyon"]), d.dispatch("reload", []),
                    d.dispatch("stop", ["lyon"]), d.dispatch("restart", []), d.dispatch("start", ["lyon"])]
            if i % 3 == 0:
                os.kill(os.getpid(), signal.SIGHUP)
            for r in await asyncio.gather(*reqs, return_exceptions=True):
                if isinstance(r, BaseException) or not r.get("ok"):
                    errors.append(repr(r))
        await d.dispatch("start", [])
        got = await wait_for_processes(marker, {"lyon": 1, "paris": 1})
        for _ in range(100):   # the last spawn may still be returning its process
            tracked = {n: [s.tunnel.proc.pid] for n, s in d.sites.items() if s.tunnel.proc}
            live = live_processes(marker)
            if tracked == live:
                break
            await asyncio.sleep(0.05)
        d._request_stop()
        await asyncio.wait_for(task, 20)
        after = await wait_for_processes(marker, {})
        return errors, got, tracked, live, after
    errors, got, tracked, live, after = asyncio.run(asyncio.wait_for(main(), 120))
    assert errors == []
    assert got == {"lyon": 1, "paris": 1}, got
    assert tracked == live   # the one running is the one mast tracks
    assert after == {}


def test_stop_right_after_start_leaves_no_autossh(dirs):
    """A stop while the autossh of a start is being spawned must not orphan it."""
    cfg, run_dir, log_dir, marker = dirs

    async def main():
        d = daemon.Daemon(str(cfg), str(run_dir), str(log_dir))
        task = await started(d)
        for _ in range(10):
            await d.dispatch("stop", ["lyon"])
            await asyncio.gather(d.dispatch("start", ["lyon"]), d.dispatch("stop", ["lyon"]))
        got = await wait_for_processes(marker, {"paris": 1})
        d._request_stop()
        await asyncio.wait_for(task, 20)
        return got
    assert asyncio.run(asyncio.wait_for(main(), 120)) == {"paris": 1}


# --- the control socket ------------------------------------------------------------------

def ask_raw(sock_path, payload, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    try:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    return buf


MALFORMED = [
    ("not json", b"hello\n"),
    ("not utf-8", b"\xff\xfe{}\n"),
    ("not an object", b"[1, 2]\n"),
    ("empty line", b"\n"),
    ("unknown action", b'{"cmd": "fly"}\n'),
    ("action not a string", b'{"cmd": 5}\n'),
    ("sites not a list", b'{"cmd": "start", "sites": "lyon"}\n'),
    ("site not a string", b'{"cmd": "start", "sites": [1]}\n'),
    ("site a list", b'{"cmd": "status", "sites": [["lyon"]]}\n'),
    ("oversized", b'{"cmd": "status", "sites": ["' + b"x" * (1 << 20) + b'"]}\n'),
    ("oversized without newline", b"x" * (1 << 20)),
]


@pytest.mark.parametrize("why,payload", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_request_gets_a_json_error(dirs, why, payload):
    cfg, run_dir, log_dir, marker = dirs

    async def main():
        d = daemon.Daemon(str(cfg), str(run_dir), str(log_dir))
        task = await started(d)
        loop = asyncio.get_running_loop()
        raw = await loop.run_in_executor(None, ask_raw, d.sock_path, payload)
        ping = await loop.run_in_executor(None, ask_raw, d.sock_path, b'{"cmd": "ping"}\n')
        d._request_stop()
        await asyncio.wait_for(task, 20)
        return raw, ping
    raw, ping = asyncio.run(asyncio.wait_for(main(), 60))
    assert raw.endswith(b"\n"), f"{why}: no reply ({raw[:80]!r})"
    reply = json.loads(raw)
    assert reply["ok"] is False and isinstance(reply["error"], str) and reply["error"], reply
    assert json.loads(ping) == {"ok": True}   # the daemon lives on


def test_the_client_reports_the_daemons_error(dirs, capsys):
    cfg, run_dir, log_dir, marker = dirs

    async def main():
        d = daemon.Daemon(str(cfg), str(run_dir), str(log_dir))
        task = await started(d)
        loop = asyncio.get_running_loop()
        resp = await loop.run_in_executor(None, health.ask, str(run_dir), {"cmd": "restart", "sites": [7]})
        d._request_stop()
        await asyncio.wait_for(task, 20)
        return resp
    resp, code = asyncio.run(asyncio.wait_for(main(), 60))
    assert code is None and resp["ok"] is False
    assert "sites" in capsys.readouterr().err


# --- SIGHUP at start-up --------------------------------------------------------------------

def sig_masks(pid):
    """(blocked, ignored) signal masks of a process, from /proc."""
    blk = ign = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("SigBlk:"):
                blk = int(line.split()[1], 16)
            elif line.startswith("SigIgn:"):
                ign = int(line.split()[1], 16)
    return blk, ign


HUP_BIT = 1 << (signal.SIGHUP - 1)


def test_sighup_during_start_up_does_not_kill_the_daemon(tmp_path):
    """From its first line, mast holds SIGHUP back until its handler is in place (then the
    reload it asked for happens); the children it starts get SIGHUP unblocked."""
    cfg = make_config(tmp_path, sites=())
    run_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(MAST_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "mast", "daemon", "--config-dir", str(cfg),
                             "--run-dir", str(run_dir), "--log-dir", str(tmp_path / "log")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Wait until mast's code runs (SIGHUP held back), then send SIGHUP until the daemon answers.
        t0 = time.monotonic()
        held = False
        while time.monotonic() - t0 < 10 and proc.poll() is None:
            try:
                blk, ign = sig_masks(proc.pid)
            except OSError:
                break
            if (blk | ign) & HUP_BIT:
                held = True
                break
            time.sleep(0.0005)
        assert held, "SIGHUP is neither blocked nor ignored while mast starts"
        sent = 0
        answered = False
        while time.monotonic() - t0 < 20 and proc.poll() is None:
            proc.send_signal(signal.SIGHUP)
            sent += 1
            if (run_dir / "mast.sock").exists():
                try:
                    answered = health.request(str(run_dir), {"cmd": "ping"}, timeout=2) == {"ok": True}
                except (OSError, ValueError, health.NoDaemon):   # bound, not yet listening
                    answered = False
                if answered:
                    break
            time.sleep(0.002)
        for _ in range(5):
            proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        assert proc.poll() is None, f"mast died (status {proc.returncode}) after {sent} SIGHUP at start-up"
        assert answered
        blk, _ = sig_masks(proc.pid)
        assert not blk & HUP_BIT, "SIGHUP still blocked once the handler is in place"
        status = health.request(str(run_dir), {"cmd": "status", "sites": []}, timeout=5)
        assert status["ok"]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_the_printers_of_a_site_share_its_connection_cap(dirs):
    cfg, run_dir, log_dir, marker = dirs
    from mast import relay

    async def main():
        d = daemon.Daemon(str(cfg), str(run_dir), str(log_dir))
        task = await started(d)
        site = d.sites["lyon"]
        slots = site.tunnel.slots
        relays = list(site.relays.values())
        st = d.status(["lyon"])
        d._request_stop()
        await asyncio.wait_for(task, 20)
        return slots, relays, st
    slots, relays, st = asyncio.run(asyncio.wait_for(main(), 60))
    assert slots.limit == relay.MAX_PER_SITE and all(r.site.slots is slots for r in relays)
    assert all(r.slots.limit == relay.MAX_PER_PRINTER for r in relays)
    assert st["sites"][0]["printers"][0]["refused"] == 0
