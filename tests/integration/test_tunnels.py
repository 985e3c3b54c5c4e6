"""Print jobs really cross the tunnels: Coaxis host -> client container -> site sshd -> printer.

Everything is real: the lab's sshd, autossh and ssh in acme's container, the printers'
sinks on internal site networks the Coaxis host cannot reach.
"""
import threading
import time

import pytest

from conftest import deployment_changed, ensure_deployed
from lab.paths import (close_coaxis_path, connect_from, mast, open_coaxis_path, printer_jobs, send_job,
                       site_config, two_sites_by_hand,
                       status, wait_job, wait_state, write_config)

ACME = "10.128.0.10"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def acme(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("tunnels"))
    two_sites_by_hand(engine)
    open_coaxis_path(engine)
    yield engine
    close_coaxis_path(engine)
    deployment_changed()  # acme's configs written by hand


def restore(engine):
    """Back to two unlimited sites, both up."""
    for name in ("lab-site-lyon", "lab-site-paris"):
        container = engine.containers.get(name)
        if container.status != "running":
            container.start()
    write_config(engine, "acme", [site_config("lyon"), site_config("paris")])
    assert mast(engine, "acme", "reload")[0] == 0
    mast(engine, "acme", "start")
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up", timeout=40)


def deliver(engine, printer_ip, port, size=MIB, timeout=120):
    before = printer_jobs(engine, printer_ip)
    sent = send_job(engine, ACME, port, size, timeout)
    received = wait_job(engine, printer_ip, before)
    return sent, received


def test_the_printers_are_only_reachable_through_the_tunnel(acme):
    # The printer listens: its site's gateway, on the site's LAN, reaches it.
    assert connect_from(acme, "lab-site-lyon", "10.131.1.20", 9100) == "open"
    # The Coaxis host has no path to the site's LAN, and the client container may not open it
    # directly (only its sites' SSH port): refused by the firewall.
    assert connect_from(acme, "lab-coaxis-1", "10.131.1.20", 9100).startswith("OSError: [Errno 101]")
    assert connect_from(acme, "opt-acme", "10.131.1.20", 9100) == "refused"


