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
"""

import time
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _tunnelplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# A container just (re)started answers on mast's socket within about a second.
DAEMON_WAIT = 10
POLL = 0.5


def build_module():
    argument_spec = _docker.docker_argument_spec(
        clients=dict(type='list', elements='str', required=True),
        action=dict(type='str', default='status', choices=list(_tunnelplan.ACTIONS)),
        site=dict(type='str'),
        wait=dict(type='int', default=30),
        container_prefix=dict(type='str', default='opt-'),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


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


def states(observed, selected):
    return dict((s, observed[s].get('state')) for s in selected if s in observed)


def main():
    module = build_module()
    params = module.params
    lang, action, site = params['lang'], params['action'], params['site']
    url = params['docker_host']
    names = list(dict.fromkeys(params['clients']))
    containers = dict((name, params['container_prefix'] + name) for name in names)
    client = _docker.docker_client(module)
    step = msg('step_tunnel_status', lang)
    errors, observed = [], {}
    try:
        for name in names:
            state = container_state(client, containers[name])
            status = None
            if state == 'running':
                status, failure = first_status(client, containers[name])
                if failure:
                    errors.append(msg('tunnel_no_daemon', lang, client=name, container=containers[name],
                                      code=failure[0], output=failure[1] or '-'))
            errors += _tunnelplan.check_client(name, containers[name], state, status, site, lang)
            observed[name] = status
        if errors:
            module.fail_json(msg='; '.join(errors), errors=errors, changed=False)

        plans = dict((name, _tunnelplan.plan(action, observed[name], site)) for name in names)
        after = observed
        if not module.check_mode:
            step = msg('step_tunnel_action', lang)
            for name in names:
                if not plans[name]['act']:
                    continue
                code, out, err = run_mast(client, containers[name], [action] + plans[name]['act'])
                if code != 0:
                    errors.append(msg('tunnel_action_failed', lang, client=name, action=action,
                                      sites=' '.join(plans[name]['act']), code=code,
                                      output=err or _docker.clip_output(out) or '-'))
            step = msg('step_tunnel_status', lang)
            after = wait_states(client, containers, plans, observed, params['wait'])
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc())

    result_clients, warnings = {}, []
    diff_before, diff_after = {}, {}
    for name in names:
        selected = plans[name]['selected']
        waited = [] if module.check_mode else plans[name]['wait_for']
        not_up = _tunnelplan.not_up(after[name], waited)
        if not_up and params['wait'] > 0:
            warnings.append(msg('tunnel_not_up', lang, client=name, wait=params['wait'], sites=', '.join(not_up)))
        result_clients[name] = {
            'container': containers[name], 'action': action, 'changed': plans[name]['changed'],
            'acted': plans[name]['act'], 'not_up': not_up,
            'sites': [_tunnelplan.site_view(after[name][s]) for s in selected if s in after[name]],
        }
        diff_before[name] = states(observed[name], selected)
        diff_after[name] = plans[name]['expected'] if module.check_mode else states(after[name], selected)
    changed = any(p['changed'] for p in plans.values())
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors, changed=changed, clients=result_clients)
    for warning in warnings:
        module.warn(warning)
    result = dict(changed=changed, clients=result_clients)
    if module._diff:
        result['diff'] = _tunnelplan.diff(diff_before, diff_after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
