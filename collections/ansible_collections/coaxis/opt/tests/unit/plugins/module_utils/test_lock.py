# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import threading
import time

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _lock


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self, start=1_000_000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def plant(lock_dir, name='opt-clients', record=None, raw=None, mtime=None):
    """A lock left by someone else: owner.json from ``record`` (or ``raw`` text, or none)."""
    os.makedirs(str(lock_dir), exist_ok=True)
    path = _lock.lock_path(str(lock_dir), name)
    os.mkdir(path)
    if record is not None:
        raw = json.dumps(record)
    if raw is not None:
        with open(os.path.join(path, 'owner.json'), 'w') as handle:
            handle.write(raw)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def record(token='theirs', owner='add_client lyon', created_at=None, ttl=1800):
    return {'token': token, 'owner': owner, 'controller': '10.0.0.5',
            'created_at': time.time() if created_at is None else created_at, 'ttl': ttl}


# --- pure decisions ------------------------------------------------------------------------

def test_validate():
    assert _lock.validate({'name': 'opt-clients', 'timeout': 0, 'ttl': 1}) == []
    assert _lock.validate({'name': 'a' * 64, 'timeout': 120, 'ttl': 1800}) == []
    for bad in ('', '-x', '.x', 'a/b', '../x', 'a b', 'a' * 65, None):
        errors = _lock.validate({'name': bad, 'timeout': 1, 'ttl': 1}, 'fr')
        assert len(errors) == 1 and 'nom de verrou' in errors[0]
    errors = _lock.validate({'name': 'ok', 'timeout': -1, 'ttl': 0})
    assert len(errors) == 2
    assert 'timeout -1' in errors[0] and 'ttl 0' in errors[1]


def test_holder_view_from_record_and_from_mtime():
    view = _lock.holder_view(record(created_at=1000.0, ttl=60), 5.0, 1800, now=1030.0)
    assert view['owner'] == 'add_client lyon' and view['token'] == 'theirs'
    assert view['created_at'] == 1000.0 and view['ttl'] == 60 and view['age'] == 30.0
    assert view['since'].startswith('1970-01-01T') or view['since'].startswith('1969-12-31T')
    assert not _lock.is_stale(view, 1060.0) and _lock.is_stale(view, 1060.5)

    for broken in (None, [], {'created_at': 'yesterday', 'ttl': 'x', 'token': 3}, {'ttl': True}):
        view = _lock.holder_view(broken, 500.0, 30, now=520.0)
        assert view['created_at'] == 500.0 and view['ttl'] == 30 and view['token'] is None
        assert view['owner'] is None
        assert _lock.owner_text(view) == '(unknown: owner.json missing or unreadable)'
        assert _lock.owner_text(view, 'fr') == '(inconnu : owner.json absent ou illisible)'
    assert 'token' not in _lock.public_holder(view)


def test_busy_message_in_both_languages(tmp_path):
    holder = _lock.holder_view(record(created_at=1000.0), 0, 1800, 1100.0)
    exc = _lock.LockBusy('/run/coaxis-opt/locks/opt-clients.lock', holder, 120.0)
    english, french = _lock.busy_message(exc, 'en'), _lock.busy_message(exc, 'fr')
    for text in (english, french):
        assert 'add_client lyon' in text and holder['since'] in text
        assert 'rm -rf /run/coaxis-opt/locks/opt-clients.lock' in text
    assert 'held by' in english and 'tenu par' in french


# --- acquire / release on a real directory -------------------------------------------------

def test_acquire_free_lock_creates_dir_and_owner(tmp_path):
    lock_dir = tmp_path / 'run' / 'locks'
    got = _lock.acquire(str(lock_dir), 'opt-clients', 'add_client acme', 1800, 0, controller='10.0.0.9')
    assert stat.S_IMODE(os.stat(lock_dir).st_mode) == 0o700
    assert got['path'] == str(lock_dir / 'opt-clients.lock') and got['broke_stale'] is False
    assert len(got['token']) == 32 and got['waited'] < 1
    saved = json.loads((lock_dir / 'opt-clients.lock' / 'owner.json').read_text())
    assert saved['token'] == got['token'] and saved['owner'] == 'add_client acme'
    assert saved['controller'] == '10.0.0.9' and saved['ttl'] == 1800
    assert abs(saved['created_at'] - time.time()) < 5


