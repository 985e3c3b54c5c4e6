#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_tunnel
short_description: Status, start, stop or restart the tunnels of OPT clients (Coaxis OPT)
version_added: 0.1.0
description:
  - Runs C(mast status --json) in the docker-opt container of every client of O(clients) (clients of one
    Docker host, in one call), then C(mast start|stop|restart [site]) where it changes something, then
    reads the status again and returns, per client and per site, the state, since when, the ssh pid, the
    last error, the bandwidth limits and the printers (listen port and target).
  - Every client is checked before any action (container present and running, mast answering, O(site)
    one of its sites); a problem with any of them stops the run with nothing done.
  - A stop of a stopped site and a start of a site that is not stopped change nothing (mast leaves a
    running tunnel alone); a restart always changes (a new ssh session).
  - After O(action=start) or O(action=restart), and for O(action=status) the sites not stopped by the
    operator, the module waits at most O(wait) seconds for those sites to be C(up), and reports the
    state reached. A site in C(down) (a permanent error such as a wrong host key) ends the wait for that
    site. Sites not up are listed in C(not_up) of their client in RV(clients) and warned about; they are not an error.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Reads the status, reports which sites would change; runs no action.
  diff_mode:
    support: full
    description: The state of each selected site, C(client/site state) lines, before and after.
options:
  clients:
    description:
      - Client names, all on the Docker engine O(docker_host).
    type: list
    elements: str
    required: true
  action:
    description:
      - What to do with the tunnels.
    type: str
    default: status
    choices: [status, start, stop, restart]
  site:
    description:
      - One site of each client; all its sites when omitted.
    type: str
  wait:
    description:
      - Seconds to wait for the sites to be C(up) (see the description). V(0) reads the state once.
    type: int
    default: 30
  container_prefix:
    description:
      - A client's container is named C(<container_prefix><client>).
    type: str
    default: opt-
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Restart the lyon tunnel of acme
  coaxis.opt.opt_tunnel:
    docker_host: unix:///var/run/docker.sock
    clients: [acme]
    action: restart
    site: lyon

- name: Wait (at most two minutes) until every site of two clients is up
  coaxis.opt.opt_tunnel:
    clients: [acme, ma-societe]
    action: status
    wait: 120
  register: tunnels

- name: Sites that did not come up
  ansible.builtin.debug:
    msg: "{{ tunnels.clients.acme.not_up }}"
"""

RETURN = r"""
clients:
  description: Per client, the action and the state of each selected site after it.
  returned: always
  type: dict
  sample:
    acme:
      container: opt-acme
      action: restart
      changed: true
      acted: [lyon]
      not_up: []
      sites:
        - name: lyon
          state: up
          since: "2026-11-25T17:21:07Z"
          pid: 24171
          last_error: null
          operator_stopped: false
          limits: {upload_kbps: 1024, download_kbps: 10240}
          printers:
            - {name: accueil, listen_port: 9101, target: "10.131.1.20:9100"}
plan:
  description: The mast actions run (in check mode, those that would run), one per client and site.
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(start), V(stop) or V(restart).", type: str}
    target: {description: "C(<client>/<site>).", type: str}
    reason: {description: The site's state before., type: str}
  sample: [{action: restart, target: acme/lyon, reason: up}]
summary:
  description: The operator's lines (none for this module; the role opt_tunnel shows RV(clients)).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _naming, _tunnelapply, _tunnelplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner, action

SPEC = dict(
    clients=dict(type='list', elements='str', required=True),
    action=dict(type='str', default='status', choices=list(_tunnelplan.ACTIONS)),
    site=dict(type='str'),
    wait=dict(type='int', default=30),
    container_prefix=dict(type='str', default='opt-'),
)


def states(observed, selected):
    return dict((s, observed[s].get('state')) for s in selected if s in observed)


def plan(run):
    names = list(dict.fromkeys(run.params['clients']))
    containers = dict((name, _naming.container_name(name, run.params['container_prefix'])) for name in names)
    run.step('step_tunnel_status')
    errors, observed = [], {}
    for name in names:
        state = _tunnelapply.container_state(run.client, containers[name])
        status = None
        if state == 'running':
            status, failure = _tunnelapply.first_status(run.client, containers[name])
            if failure:
                errors.append(run.msg('tunnel_no_daemon', client=name, container=containers[name],
                                      code=failure[0], output=failure[1] or '-'))
        errors += _tunnelplan.check_client(name, containers[name], state, status, run.params['site'], run.lang)
        observed[name] = status
    if errors:
        raise Refused(errors)
    plans = dict((name, _tunnelplan.plan(run.params['action'], observed[name], run.params['site'])) for name in names)
    actions = [action(run.params['action'], '%s/%s' % (name, site), observed[name][site].get('state'))
               for name in names for site in plans[name]['act']]
    planned = Plan(actions, summary=[], data=dict(names=names, containers=containers, plans=plans,
                                                  observed=observed, errors=[]))
    report(run, planned, observed, waited=False)
    return planned


def report(run, planned, after, waited):
    """The answer's clients and diff from the status ``after``; sites not up warned about once waited for."""
    data, clients, warnings = planned.data, {}, []
    before_states, after_states = {}, {}
    for name in data['names']:
        planned_client = data['plans'][name]
        selected = planned_client['selected']
        not_up = _tunnelplan.not_up(after[name], planned_client['wait_for'] if waited else [])
        if not_up and run.params['wait'] > 0:
            warnings.append(run.msg('tunnel_not_up', client=name, wait=run.params['wait'], sites=', '.join(not_up)))
        clients[name] = {
            'container': data['containers'][name], 'action': run.params['action'], 'changed': planned_client['changed'],
            'acted': planned_client['act'], 'not_up': not_up,
            'sites': [_tunnelplan.site_view(after[name][s]) for s in selected if s in after[name]],
        }
        before_states[name] = states(data['observed'][name], selected)
        after_states[name] = states(after[name], selected) if waited else planned_client['expected']
    planned.result['clients'] = clients
    planned.diff = _tunnelplan.diff(before_states, after_states)
    return warnings


def apply(run, planned):
    data = planned.data
    run.step('step_tunnel_action')
    for name in data['names']:
        acted = data['plans'][name]['act']
        if not acted:
            continue
        code, out, err = _tunnelapply.run_mast(run.client, data['containers'][name], [run.params['action']] + acted)
        if code != 0:
            data['errors'].append(run.msg('tunnel_action_failed', client=name, action=run.params['action'],
                                          sites=' '.join(acted), code=code,
                                          output=err or _docker.clip_output(out) or '-'))


def read_back(run, planned):
    data = planned.data
    run.step('step_tunnel_status')
    after = _tunnelapply.wait_states(run.client, data['containers'], data['plans'], data['observed'],
                                     run.params['wait'])
    warnings = report(run, planned, after, waited=True)
    if data['errors']:
        raise Refused(data['errors'], clients=planned.result['clients'])
    for warning in warnings:
        run.warn(warning)


def main():
    Runner(SPEC, plan, apply, read_back, read_back_unchanged=True).main()


if __name__ == '__main__':
    main()
