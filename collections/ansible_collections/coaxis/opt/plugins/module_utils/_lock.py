# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A named lock on the Docker host that outlives one module run (stdlib only, no Docker).

The lock is the directory ``<lock_dir>/<name>.lock``, made with ``os.mkdir`` (atomic: one
process wins), holding ``owner.json`` (token, owner text, controller, created_at, ttl).

Breaking and releasing remove the directory, and both happen only under the *guard*: an
``fcntl.flock`` on ``<lock_dir>/.<name>.guard``, held for milliseconds and dropped by the kernel
if its process dies. Under the guard the lock directory can appear (someone's mkdir) but never be
replaced, so the holder read under the guard is the one that gets renamed away: two breakers
cannot both win, and a breaker never removes the fresh lock of the process that broke it first.
The removal is a rename to a unique trash name first, so ``<name>.lock`` disappears in one step.

Decisions (``holder_view``, ``is_stale``, ``validate``) are pure; filesystem operations are small
functions; ``acquire`` / ``release`` tie them together with an injectable clock and sleep.

Keepalive: a run may last longer than the ttl (a long ``site.yml``), and must not lose its lock to
it. At acquire, the module records *the run*: the outermost ``ansible-playbook`` (or ``ansible``)
process among its ancestors when the controller runs on this host, else the sshd session that
carries the controller's connection (it lives as long as the run's SSH connection). It then starts
a *heartbeat*: a detached process that rewrites ``renewed_at`` in ``owner.json`` every ttl/3 seconds
(60 at most) while the run lives and the lock still holds its token. A lock is stale ttl seconds after its last
renewal. So the lock stays held as long as the run lives, whatever the run's duration; when the run
ends it releases the lock (and stops the heartbeat); when the run is killed, the heartbeat sees it
gone within ttl/3 s and stops, and the lock expires ttl seconds later, as before. The heartbeat also
stops after KEEPALIVE_MAX seconds, whatever happens. Processes are named by pid *and* start time,
so a reused pid is never mistaken for them.

Why not renewal by the playbooks between steps: one long step (a converge of hundreds of
clients, a pause) would still outlive the ttl. Why not "held while the run's process lives" alone:
on a remote Docker host the controller's processes cannot be seen, and the ssh session that stands
for them may come and go (ControlPersist); with renewals the lock falls back on the ttl after the
last one, never on the time it was taken.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import json
import os
import random
import re
import shutil
import signal
import time
import uuid

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

DEFAULT_LOCK_DIR = '/run/coaxis-opt/locks'
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
OWNER_FILE = 'owner.json'
POLL_MIN, POLL_MAX = 0.2, 0.5
KEEPALIVE_MAX = 12 * 3600          # a heartbeat never renews for longer than this
RUN_NAMES = ('ansible-playbook', 'ansible')
SSHD_NAMES = ('sshd', 'sshd-session')


class LockBusy(Exception):
    """The lock stayed held by someone else for ``timeout`` seconds."""

    def __init__(self, path, holder, waited):
        super().__init__(path)
        self.path, self.holder, self.waited = path, holder, waited


# --- pure decisions ------------------------------------------------------------------------

def validate(params, lang='en'):
    """Operator messages for invalid name / timeout / ttl (empty list when all is fine)."""
    errors = []
    if not NAME_RE.fullmatch(params.get('name') or ''):
        errors.append(msg('lock_name_invalid', lang, name=params.get('name')))
    timeout = params.get('timeout')
    if timeout is None or timeout < 0:
        errors.append(msg('lock_timeout_invalid', lang, timeout=timeout))
    ttl = params.get('ttl')
    if ttl is None or ttl < 1:
        errors.append(msg('lock_ttl_invalid', lang, ttl=ttl))
    return errors


def lock_path(lock_dir, name):
    return os.path.join(lock_dir, name + '.lock')


def guard_path(lock_dir, name):
    return os.path.join(lock_dir, '.' + name + '.guard')


def iso_time(epoch):
    """Local time with offset, to the second: 2025-03-01T10:04:05+01:00."""
    return datetime.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec='seconds')


def new_record(owner, controller, ttl, now, token=None):
    return {'token': token or uuid.uuid4().hex, 'owner': owner, 'controller': controller,
            'created_at': now, 'ttl': ttl}