def test_held_lock_times_out_after_bounded_polls(tmp_path):
    clock = FakeClock()
    path = plant(tmp_path, record=record(created_at=clock.now - 10))
    with pytest.raises(_lock.LockBusy) as info:
        _lock.acquire(str(tmp_path), 'opt-clients', 'me', 1800, 3, clock=clock, sleep=clock.sleep)
    assert info.value.path == path and info.value.holder['owner'] == 'add_client lyon'
    assert 3 <= info.value.waited < 3.6
    assert all(0 < pause <= _lock.POLL_MAX for pause in clock.sleeps)
    assert all(pause >= _lock.POLL_MIN for pause in clock.sleeps[:-1])
    assert json.loads(open(os.path.join(path, 'owner.json')).read())['token'] == 'theirs'


def test_timeout_zero_tries_once(tmp_path):
    clock = FakeClock()
    plant(tmp_path, record=record(created_at=clock.now))
    with pytest.raises(_lock.LockBusy):
        _lock.acquire(str(tmp_path), 'opt-clients', 'me', 1800, 0, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []


def test_stale_lock_is_broken(tmp_path):
    plant(tmp_path, record=record(created_at=time.time() - 100, ttl=60))
    got = _lock.acquire(str(tmp_path), 'opt-clients', 'me', 1800, 0)
    assert got['broke_stale'] is True and got['token'] != 'theirs'
    assert sorted(os.listdir(str(tmp_path))) == ['.opt-clients.guard', 'opt-clients.lock']


def test_lock_without_owner_file_counts_from_its_mtime(tmp_path):
    # a holder killed between mkdir and write: young -> wait, old (> ttl of the waiter) -> break
    plant(tmp_path, mtime=time.time() - 5)
    with pytest.raises(_lock.LockBusy) as info:
        _lock.acquire(str(tmp_path), 'opt-clients', 'me', 60, 0)
    assert info.value.holder['owner'] is None
    assert '"(unknown: owner.json missing or unreadable)"' in _lock.busy_message(info.value)
    got = _lock.acquire(str(tmp_path), 'opt-clients', 'me', 3, 0)
    assert got['broke_stale'] is True


def test_corrupt_owner_file_counts_from_its_mtime(tmp_path):
    path = plant(tmp_path, raw='{"token": "half', mtime=time.time() - 100)
    os.utime(path, (time.time() - 100, time.time() - 100))
    assert _lock.acquire(str(tmp_path), 'opt-clients', 'me', 60, 0)['broke_stale'] is True


def test_second_breaker_does_not_break_the_fresh_lock(tmp_path):
    # both saw the stale lock; the first broke it and took a new one; the second, coming late,
    # re-reads under the guard and leaves the fresh lock alone
    plant(tmp_path, record=record(created_at=time.time() - 100, ttl=60))
    assert _lock.break_if_stale(str(tmp_path), 'opt-clients', 60) is True
    fresh = _lock.acquire(str(tmp_path), 'opt-clients', 'first', 60, 0)
    assert _lock.break_if_stale(str(tmp_path), 'opt-clients', 60) is False
    assert _lock.read_record(fresh['path'])['token'] == fresh['token']


def test_release(tmp_path):
    lock_dir = str(tmp_path)
    got = _lock.acquire(lock_dir, 'opt-clients', 'me', 1800, 0)
    assert _lock.release(lock_dir, 'opt-clients', None)['status'] == 'no_token'
    other = _lock.release(lock_dir, 'opt-clients', 'not-mine')
    assert other['status'] == 'not_owner' and other['holder']['owner'] == 'me'
    assert os.path.isdir(got['path'])
    assert _lock.release(lock_dir, 'opt-clients', got['token'])['status'] == 'released'
    assert not os.path.exists(got['path'])
    assert [entry for entry in os.listdir(lock_dir) if 'trash' in entry] == []
    assert _lock.release(lock_dir, 'opt-clients', got['token'])['status'] == 'absent'
    assert _lock.release(str(tmp_path / 'nowhere'), 'opt-clients', 'x')['status'] == 'absent'


def test_threads_racing_on_a_stale_lock_take_it_one_at_a_time(tmp_path):
    plant(tmp_path, record=record(created_at=time.time() - 100, ttl=60))
    inside, peak, results, errors = [0], [0], [], []
    mutex, start = threading.Lock(), threading.Barrier(6)

    def worker(index):
        try:
            start.wait()
            got = _lock.acquire(str(tmp_path), 'opt-clients', 'worker %d' % index, 60, 20)
            with mutex:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.05)
            with mutex:
                inside[0] -= 1
            results.append(got)
            assert _lock.release(str(tmp_path), 'opt-clients', got['token'])['status'] == 'released'
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(results) == 6 and peak[0] == 1
    assert sum(1 for got in results if got['broke_stale']) == 1
    assert len(set(got['token'] for got in results)) == 6


