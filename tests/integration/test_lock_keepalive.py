"""opt_lock keeps the lock of a run that lasts longer than the ttl, and lets it go when the run
ends or dies. Real ansible-playbook runs (connection local, a private lock directory): the lock
module, its heartbeat and the run it follows, as in a long site.yml."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / ".venv" / "bin" / "ansible-playbook"
TTL = 2

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  tasks:
    - name: Take the lock
      coaxis.opt.opt_lock:
        name: opt-clients
        lock_dir: {lock_dir}
        ttl: {ttl}
        timeout: {timeout}
        owner: {owner}
      register: taken
    - name: Show the lock
      ansible.builtin.debug:
        msg: "keepalive={{{{ taken.keepalive | default('none') }}}} broke_stale={{{{ taken.broke_stale }}}}"
    - name: Work longer than the ttl
      ansible.builtin.command: sleep {work}
      changed_when: false
      when: {work} > 0
    - name: Give the lock back
      coaxis.opt.opt_lock:
        name: opt-clients
        lock_dir: {lock_dir}
        state: released
        token: "{{{{ taken.token }}}}"
"""


def playbook(tmp_path, owner, work=0, timeout=0, ttl=TTL):
    path = tmp_path / f"{owner}.yml"
    path.write_text(PLAY.format(lock_dir=tmp_path / "locks", ttl=ttl, timeout=timeout, owner=owner,
                                work=work))
    return [str(PLAYBOOK), "-i", "localhost,", str(path)]


def start(cmd):
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, "ANSIBLE_FORCE_COLOR": "0"})


def run(cmd, timeout=90):
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "ANSIBLE_FORCE_COLOR": "0"})
    return proc.returncode, proc.stdout + proc.stderr


def wait_for(path, timeout=60):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_run_longer_than_the_ttl_keeps_its_lock_and_releases_it(tmp_path):
    lock = tmp_path / "locks" / "opt-clients.lock"
    first = start(playbook(tmp_path, "long-run", work=4 * TTL))
    try:
        wait_for(lock / "owner.json")
        time.sleep(TTL + 1.5)   # the first run still works, its lock is older than its ttl
        rc, out = run(playbook(tmp_path, "second-run"))
        assert rc != 0 and 'is held by "long-run"' in out, out[-3000:]
        out_first, _ = first.communicate(timeout=120)
        assert first.returncode == 0, out_first[-3000:]
        assert "keepalive=ansible broke_stale=False" in out_first
        assert not lock.exists()   # released at the end of the run
        rc, out = run(playbook(tmp_path, "third-run"))
        assert rc == 0 and "broke_stale=False" in out, out[-3000:]
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()


def test_the_lock_of_a_killed_run_expires(tmp_path):
    lock = tmp_path / "locks" / "opt-clients.lock"
    first = start(playbook(tmp_path, "killed-run", work=60))
    try:
        wait_for(lock / "owner.json")
        time.sleep(1.0)
        os.killpg(first.pid, signal.SIGKILL)   # the whole run, as a lost controller
        first.wait()
        assert lock.exists()
        t0 = time.monotonic()
        rc, out = run(playbook(tmp_path, "next-run", timeout=30))
        waited = time.monotonic() - t0
        assert rc == 0 and "broke_stale=True" in out, out[-3000:]
        # the heartbeat stops within ttl/3 s of the run's death; the lock expires ttl s later
        assert waited < 20, waited
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