def freshness(record, created_at):
    """When the lock was last known alive: its last renewal, else its creation."""
    renewed = record.get('renewed_at') if isinstance(record, dict) else None
    if isinstance(renewed, (int, float)) and not isinstance(renewed, bool) and renewed > created_at:
        return renewed
    return created_at


def holder_view(record, mtime, default_ttl, now):
    """Who holds the lock, from owner.json (``record``, None if missing or corrupt) and the
    directory's mtime. A holder killed between mkdir and write has no record: it counts as
    created at the directory's mtime, with the waiter's ``default_ttl``."""
    record = record if isinstance(record, dict) else {}
    created_at = record.get('created_at')
    if not isinstance(created_at, (int, float)) or isinstance(created_at, bool):
        created_at = mtime
    ttl = record.get('ttl')
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1:
        ttl = default_ttl
    token = record.get('token')
    owner = record.get('owner')
    fresh = freshness(record, created_at)
    return {
        'token': token if isinstance(token, str) else None,
        # None when owner.json is missing or unreadable: owner_text() says so in the operator's language.
        'owner': str(owner) if owner else None,
        'controller': record.get('controller'),
        'created_at': created_at,
        'since': iso_time(created_at),
        'ttl': ttl,
        'age': round(max(0.0, now - created_at), 1),
        'renewed_at': fresh,
        'heartbeat': record.get('heartbeat') if isinstance(record.get('heartbeat'), dict) else None,
    }


def is_stale(holder, now):
    """Stale ttl seconds after the last sign of life (renewal, else creation)."""
    return now - holder.get('renewed_at', holder['created_at']) > holder['ttl']


def public_holder(holder):
    """The holder as returned to the playbook: everything but its token and its heartbeat."""
    return dict((key, value) for key, value in holder.items() if key not in ('token', 'heartbeat'))


def owner_text(holder, lang='en'):
    """The holder's owner text for a message (owner.json may be missing or unreadable)."""
    return holder['owner'] or msg('lock_owner_unknown', lang)


def busy_message(exc, lang='en'):
    holder = exc.holder
    return msg('lock_busy', lang, path=exc.path, owner=owner_text(holder, lang), since=holder['since'],
               ttl=holder['ttl'], waited=round(exc.waited, 1))


# --- filesystem operations -----------------------------------------------------------------

def ensure_lock_dir(lock_dir):
    """Create ``lock_dir`` (mode 0700) if missing; an existing one is left as it is."""
    if not os.path.isdir(lock_dir):
        try:
            os.makedirs(lock_dir, mode=0o700)
        except FileExistsError:
            pass


def try_mkdir(path):
    """True if this call created ``path`` (we own the lock), False if it already exists."""
    try:
        os.mkdir(path, 0o700)
        return True
    except FileExistsError:
        return False


def write_record(path, record):
    """owner.json written to a temporary name then renamed: readers never see half a file."""
    tmp = os.path.join(path, '%s.%s.tmp' % (OWNER_FILE, uuid.uuid4().hex))
    with open(tmp, 'w') as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, os.path.join(path, OWNER_FILE))


