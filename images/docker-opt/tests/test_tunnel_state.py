from mast import tunnel
from mast.tunnel import TunnelState, build_command, build_env, classify

A = "2026/11/25 17:07:14 autossh[100]: "


def fed(lines, st=None, start=True):
    st = st or TunnelState(0.0)
    if start:
        st.started(100, 1.0)
    for i, line in enumerate(lines):
        st.feed(line, 2.0 + i)
    return st


def test_up_needs_auth_alive_and_sockets():
    st = fed([A + "starting ssh (count 1)", A + "ssh child pid is 101",
              'Authenticated to 10.130.0.10 ([10.130.0.10]:22) using "publickey".'])
    assert st.state == "connecting" and st.ssh_pid == 101
    st.evaluate(10.0, ssh_alive=True, sockets_ok=False)
    assert st.state == "connecting"
    st.evaluate(10.0, ssh_alive=False, sockets_ok=True)
    assert st.state == "connecting"
    st.evaluate(11.0, ssh_alive=True, sockets_ok=True)
    assert st.state == "up" and st.since == 11.0
    st.evaluate(12.0, ssh_alive=True, sockets_ok=True)
    assert st.since == 11.0
    st.evaluate(13.0, ssh_alive=False, sockets_ok=True)
    assert st.state == "connecting" and st.last_error == "ssh process gone"


def test_no_auth_no_up():
    st = fed([A + "starting ssh (count 1)", A + "ssh child pid is 101"])
    st.evaluate(5.0, True, True)
    assert st.state == "connecting"


def test_transient_errors_reconnect():
    st = fed([A + "ssh child pid is 101", "Authenticated to h ([1.2.3.4]:22) using \"publickey\"."])
    st.evaluate(5.0, True, True)
    assert st.state == "up"
    st.feed("Timeout, server not responding.", 6.0)
    assert st.state == "connecting" and st.last_error == "Timeout, server not responding."
    st.feed(A + "ssh exited with error status 255; restarting ssh", 6.1)
    st.feed(A + "starting ssh (count 2)", 6.2)
    st.feed("ssh: connect to host 10.130.0.10 port 22: Connection refused", 6.3)
    assert st.state == "connecting" and "Connection refused" in st.last_error
    assert st.since == 6.0


def test_host_key_changed_is_down_and_stays_down_across_retries():
    lines = [A + "ssh child pid is 101",
             "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
             "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
             "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
             "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!",
             "Host key verification failed.",
             A + "ssh exited with error status 255; restarting ssh",
             A + "starting ssh (count 2)"]
    st = fed(lines)
    assert st.state == "down"
    assert st.last_error == "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!"
    st.feed("Host key verification failed.", 20.0)
    st.feed(A + "ssh exited with error status 255; restarting ssh", 20.1)
    assert st.state == "down"


def test_permission_denied_and_unknown_host():
    st = fed(["coaxis@10.130.0.10: Permission denied (publickey)."])
    assert st.state == "down" and "Permission denied" in st.last_error
    st = fed(["ssh: Could not resolve hostname gw.example: Name or service not known"])
    assert st.state == "down" and "Could not resolve hostname" in st.last_error
    st = fed(["No ED25519 host key is known for 10.130.0.10 and you have requested strict checking.",
              "Host key verification failed."])
    assert st.state == "down" and st.last_error.startswith("No ED25519 host key")


def test_identity_missing_keeps_first_message():
    st = fed(["Warning: Identity file /etc/mast/ssh/id_ed25519 not accessible: "
              "No such file or directory.", "coaxis@h: Permission denied (publickey)."])
    assert st.state == "down" and "Identity file" in st.last_error


def test_down_then_auth_recovers():
    st = fed(["Host key verification failed.", A + "ssh exited with error status 255; restarting ssh",
              A + "starting ssh (count 2)", A + "ssh child pid is 102",
              "Authenticated to h ([1.2.3.4]:22) using \"publickey\"."])
    st.evaluate(30.0, True, True)
    assert st.state == "up" and st.ssh_pid == 102


