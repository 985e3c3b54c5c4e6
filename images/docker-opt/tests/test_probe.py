import json
import os
import socket
import stat
import struct
import threading

import pytest

from mast import cli, config, probe


def site(**kw):
    data = {"name": "lyon", "host": "127.0.0.1",
            "printers": [{"name": "accueil", "address": "10.131.1.20", "listen_port": 9101},
                         {"name": "compta", "address": "10.131.1.21", "listen_port": 9102}]}
    data.update(kw)
    s, errors = config.validate_site(data, data["name"])
    assert errors == []
    return s


AUTH = 'Authenticated to 10.130.0.10 ([10.130.0.10]:22) using "publickey".'


@pytest.mark.parametrize("lines, rc, expected", [
    (["debug1: channel 0: new stdio-forward", AUTH,
      "debug2: channel 0: open confirm rwindow 2097152 rmax 32768"], None, ("up", None)),
    (["channel 0: open failed: connect failed: Connection refused", "stdio forwarding failed"], 255,
     ("down", "connect failed: Connection refused")),
    (["channel 0: open failed: connect failed: No route to host"], None, ("down", "connect failed: No route to host")),
    (["debug1: Reading configuration data /etc/ssh/ssh_config", AUTH], 0, ("up", None)),
    (["OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024", "debug1: Connecting to 10.130.0.11",
      "ssh: connect to host 10.130.0.11 port 22: Connection timed out"], 255,
     ("unknown", "ssh: connect to host 10.130.0.11 port 22: Connection timed out")),
    (["No ED25519 host key is known for 10.130.0.10 and you have requested strict checking.",
      "Host key verification failed."], 255, ("unknown", "Host key verification failed.")),
    (["coaxis@10.130.0.10: Permission denied (publickey)."], 255,
     ("unknown", "coaxis@10.130.0.10: Permission denied (publickey).")),
    (["debug1: only debug"], 255, ("unknown", "ssh exited with status 255")),
    (["debug1: still talking"], None, ("unknown", None)),
])
def test_classify_ssh(lines, rc, expected):
    assert probe.classify_ssh(lines, rc) == expected


def test_a_channel_pending_after_login_is_a_printer_down_before_it_the_site_is_unknown():
    printer = {"address": "10.131.1.21", "port": 9100}
    assert probe.timed_out(["debug1: x", AUTH], printer, 8) == (
        "down", "no answer from 10.131.1.21:9100 at the site within 8 s")
    assert probe.timed_out(["debug1: Connecting to 10.130.0.10"], printer, 8) == (
        "unknown", "ssh: no answer from the site within 8 s")


def test_ssh_command_uses_the_tunnels_key_and_options():
    argv = probe.ssh_command(site(port=2222, user="opt", connect_timeout=4), {"address": "10.131.1.21", "port": 515}, 4)
    text = " ".join(argv)
    for option in ("BatchMode=yes", "StrictHostKeyChecking=yes", "UserKnownHostsFile=/etc/mast/ssh/known_hosts",
                   "IdentitiesOnly=yes", "IdentityFile=/etc/mast/ssh/id_ed25519", "ConnectTimeout=4"):
        assert f"-o {option}" in text
    assert argv[-3:] == ["-W", "10.131.1.21:515", "opt@127.0.0.1"] and "-p 2222" in text


def test_echo_request_checksum_is_valid():
    packet = probe.echo_request(7)
    assert probe._checksum(packet) == 0
    assert struct.unpack("!BBHHH", packet[:8])[0::4] == (8, 7)


def test_ping_socket_refused_is_unsupported_with_the_reason(monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(probe.socket, "socket", refuse)
    r = probe.ping_check("127.0.0.1", 1)
    assert r["state"] == "unsupported" and "Permission denied" in r["error"] and "ping_group_range" in r["error"]


def test_tcp_check_up_and_refused():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        up = probe.tcp_check("127.0.0.1", port, 2)
        assert up["state"] == "up" and up["ms"] is not None and up["error"] is None
    finally:
        server.close()
    assert probe.tcp_check("127.0.0.1", port, 2) == {"state": "down", "ms": None, "error": "Connection refused"}


FAKE_SSH = """#!/bin/sh
# Stand-in for ssh: what the site's sshd answers depends on the printer address (after -W).
while [ "$#" -gt 1 ]; do [ "$1" = "-W" ] && target=$2; shift; done
echo 'Authenticated to 127.0.0.1 ([127.0.0.1]:22) using "publickey".' >&2
case "$target" in
  10.0.0.1:*) echo "debug2: channel 0: open confirm rwindow 2097152 rmax 32768" >&2; exec sleep 30 ;;
  10.0.0.2:*) echo "channel 0: open failed: connect failed: Connection refused" >&2
              echo "stdio forwarding failed" >&2; exit 255 ;;
  10.0.0.3:*) exec sleep 30 ;;
esac
"""


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch):
    path = tmp_path / "ssh"
    path.write_text(FAKE_SSH)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")