def _racer(lock_dir, label, go, events):
    go.wait()
    got = _lock.acquire(lock_dir, 'opt-clients', label, 60, 20)
    events.put((label, 'acquired', time.time(), got['waited'], got['token']))
    time.sleep(0.8)
    events.put((label, 'releasing', time.time(), None, None))
    _lock.release(lock_dir, 'opt-clients', got['token'])


def test_two_processes_race_exactly_one_wins_the_other_waits(tmp_path):
    context = multiprocessing.get_context('fork')
    go, events = context.Event(), context.Queue()
    racers = [context.Process(target=_racer, args=(str(tmp_path), label, go, events)) for label in ('a', 'b')]
    for racer in racers:
        racer.start()
    go.set()
    seen = [events.get(timeout=30) for _index in range(4)]
    for racer in racers:
        racer.join(30)
        assert racer.exitcode == 0
    acquired = sorted((event for event in seen if event[1] == 'acquired'), key=lambda event: event[2])
    releasing = dict((event[0], event[2]) for event in seen if event[1] == 'releasing')
    first, second = acquired
    assert first[4] != second[4]
    assert first[3] < 0.5                        # the winner did not wait
    assert second[3] >= 0.5                      # the other one waited for the winner ...
    assert second[2] >= releasing[first[0]]      # ... and got the lock only after its release
    assert not os.path.exists(_lock.lock_path(str(tmp_path), 'opt-clients'))


# --- keepalive: the lock lives as long as the run --------------------------------------------

def test_a_renewed_lock_is_not_stale():
    now = 1_000_000.0
    old = {'token': 't', 'owner': 'site.yml', 'created_at': now - 100, 'ttl': 10}
    assert _lock.is_stale(_lock.holder_view(old, now - 100, 10, now), now)
    renewed = dict(old, renewed_at=now - 5)
    assert not _lock.is_stale(_lock.holder_view(renewed, now - 100, 10, now), now)
    assert _lock.is_stale(_lock.holder_view(renewed, now - 100, 10, now + 6), now + 6)
    # a corrupt renewal counts for nothing
    assert _lock.is_stale(_lock.holder_view(dict(old, renewed_at='soon'), now - 100, 10, now), now)


def _tree(procs):
    """Fake /proc readers from {pid: (parent, comm, argv)}."""
    return dict(argv=lambda pid: procs.get(pid, (0, '', []))[2],
                comm=lambda pid: procs.get(pid, (0, '', []))[1],
                parent=lambda pid: procs.get(pid, (0, '', []))[0])


def test_find_run_is_the_outermost_ansible_playbook_or_the_sshd_session():
    local = {
        100: (99, 'python3', ['/usr/bin/python3', '/root/.ansible/tmp/AnsiballZ_opt_lock.py']),
        99: (98, 'sh', ['/bin/sh', '-c', 'python3 ...']),
        98: (97, 'ansible-playboo', ['/venv/bin/python3', '/venv/bin/ansible-playbook', 'site.yml']),
        97: (50, 'ansible-playboo', ['/venv/bin/python3', '/venv/bin/ansible-playbook', 'site.yml']),
        50: (1, 'bash', ['-bash']),
    }
    assert _lock.find_run(100, **_tree(local)) == (97, 'ansible')
    remote = {
        100: (99, 'python3', ['/usr/bin/python3']),
        99: (98, 'sh', ['/bin/sh', '-c', 'sudo ...']),
        98: (41, 'sudo', ['sudo', '-H', '-S', '-n']),
        41: (40, 'bash', ['bash', '-c', '...']),
        40: (30, 'sshd', ['sshd: opt-admin@notty']),
        30: (1, 'sshd', ['sshd: opt-admin [priv]']),
    }
    assert _lock.find_run(100, **_tree(remote)) == (40, 'sshd')
    assert _lock.find_run(100, **_tree({100: (7, 'python3', []), 7: (1, 'cron', [])})) == (None, None)