def test_down_then_transient_is_connecting():
    st = fed(["Host key verification failed.", A + "ssh exited with error status 255; restarting ssh",
              A + "starting ssh (count 2)", "ssh: connect to host h port 22: Connection refused"])
    assert st.state == "connecting"


def test_ssh_exit_without_message_and_autossh_exit_and_stop():
    st = fed([A + "ssh exited with error status 255; restarting ssh"])
    assert st.state == "connecting" and "ssh exited" in st.last_error
    st.autossh_exited(1, 50.0)
    assert st.state == "connecting" and st.autossh_pid is None
    st.autossh_exited(0, 51.0, stopping=True)
    assert st.state == "stopped" and st.since == 51.0
    st.evaluate(52.0, True, True)
    assert st.state == "stopped"


def test_a_stop_asked_for_leaves_no_error_behind():
    st = fed([A + "starting ssh (count 1)", A + "ssh child pid is 101",
              'Authenticated to 10.130.0.10 ([10.130.0.10]:22) using "publickey".'])
    st.evaluate(3.0, ssh_alive=True, sockets_ok=True)
    assert st.state == "up" and st.last_error is None
    st.halt()
    # What a SIGTERM to autossh brings, seen before autossh's own exit is reaped.
    st.evaluate(4.0, ssh_alive=False, sockets_ok=False)
    st.feed(A + "ssh exited with error status 255; restarting ssh", 4.5)
    st.autossh_exited(143, 5.0, stopping=True)
    assert st.state == "stopped" and st.last_error is None
    # Started again (a restart): errors count again.
    st.started(200, 6.0)
    st.feed("ssh: connect to host 10.130.0.10 port 22: Connection refused", 7.0)
    assert st.state == "connecting" and "Connection refused" in st.last_error


def test_channel_open_failure_is_not_a_tunnel_error():
    st = fed(["channel 3: open failed: connect failed: Connection refused"])
    # a printer refusing a connection does not change the tunnel's state
    assert classify("Connection to 10.130.0.10 closed by remote host.") == "transient"
    assert st.state == "connecting"


def test_command_and_env():
    site = {"name": "lyon", "host": "gw", "port": 2222, "user": "coaxis",
            "identity_file": "/k", "known_hosts": "/kh", "keepalive_interval": 3,
            "keepalive_count": 2, "connect_timeout": 5, "compression": True,
            "printers": [{"name": "p1", "address": "10.0.0.5", "port": 9100, "listen_port": 9102}]}
    argv = build_command(site, "/run/mast/sites/lyon")
    s = " ".join(argv)
    assert argv[:4] == ["autossh", "-M", "0", "-N"]
    for opt in ("ExitOnForwardFailure=yes", "ConnectTimeout=5", "ServerAliveInterval=3",
                "ServerAliveCountMax=2", "StrictHostKeyChecking=yes", "UserKnownHostsFile=/kh",
                "IdentitiesOnly=yes", "IdentityFile=/k", "BatchMode=yes", "LogLevel=VERBOSE",
                "StreamLocalBindUnlink=yes", "StreamLocalBindMask=0177"):
        assert f"-o {opt}" in s
    assert "-C" in argv and "-p 2222" in s
    assert "-L /run/mast/sites/lyon/p1.sock:10.0.0.5:9100" in s
    assert argv[-1] == "coaxis@gw"
    env = build_env({"PATH": "/bin", "SECRET": "x"})
    assert env["AUTOSSH_GATETIME"] == "0" and env["AUTOSSH_POLL"] == "30"
    assert env["AUTOSSH_LOGFILE"] == "/dev/stderr" and "SECRET" not in env


def test_pid_alive_self():
    import os
    assert tunnel.pid_alive(os.getpid())
    assert not tunnel.pid_alive(2 ** 22 + 12345)
