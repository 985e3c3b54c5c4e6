"""Bounded resources and least privilege of the containers coaxis-opt creates, on the lab.

The limits (memory, pids, CPU), the bounded Docker logs and the hardening are read back from
the Docker API; then real floods: a fork loop inside a client container stops at its pids limit
and the container lives on; a few thousand HTTPS requests through the edge and the client's
nginx leave no growing file in the containers and Docker's logs within max-size * max-file.
"""
import http.client
import os
import socket
import ssl
import time
from pathlib import Path

import pytest

from conftest import Inventory, container_ip, deployment_changed, engine_snapshot, ensure_deployed, lab_address

EDGE = "10.129.0.1"  # the Docker host's address on the Coaxis LAN (edge on the host network)
LAB_STATE = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"))
CA = LAB_STATE / "tls" / "wildcard.crt"
MIB = 1024 * 1024
# The defaults (roles/opt_client, roles/opt_firewall, playbooks/tasks/converge_edge.yml).
LIMITS = {
    "opt-acme": {"Memory": 256 * MIB, "PidsLimit": 256, "NanoCpus": 1_000_000_000},
    "opt-edge": {"Memory": 256 * MIB, "PidsLimit": 256, "NanoCpus": 1_000_000_000},
    "opt-firewall": {"Memory": 64 * MIB, "PidsLimit": 64, "NanoCpus": 500_000_000},
}
LOG_CONFIG = {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}}


@pytest.fixture(scope="module")
def deployed_lab(engine, tmp_path_factory):
    return ensure_deployed(engine, tmp_path_factory.mktemp("limits-deployed"))


@pytest.mark.parametrize("variable, value, message", [
    ("opt_client_limits", {"memory": "1x"},
     "lab-docker-host: opt_client_limits: memory '1x' is not a size in 16m..64g"),
    ("opt_edge_limits", {"pids": 8}, "lab-docker-host: opt_edge_limits: pids 8 is not a whole number in 16..65536"),
    ("opt_firewall_limits", {"cpu": 1}, "lab-docker-host: opt_firewall_limits: unknown key(s) cpu"),
    ("opt_log", {"driver": "syslog", "max_file": 0}, "lab-docker-host: opt_log: log driver 'syslog' is not one of"),
], ids=["client-memory", "edge-pids", "firewall-key", "log-driver"])
def test_a_wrong_limit_or_log_setting_is_refused_before_any_change(deployed_lab, tmp_path, variable, value, message):
    inventory = Inventory(tmp_path / "inventory")
    inventory.set_vars("group_vars", "docker_hosts", **{variable: value})
    before = engine_snapshot(deployed_lab)
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc != 0 and message in run.out, run
    assert engine_snapshot(deployed_lab) == before


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_limits_logs_and_no_new_privileges_are_in_the_docker_api(deployed_lab, name):
    attrs = deployed_lab.containers.get(name).attrs
    host = attrs["HostConfig"]
    seen = dict((key, host.get(key)) for key in LIMITS[name])
    assert seen == LIMITS[name]
    assert host["MemorySwap"] == LIMITS[name]["Memory"]  # no swap beyond the memory limit
    assert host["LogConfig"] == LOG_CONFIG
    assert "no-new-privileges:true" in (host.get("SecurityOpt") or [])
    assert host["ReadonlyRootfs"] is True


def test_the_firewall_keeps_only_net_admin_and_net_raw(deployed_lab):
    host = deployed_lab.containers.get("opt-firewall").attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and sorted(host["CapAdd"]) == ["NET_ADMIN", "NET_RAW"]


def test_the_client_runs_read_only_as_mast_with_bounded_tmpfs(deployed_lab):
    container = deployed_lab.containers.get("opt-acme")
    assert container.attrs["Config"]["User"] == "10001:10001"
    tmpfs = container.attrs["HostConfig"]["Tmpfs"]
    assert sorted(tmpfs) == ["/run/mast", "/tmp"]
    assert all("size=" in options and "nosuid" in options for options in tmpfs.values())
    # The tmpfs and the logs volume are writable; the probe works where writing is allowed.
    assert container.exec_run(["sh", "-c", "echo x > /run/mast/probe && rm /run/mast/probe"]).exit_code == 0
    assert container.exec_run(["sh", "-c", "echo x > /var/log/mast/probe && rm /var/log/mast/probe"]).exit_code == 0
    # Not even root writes to the root filesystem.
    for user in ("10001", "0"):
        result = container.exec_run(["sh", "-c", "echo x > /probe"], user=user)
        assert result.exit_code != 0 and b"Read-only file system" in result.output, (user, result)
    result = container.exec_run(["sh", "-c", "echo x > /usr/lib/mast/probe"], user="0")
    assert result.exit_code != 0, result


