# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One client's state from what its container says: pure functions, no Docker.

Inputs are the container's state and the outputs of ``mast status --json`` and
``mast probe --json`` run inside it; the output is what coaxis.opt.opt_probe returns per client
and what the status report (``_report``) renders.
"""

from __future__ import annotations

import json

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def mast_command(tcp_timeout, ping_timeout, ssh_timeout):
    return ['mast', 'probe', '--json', '--tcp-timeout', '%g' % tcp_timeout,
            '--ping-timeout', '%g' % ping_timeout, '--ssh-timeout', '%g' % ssh_timeout]


def _parse(output):
    """The JSON document a mast command printed, or None."""
    try:
        data = json.loads(output or '')
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _check(value):
    value = value if isinstance(value, dict) else {}
    return {'state': value.get('state') or 'unknown', 'ms': value.get('ms'), 'error': value.get('error')}


def merge_sites(status, probe):
    """Sites from both documents, in the probe's order, then any only the daemon knows."""
    by_status = dict((s.get('site'), s) for s in (status or {}).get('sites') or [])
    probed = (probe or {}).get('sites') or []
    names = [s.get('site') for s in probed] + [n for n in by_status if n not in [s.get('site') for s in probed]]
    by_probe = dict((s.get('site'), s) for s in probed)
    sites = []
    for name in names:
        st, pr = by_status.get(name) or {}, by_probe.get(name) or {}
        status_printers = dict((p.get('name'), p) for p in st.get('printers') or [])
        printers = []
        for p in pr.get('printers') or st.get('printers') or []:
            known = status_printers.get(p.get('name')) or {}
            printers.append({'name': p.get('name'), 'address': p.get('address') or known.get('address'),
                             'port': p.get('port') or known.get('port'),
                             'listen_port': p.get('listen_port') or known.get('listen_port'),
                             'state': p.get('state') if pr else 'unknown', 'error': p.get('error') if pr else None})
        sites.append({'site': name, 'host': pr.get('host'), 'port': pr.get('port'),
                      'state': st.get('state') or 'unknown', 'since': st.get('since'),
                      'last_error': st.get('last_error'), 'operator_stopped': bool(st.get('operator_stopped')),
                      'tcp': _check(pr.get('tcp')), 'ping': _check(pr.get('ping')), 'printers': printers})
    return sites


def service_state(status, sites):
    """up: every site not stopped by the operator is up; down: none is (or no daemon, or a bad
    config); degraded: some are."""
    if status is None or status.get('config_error'):
        return 'down'
    wanted = [s for s in sites if not s['operator_stopped']]
    up = [s for s in wanted if s['state'] == 'up']
    if len(up) == len(wanted):
        return 'up'
    return 'degraded' if up else 'down'


def client_result(name, container, status_run, probe_run, now, lang='en'):
    """What opt_probe returns for one client.

    container: dict(name, id, state) with state 'absent' when there is none.
    status_run / probe_run: (exit code, stdout, stderr) of the mast commands, None when not run.
    now: ISO time used when nothing was probed (no running container).
    """
    result = {'client': name, 'container': container['name'], 'container_id': container.get('id'),
              'container_state': container['state'], 'service': 'stopped', 'error': None, 'sites': [],
              'checked_at': now}
    if container['state'] == 'absent':
        result['service'] = 'absent'  # not deployed on this Docker host: not the same as stopped
        result['error'] = msg('probe_no_container', lang, client=name, container=container['name'])
    elif container['state'] != 'running':
        result['error'] = msg('probe_not_running', lang, client=name, container=container['name'],
                              state=container['state'])
    else:
        status = _parse(status_run[1]) if status_run else None
        probe = _parse(probe_run[1]) if probe_run else None
        errors = []
        for label, run, data in (('mast status --json', status_run, status), ('mast probe --json', probe_run, probe)):
            if run is not None and data is None:
                errors.append(msg('probe_command_failed', lang, client=name, command=label, code=run[0],
                                  output=(run[2] or run[1] or '').strip()))
        config_error = (status or {}).get('config_error') or (probe or {}).get('config_error')
        if config_error:
            errors.append('; '.join(config_error))
        result['sites'] = merge_sites(status, probe)
        result['service'] = service_state(status, result['sites'])
        result['error'] = '; '.join(errors) or None
        result['checked_at'] = (probe or {}).get('checked_at') or now
    result['message'] = summary(result, lang)
    return result


def summary(result, lang='en'):
    printers = [p for s in result['sites'] for p in s['printers']]
    text = msg('probe_summary', lang, client=result['client'], service=msg('state_' + result['service'], lang),
               sites_up=sum(1 for s in result['sites'] if s['state'] == 'up'), sites=len(result['sites']),
               printers_up=sum(1 for p in printers if p['state'] == 'up'), printers=len(printers))
    return text + (' (%s)' % result['error'] if result['error'] else '')
