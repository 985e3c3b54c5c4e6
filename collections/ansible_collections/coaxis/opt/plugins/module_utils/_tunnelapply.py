# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tunnels in the clients' containers: read mast's status (bounded waits), run mast's actions."""

from __future__ import annotations

import time

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _tunnelplan

# A container just (re)started answers on mast's socket within about a second.
DAEMON_WAIT = 10
POLL = 0.5


def run_mast(client, container, args):
    """(exit code, stdout text, stderr clipped): stdout whole, since the JSON can be long."""
    code, out, err = _docker.exec_streams(client, container, ['mast'] + args)
    return code, out, _docker.clip_output(err)


def read_status(client, container):
    """(observed, None) or (None, (code, output)) when mast gave no status document."""
    code, out, err = run_mast(client, container, ['status', '--json'])
    if code in _tunnelplan.MAST_STATUS_OK:
        try:
            return _tunnelplan.parse_status(out), None
        except (ValueError, KeyError, TypeError):
            pass
    return None, (code, err or _docker.clip_output(out))


def first_status(client, container):
    deadline = time.monotonic() + DAEMON_WAIT
    while True:
        observed, failure = read_status(client, container)
        if observed is not None or time.monotonic() > deadline:
            return observed, failure
        time.sleep(POLL)


def container_state(client, container):
    try:
        return client.api.inspect_container(container)['State'].get('Status')
    except _docker.NotFound:
        return None


def wait_states(client, containers, plans, observed, wait):
    """Read every client's status until its wait_for sites are final or ``wait`` s passed."""
    deadline = time.monotonic() + max(wait, 0)
    after = dict(observed)
    todo = list(plans)
    while True:
        for name in list(todo):
            status, _failure = read_status(client, containers[name])
            if status is not None:
                after[name] = status
                if not _tunnelplan.pending(status, plans[name]['wait_for']):
                    todo.remove(name)
        if not todo or time.monotonic() >= deadline:
            return after
        time.sleep(POLL)