def _sleeper():
    import subprocess
    return subprocess.Popen(['sleep', '60'])


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_heartbeat_keeps_a_short_ttl_lock_while_the_run_lives_then_lets_it_expire(tmp_path):
    lock_dir = str(tmp_path / 'locks')
    run = _sleeper()
    try:
        got = _lock.acquire(lock_dir, 'opt-clients', 'site.yml', ttl=1, timeout=0)
        assert _lock.keep_alive(lock_dir, 'opt-clients', got['token'], 1, run_pid=run.pid, kind='ansible') == 'ansible'
        beat = _lock.read_record(got['path'])['heartbeat']
        assert _lock.process_alive(beat)
        time.sleep(2.5)   # well past the ttl
        with pytest.raises(_lock.LockBusy):
            _lock.acquire(lock_dir, 'opt-clients', 'second run', ttl=1, timeout=0)
        run.kill()
        run.wait()
        t0 = time.monotonic()
        second = _lock.acquire(lock_dir, 'opt-clients', 'second run', ttl=1, timeout=5)
        # the heartbeat sees the run gone within ttl/3 s; the lock expires ttl s after the last renewal
        assert second['broke_stale'] and time.monotonic() - t0 < 2.5
        assert _wait(lambda: not _lock.process_alive(beat), 2)
    finally:
        run.kill()
        run.wait()


def test_release_stops_the_heartbeat(tmp_path):
    lock_dir = str(tmp_path / 'locks')
    run = _sleeper()
    try:
        got = _lock.acquire(lock_dir, 'opt-clients', 'site.yml', ttl=30, timeout=0)
        _lock.keep_alive(lock_dir, 'opt-clients', got['token'], 30, run_pid=run.pid, kind='ansible')
        beat = _lock.read_record(got['path'])['heartbeat']
        assert _lock.release(lock_dir, 'opt-clients', got['token'])['status'] == 'released'
        assert _wait(lambda: not _lock.process_alive(beat), 2)
        assert not os.path.exists(got['path'])
    finally:
        run.kill()
        run.wait()


def test_heartbeat_stops_when_the_lock_is_no_longer_its_own(tmp_path):
    """Broken by hand (rm -rf) and taken by another run: the heartbeat does not renew the other's."""
    lock_dir = str(tmp_path / 'locks')
    run = _sleeper()
    try:
        got = _lock.acquire(lock_dir, 'opt-clients', 'site.yml', ttl=1, timeout=0)
        _lock.keep_alive(lock_dir, 'opt-clients', got['token'], 1, run_pid=run.pid, kind='ansible')
        beat = _lock.read_record(got['path'])['heartbeat']
        _lock.discard(got['path'])
        other = _lock.acquire(lock_dir, 'opt-clients', 'other', ttl=1, timeout=0, )
        assert _wait(lambda: not _lock.process_alive(beat), 2)
        assert 'renewed_at' not in _lock.read_record(other['path'])
    finally:
        run.kill()
        run.wait()


def test_heartbeat_loop_stops_for_each_reason(tmp_path):
    lock_dir = str(tmp_path / 'locks')
    got = _lock.acquire(lock_dir, 'n', 'o', ttl=3, timeout=0)
    clock = FakeClock()
    alive = [True, True, False]
    why = _lock.heartbeat(lock_dir, 'n', got['token'], 3, {'pid': 1}, clock=clock, sleep=clock.sleep,
                          alive=lambda run: alive.pop(0))
    assert why == 'run ended' and clock.sleeps == [1.0, 1.0, 1.0]
    assert _lock.read_record(got['path'])['renewed_at'] > 0
    clock = FakeClock()
    why = _lock.heartbeat(lock_dir, 'n', 'not-the-token', 3, {'pid': 1}, clock=clock, sleep=clock.sleep,
                          alive=lambda run: True)
    assert why == 'released'
    clock = FakeClock()
    why = _lock.heartbeat(lock_dir, 'n', got['token'], 3600, {'pid': 1}, clock=clock, sleep=clock.sleep,
                          alive=lambda run: True)
    assert why == 'time limit' and len(clock.sleeps) == _lock.KEEPALIVE_MAX // 60


def test_process_identity_tells_a_reused_pid_apart():
    me = _lock.process_identity(os.getpid())
    assert _lock.process_alive(me)
    assert not _lock.process_alive(dict(me, start=me['start'] + 1))
    assert not _lock.process_alive(None) and not _lock.process_alive({'pid': 'x'})
