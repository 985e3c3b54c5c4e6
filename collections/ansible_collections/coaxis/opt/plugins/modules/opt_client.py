#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_client
short_description: All client containers of one Docker host (Coaxis OPT)
version_added: 0.1.0
description:
  - Reconciles, in one call, the C(docker-opt) container of every client of a Docker host
    on one network. Each gets a static IP, hostname, labels, a config volume mounted read-only and a logs
    volume mounted read-write, restart policy, all capabilities dropped unless added back,
    C(no-new-privileges), never the Docker socket.
  - Each runs as the C(mast) user (C(10001:10001)) on a read-only root filesystem; it writes only to
    its logs volume and to two size-bounded tmpfs, C(/run/mast) (64 MiB) and C(/tmp) (16 MiB).
  - Each has a memory limit (and no swap beyond it), a pids limit and a CPU share (O(limits)), and
    a bounded Docker log (O(log)).
  - The whole plan is validated first (client names, addresses against the network's subnet,
    ip_range, gateway, network and broadcast addresses, duplicates, addresses used by other
    containers on the engine, interface names). Any problem fails the task with every problem
    listed and nothing changed.
  - A container is recreated when its settings differ from the task (a hash of them is stored
    in the label C(coaxis.opt.config-hash)), started when stopped, created when absent.
    The default volumes are created when missing; a volume the inventory names
    (O(clients[].config_volume)) must exist (see M(coaxis.opt.opt_volume), which migrates the
    data to it). Volumes are never removed or recreated.
  - The image is never pulled; it must already be on the engine.
  - Drift is found from one filtered container list; no per-container inspect when nothing changes.
extends_documentation_fragment:
  - coaxis.opt.docker
attributes:
  check_mode:
    support: full
    description: Validates and plans; reports the planned values; changes nothing.
  diff_mode:
    support: full
    description: Before and after (ip, image, state) of the clients that change.
options:
  network:
    description:
      - Name of the client network. It must exist (see M(coaxis.opt.opt_network)).
    type: str
    required: true
  image:
    description:
      - Image of the client containers (name, tag or id). It must be on the engine; it is never pulled.
    type: str
    required: true
  clients:
    description:
      - Every client of this Docker host's network, even those not in O(only), so that the
        address plan is checked as a whole.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Client name, 2 to 32 characters, lowercase letters, digits and dashes, not starting
            or ending with a dash.
        type: str
        required: true
      ip:
        description:
          - Static IPv4 address of the client's container on O(network).
        type: str
        required: true
      interface:
        description:
          - Name of the container's interface on O(network). Needs Docker Engine 28.0 (API 1.48).
        type: str
      labels:
        description:
          - Extra labels of this client's container.
        type: dict
      config_volume:
        description:
          - Name of the config volume, when the inventory names one; C(<volume_prefix><client>-config) when unset.
          - A changed name recreates the container on the named volume; the old volume is kept.
          - The named volume must exist (M(coaxis.opt.opt_volume) creates it, or migrates the data to it).
        type: str
      logs_volume:
        description:
          - Name of the logs volume, when the inventory names one; C(<volume_prefix><client>-logs) when unset.
          - Same rules as O(clients[].config_volume).
        type: str
  only:
    description:
      - Clients to converge. The others are validated but never touched.
      - Defaults to every client of O(clients). A name that is not in O(clients) is an error.
    type: list
    elements: str
  restart_policy:
    description:
      - Restart policy of the containers.
    type: str
    default: unless-stopped
    choices: ['no', always, unless-stopped, on-failure]
  config_mount:
    description:
      - Where the config volume (C(<volume_prefix><client>-config) or O(clients[].config_volume)) is mounted, read-only.
    type: str
    default: /etc/mast
  logs_mount:
    description:
      - Where the logs volume (C(<volume_prefix><client>-logs) or O(clients[].logs_volume)) is mounted, read-write.
    type: str
    default: /var/log/mast
  container_prefix:
    description:
      - Container name is this prefix followed by the client name.
    type: str
    default: opt-
  volume_prefix:
    description:
      - The volumes are named this prefix, the client name, then C(-config) or C(-logs), unless named
        by O(clients[].config_volume), O(clients[].logs_volume).
    type: str
    default: opt-
  cap_add:
    description:
      - Capabilities added back after dropping all of them.
    type: list
    elements: str
    default: []
  labels:
    description:
      - Extra labels of every client container.
    type: dict
    default: {}
  stop_timeout:
    description:
      - Seconds to wait for a container to stop before it is killed (recreate).
    type: int
    default: 10
  workers:
    description:
      - Number of containers created or started in parallel.
    type: int
    default: 4
  limits:
    description:
      - Resource limits of every client container; a key left out keeps its default.
      - C(memory), a size with k, m or g, 16m to 64g (default C(256m)); the swap limit is the same, so
        nothing is swapped out beyond it.
      - C(pids), the most processes and threads, 16 to 65536 (default C(256)).
      - C(cpus), a number of CPUs, 0.01 to 256 (default C(1.0)).
      - A change recreates the containers (once).
    type: dict
    default: {}
  log:
    description:
      - The Docker log of every client container (mast's and nginx's output); a key left out keeps its default.
      - C(driver), C(json-file) (default) or C(local); C(max_size), a size with k, m or g, 16k to 1g
        (default C(10m)); C(max_file), 1 to 100 (default C(3)). Docker keeps at most
        C(max_size) * C(max_file) per container.
      - A change recreates the containers (once).
    type: dict
    default: {}
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Converge the client acme only, check the whole plan
  coaxis.opt.opt_client:
    docker_host: unix:///run/coaxis-lab/docker.sock
    network: opt-clients
    image: coaxis/docker-opt:latest
    clients:
      - name: acme
        ip: 10.128.0.10
      - name: globex
        ip: 10.128.0.11
    only: [acme]
    limits: {memory: 512m, pids: 512}
    log: {max_size: 20m, max_file: 5}
    lang: fr
  register: opt