def test_jobs_arrive_byte_identical_on_two_sites_and_three_printers_at_once(acme):
    targets = [("10.131.1.20", 9101), ("10.131.1.21", 9102), ("10.131.2.20", 9201)]
    results = {}

    def one(printer_ip, port):
        results[printer_ip] = deliver(acme, printer_ip, port)

    threads = [threading.Thread(target=one, args=t) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    for printer_ip, _ in targets:
        sent, received = results[printer_ip]
        assert sent.get("closed") == "normal", sent
        assert list(received.values()) == [sent["sha256"]], (printer_ip, sent, received)


def test_status_reports_up_with_the_listen_ports(acme):
    lyon = status(acme, "acme")["lyon"]
    assert lyon["state"] == "up" and lyon["pid"]
    assert sorted(p["listen_port"] for p in lyon["printers"]) == [9101, 9102]
    assert acme.containers.get("opt-acme").exec_run(["mast", "health"]).exit_code == 0


def test_site_sshd_killed_and_restarted_the_tunnel_comes_back(acme):
    try:
        site = acme.containers.get("lab-site-lyon")
        site.kill()
        wait_state(acme, "acme", "lyon", "connecting", timeout=20)
        site.start()
        up = wait_state(acme, "acme", "lyon", "up", timeout=30)
        assert up["pid"]
        sent, received = deliver(acme, "10.131.1.20", 9101, 64 * 1024)
        assert list(received.values()) == [sent["sha256"]]
    finally:
        restore(acme)


def test_stop_one_site_the_other_keeps_printing(acme):
    try:
        assert mast(acme, "acme", "stop", "lyon")[0] == 0
        assert status(acme, "acme")["lyon"]["state"] == "stopped"
        refused = send_job(acme, ACME, 9101, 1024, 5)
        assert "error" in refused, refused
        sent, received = deliver(acme, "10.131.2.20", 9201, 64 * 1024)
        assert list(received.values()) == [sent["sha256"]]
        assert mast(acme, "acme", "start", "lyon")[0] == 0
        wait_state(acme, "acme", "lyon", "up")
        sent, received = deliver(acme, "10.131.1.20", 9101, 64 * 1024)
        assert list(received.values()) == [sent["sha256"]]
    finally:
        restore(acme)


def test_a_config_change_reloads_that_site_only(acme):
    try:
        before = status(acme, "acme")
        write_config(acme, "acme", [site_config("lyon", keepalive_interval=4), site_config("paris")])
        assert mast(acme, "acme", "reload")[0] == 0
        up = wait_state(acme, "acme", "lyon", "up")
        after = status(acme, "acme")
        assert after["paris"]["pid"] == before["paris"]["pid"]
        assert up["pid"] != before["lyon"]["pid"]
    finally:
        restore(acme)


def test_a_wrong_host_key_is_down_with_a_clear_error(acme):
    try:
        wrong = "10.130.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
        known = (acme.containers.get("opt-acme").exec_run(["cat", "/etc/mast/ssh/known_hosts"]).output.decode())
        kept = "".join(line + "\n" for line in known.splitlines() if not line.startswith("10.130.0.11 "))
        write_config(acme, "acme", [site_config("lyon"), site_config("paris")], known_hosts=kept + wrong)
        mast(acme, "acme", "restart", "paris")
        down = wait_state(acme, "acme", "paris", "down", timeout=30)
        error = (down["last_error"] or "").lower()
        assert "remote host identification has changed" in error or "host key verification failed" in error, down
        refused = send_job(acme, ACME, 9201, 1024, 5)
        assert "error" in refused, refused
    finally:
        restore(acme)


def test_limits_hold_and_a_small_job_is_not_starved(acme):
    try:
        write_config(acme, "acme", [site_config("lyon", upload_kbps=16), site_config("paris", upload_kbps=2048)])
        assert mast(acme, "acme", "reload")[0] == 0
        for site in ("lyon", "paris"):
            wait_state(acme, "acme", site, "up")
        pids = {s: v["pid"] for s, v in status(acme, "acme").items()}
        seconds = 60
        results = {}

        def big(name, printer_ip, port, rate):
            results[name] = deliver(acme, printer_ip, port, rate * 1024 * seconds, timeout=seconds * 3)

        threads = [threading.Thread(target=big, args=("lyon", "10.131.1.20", 9101, 16)),
                   threading.Thread(target=big, args=("paris", "10.131.2.20", 9201, 2048))]
        for thread in threads:
            thread.start()
        time.sleep(10)  # lyon is saturated: a small job to its other printer must not wait behind
        small, received = deliver(acme, "10.131.1.21", 9102, 1024, timeout=30)
        for thread in threads:
            thread.join(timeout=seconds * 3)
        assert small.get("closed") == "normal" and small["elapsed"] <= 2.0, small
        assert list(received.values()) == [small["sha256"]]
        for name, rate in (("lyon", 16), ("paris", 2048)):
            sent, got = results[name]
            ratio = sent["bytes"] / sent["elapsed"] / (rate * 1024)
            assert 0.97 <= ratio <= 1.02, (name, ratio, sent)
            assert list(got.values()) == [sent["sha256"]]
        assert {s: v["pid"] for s, v in status(acme, "acme").items()} == pids  # no session dropped
    finally:
        restore(acme)


def test_a_job_cut_by_a_dropped_session_is_an_error_for_the_sender(acme):
    try:
        write_config(acme, "acme", [site_config("lyon", upload_kbps=16), site_config("paris")])
        assert mast(acme, "acme", "reload")[0] == 0
        wait_state(acme, "acme", "lyon", "up")
        outcome = {}
        sender = threading.Thread(target=lambda: outcome.update(send_job(acme, ACME, 9101, MIB, 60)))
        sender.start()
        time.sleep(4)
        acme.containers.get("lab-site-lyon").kill()
        sender.join(timeout=90)
        assert "error" in outcome, outcome  # never a normal close for a truncated job
    finally:
        restore(acme)


def test_sigterm_stops_everything_cleanly(acme):
    """docker stop sends SIGTERM and waits 10 s before SIGKILL: exit code 0 means mast stopped
    its tunnels, relays and nginx by itself in time."""
    container = acme.containers.get("opt-acme")
    try:
        container.stop(timeout=10)
        container.reload()
        assert container.attrs["State"]["ExitCode"] == 0, container.attrs["State"]
    finally:
        container.start()
        for site in ("lyon", "paris"):
            wait_state(acme, "acme", site, "up", timeout=40)
