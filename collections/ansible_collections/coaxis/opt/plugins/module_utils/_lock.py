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
import time
import uuid

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

DEFAULT_LOCK_DIR = '/run/coaxis-opt/locks'
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
OWNER_FILE = 'owner.json'
POLL_MIN, POLL_MAX = 0.2, 0.5


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
    return {
        'token': token if isinstance(token, str) else None,
        # None when owner.json is missing or unreadable: owner_text() says so in the operator's language.
        'owner': str(owner) if owner else None,
        'controller': record.get('controller'),
        'created_at': created_at,
        'since': iso_time(created_at),
        'ttl': ttl,
        'age': round(max(0.0, now - created_at), 1),
    }


def is_stale(holder, now):
    return now - holder['created_at'] > holder['ttl']


def public_holder(holder):
    """The holder as returned to the playbook: everything but its token."""
    return dict((key, value) for key, value in holder.items() if key != 'token')


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
    tmp = os.path.join(path, OWNER_FILE + '.tmp')
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
    return {'status': 'released', 'path': path, 'holder': None}
