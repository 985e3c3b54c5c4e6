"""The lab engine comes back from what CI finds: every engine process killed.

Runs in the root namespace (not inside the lab), because it drives
lab/engine.sh itself. The engine must be up when it starts; it is up after.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

import docker
import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "lab" / "engine.sh"


def lab_env():
    out = subprocess.run(["bash", "-c", f"set -a; source {ROOT}/lab/lab.env; env"], capture_output=True,
                         text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if line.startswith("LAB_"))


LAB = lab_env()


def running():
    """{name: ip on each network} of the running containers (a new client: the engine restarts)."""
    engine = docker.DockerClient(base_url=f"unix://{LAB['LAB_SOCK']}", timeout=30)
    return {c.name: sorted(n["IPAddress"] for n in c.attrs["NetworkSettings"]["Networks"].values())
            for c in engine.containers.list()}


def engine_pids():
    """The engine's processes and every container process: what CI finds ended."""
    exec_root = f"{LAB['LAB_RUN']}/exec"
    found = subprocess.run(["pgrep", "-f", exec_root], capture_output=True, text=True).stdout.split()
    pidfile = Path(LAB["LAB_RUN"]) / "dockerd.pid"
    if pidfile.exists():
        found.append(pidfile.read_text().strip())
    for procs in Path("/sys/fs/cgroup").glob(f"*/{LAB['LAB_NAME']}/*/cgroup.procs"):
        found += procs.read_text().split()
    return {int(p) for p in found if Path(f"/proc/{p}").exists()}


@pytest.mark.skipif(os.geteuid() != 0, reason="drives the lab engine (root)")
def test_killed_engine_is_recovered_with_its_containers():
    before = running()
    assert before, "the lab should be up before this test"
    for pid in engine_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while engine_pids() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert subprocess.run([str(ENGINE), "status"], capture_output=True).returncode != 0
    subprocess.run([str(ENGINE), "up"], check=True, timeout=120)
    # What `make lab` does next: the lab's own forwarding rules, in first place again.
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "lab" / "topology.py")], check=True,
                   timeout=120, env={**os.environ, **LAB})
    deadline = time.monotonic() + 60  # restart policies bring the containers back
    while running() != before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert running() == before