def test_a_fork_flood_in_a_client_stops_at_the_pids_limit_and_the_container_lives_on(deployed_lab):
    container = deployed_lab.containers.get("opt-acme")
    started = container.attrs["State"]["StartedAt"]
    limit = container.attrs["HostConfig"]["PidsLimit"]
    assert limit == LIMITS["opt-acme"]["PidsLimit"]
    # 400 sleepers of 8 s each, as the mast user: more than the limit, bounded in time.
    flood = ("n=0; ok=0; while [ $n -lt 400 ]; do n=$((n+1)); sleep 8 2>/dev/null & "
             "[ $? -eq 0 ] && ok=$((ok+1)); done; echo started $ok; wait")
    t0 = time.monotonic()
    result = container.exec_run(["sh", "-c", flood], user="mast")
    assert time.monotonic() - t0 < 60
    output = result.output.decode(errors="replace")
    assert "fork" in output.lower(), output[-2000:]  # some forks were refused
    container.reload()
    assert container.attrs["State"]["Running"] and container.attrs["State"]["StartedAt"] == started
    assert container.attrs["RestartCount"] == 0
    # mast answers once the flood is over (bounded wait).
    deadline = time.monotonic() + 30
    while True:
        status = container.exec_run(["mast", "status", "--json"])
        if status.exit_code in (0, 3) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert b'"sites"' in status.output, status


def json_logs(engine, name):
    """Docker's json-file logs of a container: {path: size} under the lab engine's data root."""
    container_id = engine.containers.get(name).id
    folder = LAB_STATE / "docker" / "containers" / container_id
    return dict((str(path), path.stat().st_size) for path in folder.glob(f"{container_id}-json.log*"))


def writable_sizes(container, paths):
    """Bytes under each writable path of a container (du -sb; what it may not read is nginx's
    temporary files, on a size-bounded tmpfs)."""
    result = container.exec_run(["sh", "-c", 'du -sb "$@" 2>/dev/null; exit 0', "du", *paths], user="0")
    return dict((line.split("\t")[1], int(line.split("\t")[0]))
                for line in result.output.decode().splitlines() if "\t" in line)


class EdgeConnection(http.client.HTTPSConnection):
    """HTTPS to the edge's address with the client's subdomain as SNI and Host."""

    def connect(self):
        sock = socket.create_connection((lab_address(EDGE), 443), timeout=10)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def flood(host, count, seconds=120):
    context = ssl.create_default_context(cafile=str(CA))
    connection = EdgeConnection(host, 443, context=context, timeout=10)
    deadline = time.monotonic() + seconds
    statuses = {}
    for i in range(count):
        assert time.monotonic() < deadline, f"{i} requests in {seconds} s"
        # The admin interface's health page: 200 through the edge and the client's nginx.
        connection.request("GET", f"/healthz/?n={i}&{'x' * 200}")
        response = connection.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
    connection.close()
    return statuses


@pytest.fixture(scope="module")
def small_logs(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("limits-flood-deployed"))
    inventory = Inventory(tmp_path_factory.mktemp("limits-flood") / "inventory")
    inventory.set_vars("group_vars", "docker_hosts", opt_log={"max_size": "100k", "max_file": 2})
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc == 0, run
    again = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert again.rc == 0 and again.changed() == 0, again  # recreated once, then nothing to do
    yield engine
    deployment_changed()


def test_an_http_flood_on_the_edge_leaves_every_log_bounded(small_logs):
    engine = small_logs
    bound = 2 * 100 * 1024 + 16 * 1024  # max-file * max-size, and the last line that crossed it
    for name in ("opt-edge", "opt-acme"):
        assert engine.containers.get(name).attrs["HostConfig"]["LogConfig"] == {
            "Type": "json-file", "Config": {"max-size": "100k", "max-file": "2"}}
    edge, acme = engine.containers.get("opt-edge"), engine.containers.get("opt-acme")
    assert container_ip(acme)[0] == "10.128.0.10"
    edge_paths, acme_paths = ["/etc/opt-edge", "/run", "/tmp"], ["/var/log/mast", "/run/mast", "/tmp"]
    before = writable_sizes(edge, edge_paths), writable_sizes(acme, acme_paths)
    statuses = flood("acme.coaxis.test", 3000)
    assert statuses.get(200) == 3000, statuses  # every request crossed the edge and acme's nginx
    after = writable_sizes(edge, edge_paths), writable_sizes(acme, acme_paths)
    for sizes_before, sizes_after in zip(before, after):
        for path, size in sizes_after.items():
            assert size - sizes_before.get(path, 0) < 32 * 1024, (path, sizes_before, sizes_after)
    assert edge.diff() in (None, []) and acme.diff() in (None, [])  # nothing on the root filesystems
    for name in ("opt-edge", "opt-acme"):
        logs = json_logs(engine, name)
        assert 1 <= len(logs) <= 2 and sum(logs.values()) <= bound, (name, logs)