def read_record(path):
    """owner.json as a dict, or None when missing or corrupt."""
    try:
        with open(os.path.join(path, OWNER_FILE)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def dir_mtime(path):
    """mtime of ``path``, or None when it does not exist (any more)."""
    try:
        return os.stat(path).st_mtime
    except FileNotFoundError:
        return None


def observe(path, default_ttl, now):
    """The current holder of ``path``, or None when the lock is free."""
    mtime = dir_mtime(path)
    if mtime is None:
        return None
    return holder_view(read_record(path), mtime, default_ttl, now)


def discard(path):
    """Rename ``path`` to a unique trash name (it disappears in one step), then remove it.
    False when ``path`` was already gone."""
    trash = '%s.trash-%s' % (path, uuid.uuid4().hex)
    try:
        os.rename(path, trash)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise
    shutil.rmtree(trash, ignore_errors=True)
    return True


class Guard:
    """Exclusive flock on the guard file while breaking or releasing (released on exit or death)."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def break_if_stale(lock_dir, name, default_ttl, clock=time.time):
    """Under the guard: re-read the holder and discard the lock only if it is stale *now*.
    True when this call broke it."""
    path = lock_path(lock_dir, name)
    with Guard(guard_path(lock_dir, name)):
        holder = observe(path, default_ttl, clock())
        if holder is None or not is_stale(holder, clock()):
            return False
        return discard(path)


# --- acquire / release ---------------------------------------------------------------------

def acquire(lock_dir, name, owner, ttl, timeout, controller=None, clock=time.time, sleep=time.sleep):
    """Take the lock, waiting at most ``timeout`` seconds.

    Returns dict(token, path, waited, broke_stale); raises LockBusy when the time is up.
    """
    ensure_lock_dir(lock_dir)
    path = lock_path(lock_dir, name)
    start = clock()
    broke_stale = False
    while True:
        if try_mkdir(path):
            record = new_record(owner, controller, ttl, clock())
            try:
                write_record(path, record)
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            return {'token': record['token'], 'path': path, 'waited': round(clock() - start, 2),
                    'broke_stale': broke_stale}
        now = clock()
        holder = observe(path, ttl, now)
        if holder is None:
            continue  # released between our mkdir and our look: try again at once
        if is_stale(holder, now):
            if break_if_stale(lock_dir, name, ttl, clock):
                broke_stale = True
            continue
        remaining = timeout - (now - start)
        if remaining <= 0:
            raise LockBusy(path, holder, now - start)
        sleep(min(remaining, random.uniform(POLL_MIN, POLL_MAX)))


def release(lock_dir, name, token, clock=time.time):
    """Release the lock if ``token`` is the holder's.

    Returns dict(status, path, holder): status is ``released``, ``absent`` (no lock),
    ``no_token`` (nothing to release with) or ``not_owner`` (left in place; holder set).
    """
    path = lock_path(lock_dir, name)
    if not token:
        return {'status': 'no_token', 'path': path, 'holder': None}
    if not os.path.isdir(lock_dir):
        return {'status': 'absent', 'path': path, 'holder': None}
    with Guard(guard_path(lock_dir, name)):
        holder = observe(path, 1, clock())
        if holder is None:
            return {'status': 'absent', 'path': path, 'holder': None}
        if holder['token'] != token:
            return {'status': 'not_owner', 'path': path, 'holder': holder}
        discard(path)
    stop_heartbeat(holder.get('heartbeat'))
    return {'status': 'released', 'path': path, 'holder': None}


# --- processes: the run the lock follows, its heartbeat ---------------------------------------

def process_identity(pid):
    """{'pid', 'start'} of a live process (start: its start time in clock ticks since boot,
    which tells it from a later process with the same pid), or None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            stat = handle.read()
    except (OSError, ValueError):
        return None
    fields = stat.rsplit(')', 1)[1].split()
    if fields[0] in ('Z', 'X'):
        return None
    return {'pid': pid, 'start': int(fields[19])}


def process_alive(identity):
    """True while the process named by ``identity`` (pid and start time) lives."""
    if not isinstance(identity, dict) or not isinstance(identity.get('pid'), int):
        return False
    now = process_identity(identity['pid'])
    return now is not None and now['start'] == identity.get('start')


def _parent(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return int(handle.read().rsplit(')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _argv(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return [a.decode('utf-8', 'replace') for a in handle.read().split(b'\0') if a]
    except OSError:
        return []


def _comm(pid):
    try:
        with open('/proc/%d/comm' % pid) as handle:
            return handle.read().strip()
    except OSError:
        return ''


def is_run_argv(argv):
    """An ansible-playbook / ansible command line (run directly or by a python interpreter)."""
    for arg in argv[:3]:
        if os.path.basename(arg) in RUN_NAMES:
            return True
    return False


def find_run(pid=None, argv=_argv, comm=_comm, parent=_parent):
    """The process whose life the lock follows (see the module docstring): the outermost
    ansible-playbook/ansible ancestor of ``pid`` (default: this process), else the nearest sshd
    session, else None. Returns (pid, kind) with kind ``ansible`` or ``sshd``."""
    pid = os.getpid() if pid is None else pid
    run, sshd, seen = None, None, 0
    current = parent(pid)
    while current > 1 and seen < 64:
        if is_run_argv(argv(current)):
            run = current
        elif sshd is None and comm(current) in SSHD_NAMES:
            sshd = current
        current = parent(current)
        seen += 1
    if run:
        return run, 'ansible'
    if sshd:
        return sshd, 'sshd'
    return None, None


def renew(lock_dir, name, token, clock=time.time):
    """Under the guard: write ``renewed_at`` if the lock still holds ``token``. False when the
    lock is gone or someone else's (the heartbeat then stops)."""
    path = lock_path(lock_dir, name)
    with Guard(guard_path(lock_dir, name)):
        record = read_record(path)
        if not isinstance(record, dict) or record.get('token') != token:
            return False
        record['renewed_at'] = clock()
        write_record(path, record)
    return True


def heartbeat_interval(ttl):
    return max(0.2, min(60.0, ttl / 3.0))


def heartbeat(lock_dir, name, token, ttl, run, clock=time.monotonic, sleep=time.sleep, wall=time.time,
              alive=process_alive):
    """Renew the lock every ttl/3 s (60 at most) while ``run`` lives and the lock is ours, KEEPALIVE_MAX s at
    most. Returns why it stopped: ``released``, ``run ended`` or ``time limit``."""
    interval = heartbeat_interval(ttl)
    start = clock()
    while clock() - start < KEEPALIVE_MAX:
        sleep(interval)
        if not alive(run):
            return 'run ended'
        try:
            if not renew(lock_dir, name, token, wall):
                return 'released'
        except OSError:
            return 'released'
    return 'time limit'


def start_heartbeat(lock_dir, name, token, ttl, run):
    """Start ``heartbeat`` in a detached process (double fork, own session, no inherited
    descriptor, so the module's caller does not wait for it). Returns its identity."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # first child: start the heartbeat, tell its pid, leave
        try:
            os.close(read_end)
            os.setsid()
            grandchild = os.fork()
            if grandchild:
                os.write(write_end, str(grandchild).encode())
            else:
                os.close(write_end)
                _detach()
                try:
                    heartbeat(lock_dir, name, token, ttl, run)
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.close(write_end)
    data = b''
    while True:
        chunk = os.read(read_end, 32)
        if not chunk:
            break
        data += chunk
    os.close(read_end)
    os.waitpid(child, 0)
    return process_identity(int(data)) if data else None


def _detach():
    """The heartbeat holds nothing of the module's: cwd /, stdio on /dev/null, no other fd."""
    os.chdir('/')
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 65536)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def stop_heartbeat(identity):
    """SIGTERM to the heartbeat named by ``identity`` if it still runs (it would stop by itself
    within ttl/3 s anyway, finding the lock gone)."""
    if process_alive(identity):
        try:
            os.kill(identity['pid'], signal.SIGTERM)
        except OSError:
            pass


def keep_alive(lock_dir, name, token, ttl, run_pid=None, kind=None):
    """After ``acquire``: find the run (unless given) and start the heartbeat; record both in
    owner.json. Returns the run's kind (``ansible``, ``sshd``) or None when no run was found (the
    lock then lives for its ttl, as without keepalive)."""
    if run_pid is None:
        run_pid, kind = find_run()
    run = process_identity(run_pid) if run_pid else None
    if run is None:
        return None
    beat = start_heartbeat(lock_dir, name, token, ttl, run)
    path = lock_path(lock_dir, name)
    with Guard(guard_path(lock_dir, name)):
        record = read_record(path)
        if isinstance(record, dict) and record.get('token') == token:
            record['run'] = dict(run, kind=kind)
            record['heartbeat'] = beat
            write_record(path, record)
    return kind


def acquire_kept(lock_dir, name, owner, ttl, timeout, keepalive, controller=None):
    """acquire(), then (when ``keepalive``) keep_alive(): the answer with its ``keepalive``. A
    keeper that cannot start gives the lock back: it would go stale under a running playbook."""
    taken = acquire(lock_dir, name, owner, ttl, timeout, controller=controller)
    taken['keepalive'] = None
    if keepalive:
        try:
            taken['keepalive'] = keep_alive(lock_dir, name, taken['token'], ttl)
        except BaseException:
            release(lock_dir, name, taken['token'])
            raise
    return taken


def not_owner_message(holder, path, lang='en'):
    """The warning for a release with a token that is not the holder's."""
    return msg('lock_not_owner', lang, path=path, owner=owner_text(holder, lang), since=holder['since'])
