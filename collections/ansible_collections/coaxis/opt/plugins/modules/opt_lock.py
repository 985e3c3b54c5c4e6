#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_lock
short_description: A named lock on the Docker host around plan and apply (Coaxis OPT)
version_added: 0.1.0
description:
  - Takes or releases a lock on the managed host, so that two playbook runs against one Docker
    host never plan and apply client addresses at the same time.
  - The lock is the directory C(<lock_dir>/<name>.lock), created atomically, holding C(owner.json)
    (token, owner text, controller address, creation time, ttl).
  - O(state=acquired) waits at most O(timeout) seconds, then fails naming the holder, since when,
    and how to break the lock by hand. A lock not renewed for its ttl is stale and is broken.
  - With O(keepalive), the lock stays held as long as the run that took it lives, however long it
    lasts. The run is the outermost C(ansible-playbook) process above the module when the
    controller runs on the managed host, else the SSH session of the controller's connection. A
    detached heartbeat process renews the lock every ttl/3 seconds (60 at most) while that run
    lives and the lock is still its own, and stops when the lock is released, when the run ends (the lock then
    expires ttl seconds after the last renewal), or after 12 hours.
  - O(state=released) removes the lock only when O(token) is the holder's; a lock of someone
    else is left in place with a warning, a missing lock or an omitted O(token) is fine.
  - The module never reports a change. The lock is coordination that the run restores before it
    ends, so a second run of the same playbook still reports C(changed=0).
extends_documentation_fragment:
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description:
      - In check mode the lock is still taken and released, because a check run reads the Docker
        engine too and must not read it in the middle of another run's changes.
  diff_mode:
    support: none
    description: Nothing to diff, the lock is not a managed resource.
options:
  name:
    description:
      - Name of the lock, 1 to 64 letters, digits, C(_), C(.) or C(-), starting with a letter or digit.
    type: str
    required: true
  state:
    description:
      - V(acquired) takes the lock, waiting for it if needed.
      - V(released) gives back the lock taken with O(token).
    type: str
    default: acquired
    choices: [acquired, released]
  timeout:
    description:
      - Seconds to wait for the lock with O(state=acquired). V(0) tries once.
    type: int
    default: 120
  ttl:
    description:
      - Seconds without renewal after which the lock taken by this task counts as stale and may be
        broken by another run. With O(keepalive), the heartbeat renews it every ttl/3 seconds (60 at most).
      - Also the age after which a lock without a readable C(owner.json) counts as stale.
    type: int
    default: 1800
  keepalive:
    description:
      - With O(state=acquired), keep the lock alive while the run lives (see the description).
      - V(false) lets the lock go stale O(ttl) seconds after it was taken, even while the run works.
    type: bool
    default: true
  owner:
    description:
      - Free text stored with the lock and shown to whoever waits for it.
    type: str
    default: ansible
  token:
    description:
      - With O(state=released), the RV(token) returned when the lock was acquired.
      - When omitted, releasing does nothing.
    type: str
  lock_dir:
    description:
      - Directory of the locks on the managed host, created with mode C(0700) if missing.
    type: path
    default: /run/coaxis-opt/locks
  lang:
    description:
      - Language of the operator-facing messages.
    type: str
    default: en
    choices: [en, fr]
notes:
  - To break a lock by hand, remove its directory on the Docker host, for example
    C(rm -rf /run/coaxis-opt/locks/opt-clients.lock).
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Plan and apply under the Docker host's lock
  block:
    - name: Take the Docker host's lock
      coaxis.opt.opt_lock:
        name: opt-clients
        state: acquired
        timeout: 120
        ttl: 1800
        owner: add_client acme
      register: add_client_lock

    - name: Plan and apply
      ansible.builtin.debug:
        msg: "plan and apply here"
  always:
    - name: Release the Docker host's lock
      coaxis.opt.opt_lock:
        name: opt-clients
        state: released
        token: "{{ add_client_lock.token | default(omit) }}"
"""

RETURN = r"""
token:
  description: Token of the lock taken, to give back with O(state=released).
  returned: state is acquired and success
  type: str
  sample: 3f2b8c1e9a4d4b7c8e0f1a2b3c4d5e6f
