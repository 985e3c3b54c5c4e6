# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the tunnel actions (mast start/stop/restart/status): pure functions, no Docker.

Input is what ``mast status --json`` prints in a client's container; output is what to run,
whether that changes anything, which sites to wait for and what the operator reads.
"""

from __future__ import annotations

import json

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

ACTIONS = ('status', 'start', 'stop', 'restart')
# mast's exit codes (images/docker-opt/README.md): 0 all up, 1 not all up (3, no daemon, is a failure).
MAST_STATUS_OK = (0, 1)
# mast keeps retrying a site in `down`, but its error is permanent (host key, key, name):
# waiting longer would only delay the report.
FINAL_STATES = ('up', 'down')


def parse_status(text):
    """{site name: site dict} from ``mast status --json`` output; ValueError when unreadable."""
    data = json.loads(text)
    if not isinstance(data, dict) or not data.get('ok') or not isinstance(data.get('sites'), list):
        raise ValueError('not a mast status document')
    return dict((site['site'], site) for site in data['sites'])


def site_view(site):
    """What the module returns for one site (mast's status, trimmed to what an operator uses)."""
    return {
        'name': site['site'],
        'state': site.get('state'),
        'since': site.get('since'),
        'pid': site.get('pid'),
        'last_error': site.get('last_error'),
        'limits': site.get('limits') or {},
        'operator_stopped': bool(site.get('operator_stopped')),
        'printers': [{'name': p['name'], 'listen_port': p['listen_port'],
                      'target': '%s:%s' % (p['address'], p.get('port', 9100))}
                     for p in site.get('printers') or []],
    }


def check_client(client, container, container_state, observed, site, lang='en'):
    """Operator messages that stop the run before any action, for one client.

    container_state: the container's status ('running', 'exited', ...) or None when it does not
    exist; observed: the parsed status ({site: dict}), or None when it could not be read.
    """
    if container_state is None:
        return [msg('tunnel_no_container', lang, client=client, container=container)]
    if container_state != 'running':
        return [msg('tunnel_container_not_running', lang, client=client, container=container,
                    state=container_state)]
    if observed is not None and site and site not in observed:
        return [msg('tunnel_unknown_site', lang, client=client, site=site,
                    known=', '.join(sorted(observed)) or '-')]
    return []


def is_stopped(site):
    return site.get('state') == 'stopped' or bool(site.get('operator_stopped'))


def plan(action, observed, site=None):
    """What one client's action does.

    Returns {'selected': [sites], 'act': [sites passed to mast], 'changed': bool,
    'wait_for': [sites to wait for], 'expected': {site: state after}}. A stop of a stopped
    site and a start of a site that is not stopped (mast leaves a running tunnel alone) change
    nothing; a restart always does (a new ssh session).
    """
    selected = [site] if site else sorted(observed)
    if action == 'stop':
        act = [s for s in selected if not is_stopped(observed[s])]
    elif action == 'start':
        act = [s for s in selected if is_stopped(observed[s])]
    elif action == 'restart':
        act = list(selected)
    else:
        act = []
    if action in ('start', 'restart'):
        wait_for = list(selected)
    elif action == 'status':
        wait_for = [s for s in selected if not is_stopped(observed[s])]
    else:
        wait_for = []
    expected = {}
    for name in selected:
        before = observed[name].get('state')
        if name in act:
            expected[name] = 'stopped' if action == 'stop' else 'up'
        else:
            expected[name] = before
    return {'selected': selected, 'act': act, 'changed': bool(act), 'wait_for': wait_for, 'expected': expected}


def pending(observed, wait_for):
    """The sites of wait_for not yet in a final state (up, or down with a permanent error)."""
    return [s for s in wait_for if (observed.get(s) or {}).get('state') not in FINAL_STATES]


def not_up(observed, wait_for):
    """The sites of wait_for that are not up, each as 'site (state: last error)'."""
    out = []
    for name in wait_for:
        site = observed.get(name) or {}
        if site.get('state') != 'up':
            detail = site.get('state') or 'unknown'
            if site.get('last_error') and detail != 'stopped':
                detail += ': ' + site['last_error']
            out.append('%s (%s)' % (name, detail))
    return out


def diff(before, after):
    """Per-site states, 'client/site: state' lines, for --diff."""
    def text(states):
        return ''.join('%s/%s: %s\n' % (client, site, states[client][site])
                       for client in sorted(states) for site in sorted(states[client]))
    return {'before': text(before), 'after': text(after)}