- name: Show acme's container
  ansible.builtin.debug:
    msg: "{{ opt.clients.acme.container_id }} {{ opt.clients.acme.ip }} {{ opt.clients.acme.state }}"
"""

RETURN = r"""
clients:
  description:
    - One entry per client of O(only) (all clients by default), read back from the engine
      after the changes; in check mode the planned values.
  returned: success
  type: dict
  sample:
    acme:
      container_id: 4f0c1d...
      container_name: opt-acme
      ip: 10.128.0.10
      prefix: 16
      gateway: 10.128.0.1
      image: coaxis/docker-opt:latest
      image_id: sha256:9a1e...
      state: running
      action: create
      reasons: []
summary:
  description: One line per entry of RV(clients), in the module's language, for the operator.
  returned: success
  type: list
  elements: str
  sample:
    - "acme: container 4f0c1d..., IP 10.128.0.10/16 via 10.128.0.1, running (create)"
plan:
  description: The action per client (create, recreate, start, none, skip) and the reasons of a recreate.
  returned: always
  type: list
  elements: dict
errors:
  description: Every problem found, when the task fails.
  returned: failure
  type: list
  elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _clientapply, _clientplan, _docker, _ipplan, _limits
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def build_module():
    argument_spec = _docker.docker_argument_spec(
        network=dict(type='str', required=True),
        image=dict(type='str', required=True),
        clients=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            ip=dict(type='str', required=True),
            interface=dict(type='str'),
            labels=dict(type='dict'),
            config_volume=dict(type='str'),
            logs_volume=dict(type='str'),
        )),
        only=dict(type='list', elements='str'),
        restart_policy=dict(type='str', default='unless-stopped', choices=['no', 'always', 'unless-stopped', 'on-failure']),
        config_mount=dict(type='str', default='/etc/mast'),
        logs_mount=dict(type='str', default='/var/log/mast'),
        container_prefix=dict(type='str', default='opt-'),
        volume_prefix=dict(type='str', default='opt-'),
        cap_add=dict(type='list', elements='str', default=[]),
        labels=dict(type='dict', default={}),
        stop_timeout=dict(type='int', default=10),
        workers=dict(type='int', default=4),
        limits=dict(type='dict', default={}),
        log=dict(type='dict', default={}),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def client_result(item, observed, net, params, check_mode):
    """The result entry of one client: read back from the engine, or planned in check mode."""
    spec = item['spec']
    if check_mode and item['action'] in _clientplan.changed_actions():
        keep = item['action'] == 'start'
        observed = {'id': item['observed']['id'] if keep else None, 'ip': spec['ip'], 'image': spec['image'],
                    'state': 'running'}
    observed = observed or {}
    return {
        'container_id': observed.get('id'),
        'container_name': spec['name'],
        'ip': observed.get('ip'),
        'prefix': _ipplan.prefix_length(net['subnet']) if net['subnet'] else None,
        'gateway': net['gateway'],
        'image': params['image'],
        'image_id': observed.get('image'),
        'state': observed.get('state'),
        'action': item['action'],
        'reasons': item['reasons'],
    }


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    url = params['docker_host']
    _docker.check_requirements(module)

    settings_errors = (_limits.validate_limits('client', params['limits'], 'limits', lang)
                       + _limits.validate_log(params['log'], 'log', lang))
    if settings_errors:
        module.fail_json(msg=msg('plan_refused', lang, count=len(settings_errors), errors='; '.join(settings_errors)),
                         errors=settings_errors, changed=False)
    names = [c['name'] for c in params['clients']]
    only = params['only'] if params['only'] is not None else names
    unknown = [name for name in only if name not in names]
    if unknown:
        errors = [msg('unknown_client', lang, client=name) for name in unknown]
        module.fail_json(msg='; '.join(errors), errors=errors, changed=False)

    client = _docker.docker_client(module)
    try:
        state = _clientapply.read_state(client, params['network'], params['image'], url, lang)
        net = state['network']
        if net is None:
            if not module.check_mode:
                missing = msg('network_missing', lang, network=params['network'], url=url)
                module.fail_json(msg=missing, errors=[missing], changed=False)
            module.warn(msg('network_missing_check_mode', lang, network=params['network'], url=url))
            net = {'name': params['network'], 'subnet': None, 'gateway': None, 'ip_range': None, 'attached': {}}
        common = dict((key, params[key]) for key in (
            'network', 'container_prefix', 'volume_prefix', 'config_mount', 'logs_mount', 'restart_policy', 'cap_add',
            'stop_timeout', 'labels'))
        common['image_id'] = state['image_id']
        common['limits'] = _limits.limits_spec('client', params['limits'])
        common['log'] = _limits.log_spec(params['log'])
        clients = params['clients']
        specs = [_clientplan.desired_container(c, common) for c in clients]
        used = _clientplan.engine_used_addresses(net['attached'], specs, only)
        if net['subnet']:
            errors = _ipplan.validate_clients(net, clients, used, lang)
        else:
            errors = [msg('client_name_invalid', lang, client=c['name']) for c in clients
                      if not _ipplan.valid_client_name(c['name'])]
        errors += _clientapply.unmanaged_name_clashes(state, specs, lang)
        errors += _clientapply.interface_errors(client, specs, lang)
        errors += _limits.engine_cpus_errors('client', params['limits'], client.info().get('NCPU'), 'limits', url, lang)
        if errors:
            module.fail_json(msg=msg('step_refused', lang, count=len(errors), errors='; '.join(errors)),
                             errors=errors, changed=False)

        plan = _clientplan.plan_clients(specs, state['containers'], only)
        changing = [item for item in plan if item['action'] in _clientplan.changed_actions()]
        missing = [msg('client_volume_missing', lang, client=item['client'], volume=volume, url=url)
                   for item in changing if item['action'] != 'start'
                   for volume in _clientplan.named_volumes(item['spec'], params['volume_prefix'])
                   if volume not in state['volumes']]
        if missing and not module.check_mode:
            module.fail_json(msg=msg('step_refused', lang, count=len(missing), errors='; '.join(missing)),
                             errors=missing, changed=False)
        for text in missing:  # check mode: coaxis.opt.opt_volume would create it first
            module.warn(text)
        final = state['containers']
        apply_errors = []
        if changing and not module.check_mode:
            apply_errors = _clientapply.apply_plan(client, plan, state, params['workers'], url, lang)
            final = _clientapply.read_containers(client, params['network'])
    except _clientapply.PlanRefused as exc:
        module.fail_json(msg=str(exc), errors=[str(exc)], changed=False)
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, msg('step_request', lang), lang),
                         exception=traceback.format_exc(), changed=False)

    results = {}
    before, after = {}, {}
    for item in plan:
        if item['action'] == 'skip':
            continue
        results[item['client']] = client_result(item, final.get(item['name']), net, params, module.check_mode)
        if item['action'] in _clientplan.changed_actions():
            entry = results[item['client']]
            before[item['client']] = _clientplan.diff_view(None, item['observed'], None) if item['observed'] else {}
            after[item['client']] = {'ip': entry['ip'], 'image': entry['image_id'], 'state': entry['state']}
    summary = [dict(client=i['client'], action=i['action'], reasons=i['reasons']) for i in plan]
    lines = [msg('client_summary', lang, client=name, container_id=entry['container_id'] or '-', ip=entry['ip'],
                 prefix=entry['prefix'], gateway=entry['gateway'], state=entry['state'], action=entry['action'])
             for name, entry in results.items()]
    result = dict(changed=bool(changing), clients=results, plan=summary, summary=lines)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if apply_errors:
        module.fail_json(msg='; '.join(apply_errors), errors=apply_errors, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