path:
  description:
    - Path of the lock directory.
    - As for any module result with a C(path), Ansible adds the directory's C(uid), C(gid), C(owner),
      C(group), C(mode), C(state) and C(size) while it exists; the holder's owner text is in RV(holder.owner).
  returned: always
  type: str
  sample: /run/coaxis-opt/locks/opt-clients.lock
waited:
  description: Seconds spent waiting for the lock (V(0) when released).
  returned: always
  type: float
  sample: 0.0
broke_stale:
  description: Whether a stale lock was broken to take this one.
  returned: always
  type: bool
keepalive:
  description:
    - What keeps the lock alive with O(keepalive) - V(ansible) (the ansible-playbook process on this
      host), V(sshd) (the SSH session of the controller's connection) - or null when no such process
      was found (the lock then goes stale O(ttl) seconds after it was taken).
  returned: state is acquired and success
  type: str
  sample: ansible
plan:
  description: Always empty - taking or giving back the lock changes nothing the run manages.
  returned: always
  type: list
  elements: dict
summary:
  description: The operator's lines (none for this module; a lock held by someone else is a warning).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
holder:
  description:
    - Who holds the lock, when it could not be taken in time or could not be released with O(token).
    - Its token is never returned.
  returned: when the lock is held by someone else
  type: dict
  contains:
    owner:
      description: Owner text of the holder; null when its C(owner.json) is missing or unreadable.
      type: str
    controller:
      description: Address of the controller that took the lock, when known.
      type: str
    created_at:
      description: When the lock was taken, in seconds since the epoch.
      type: float
    since:
      description: When the lock was taken, ISO 8601 local time.
      type: str
      sample: "2025-03-01T10:04:05+01:00"
    renewed_at:
      description: When the lock was last renewed (else taken), in seconds since the epoch.
      type: float
    ttl:
      description: Seconds after which the lock is stale.
      type: int
    age:
      description: Age of the lock in seconds.
      type: float
"""

import os

from ansible_collections.coaxis.opt.plugins.module_utils import _lock
from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', default='acquired', choices=['acquired', 'released']),
    timeout=dict(type='int', default=120),
    ttl=dict(type='int', default=1800),
    keepalive=dict(type='bool', default=True),
    owner=dict(type='str', default='ansible'),
    token=dict(type='str', no_log=False),
    lock_dir=dict(type='path', default=_lock.DEFAULT_LOCK_DIR),
    lang=dict(type='str', default='en', choices=list(LANGS)),
)


def controller_address():
    """The controller's address as the managed host sees it (SSH_CLIENT), None when local."""
    return (os.environ.get('SSH_CLIENT') or '').split(' ')[0] or None


def plan(run):
    errors = _lock.validate(run.params, run.lang)
    if errors:
        raise Refused(errors)
    path = _lock.lock_path(run.params['lock_dir'], run.params['name'])
    return Plan(changed=False, path=path, waited=0.0, broke_stale=False)


def apply(run, planned):
    """Take or give back the lock, in check mode too: a check run reads what a converge writes."""
    params, result = run.params, planned.result
    try:
        if params['state'] == 'acquired':
            result.update(_lock.acquire_kept(params['lock_dir'], params['name'], params['owner'], params['ttl'],
                                             params['timeout'], params['keepalive'], controller_address()))
            return
        outcome = _lock.release(params['lock_dir'], params['name'], params['token'])
        if outcome['status'] == 'not_owner':
            run.warn(_lock.not_owner_message(outcome['holder'], result['path'], run.lang))
            result['holder'] = _lock.public_holder(outcome['holder'])
    except _lock.LockBusy as exc:
        raise Refused(_lock.busy_message(exc, run.lang), waited=round(exc.waited, 2),
                      holder=_lock.public_holder(exc.holder), path=result['path']) from None
    except OSError as exc:
        raise Refused(run.msg('lock_io_error', path=result['path'], error=str(exc)), path=result['path']) from None


def main():
    Runner(SPEC, plan, apply, docker=False, always_apply=True).main()


if __name__ == '__main__':
    main()