@pytest.mark.parametrize("address, state, error", [
    ("10.0.0.1", "up", None),
    ("10.0.0.2", "down", "connect failed: Connection refused"),
    ("10.0.0.3", "down", "no answer from 10.0.0.3:9100 at the site within 1 s"),
])
def test_printer_check_stops_ssh_once_the_site_answered(fake_ssh, address, state, error):
    r = probe.printer_check(site(), {"address": address, "port": 9100}, timeout=1)
    assert (r["state"], r["error"]) == (state, error)


def test_printer_check_without_ssh_is_unknown(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    r = probe.printer_check(site(), {"address": "10.0.0.1", "port": 9100}, timeout=1)
    assert r["state"] == "unknown" and r["error"].startswith("cannot run ssh")


def test_probe_sites_runs_every_check_at_once_and_keeps_the_order():
    sites = {"paris": site(name="paris", host="10.130.0.11", printers=[
                 {"name": "atelier", "address": "10.131.2.20", "listen_port": 9201}]),
             "lyon": site()}
    # 2 sites x (tcp + ping) + 3 printers: each check waits for all the others, so a run
    # that does them one after the other breaks the barrier instead of passing.
    barrier = threading.Barrier(7, timeout=10)

    def check(state, error=None):
        def run(*args):
            barrier.wait()
            return probe.result(state, 1.0 if state == "up" else None, error)
        return run

    def printer(s, p, timeout):
        barrier.wait()
        if p["name"] == "compta":
            raise RuntimeError("boom")
        return probe.result("up", 2.0)

    report = probe.probe_sites(sites, checks={"tcp": check("up"), "ping": check("down", "no reply after 3 s"),
                                              "printer": printer})
    assert [s["site"] for s in report] == ["lyon", "paris"]
    lyon = report[0]
    assert lyon["host"] == "127.0.0.1" and lyon["port"] == 22
    assert lyon["tcp"] == {"state": "up", "ms": 1.0, "error": None}
    assert lyon["ping"] == {"state": "down", "ms": None, "error": "no reply after 3 s"}
    assert lyon["printers"] == [
        {"name": "accueil", "address": "10.131.1.20", "port": 9100, "listen_port": 9101, "state": "up", "error": None},
        {"name": "compta", "address": "10.131.1.21", "port": 9100, "listen_port": 9102, "state": "unknown",
         "error": "probe error: boom"}]


def test_cli_probe_json(tmp_path, monkeypatch, capsys):
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "lyon.json").write_text(json.dumps(
        {"name": "lyon", "host": "127.0.0.1", "printers": [
            {"name": "accueil", "address": "10.131.1.20", "listen_port": 9101}]}))
    monkeypatch.setattr(probe, "tcp_check", lambda host, port, t: probe.result("down", error="Connection refused"))
    monkeypatch.setattr(probe, "ping_check", lambda host, t: probe.result("up", 0.1))
    monkeypatch.setattr(probe, "printer_check", lambda s, p, t: probe.result("unknown", error="ssh: x"))
    assert cli.main(["probe", "--json", "--config-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config_error"] is None and out["checked_at"].endswith("Z")
    assert out["sites"][0]["tcp"]["error"] == "Connection refused"
    assert out["sites"][0]["printers"][0]["state"] == "unknown"
    assert cli.main(["probe", "--config-dir", str(tmp_path)]) == 0
    assert "accueil" in capsys.readouterr().out
    assert cli.main(["probe", "nowhere", "--config-dir", str(tmp_path)]) == 1
    (tmp_path / "sites" / "bad.json").write_text("{")
    assert cli.main(["probe", "--json", "--config-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sites"] == [] and "bad.json" in out["config_error"][0]
