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
  - coaxis.opt.result
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
  returned: always
  type: list
  elements: str
  sample:
    - "acme: container 4f0c1d..., IP 10.128.0.10/16 via 10.128.0.1, running (create)"
plan:
  description:
    - What was done (in check mode, what would be done), one item per client whose container changes.
    - Every client's action, V(none) and V(skip) included, is in RV(clients) (C(action), C(reasons)).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create), V(recreate) or V(start).", type: str}
    target: {description: "C(container <name>).", type: str}
    reason: {description: "Why a container is recreated (what differs), or null.", type: str}
  sample: [{action: recreate, target: container opt-acme, reason: "ip 10.128.0.10 -> 10.128.0.12"}]
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _clientapply, _clientplan, _ipplan, _limits
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SPEC = dict(
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
COMMON = ('network', 'container_prefix', 'volume_prefix', 'config_mount', 'logs_mount', 'restart_policy', 'cap_add',
          'stop_timeout', 'labels')


def selected(run):
    """The clients of O(only) (all by default); settings and unknown names refused first."""
    params = run.params
    errors = (_limits.validate_limits('client', params['limits'], 'limits', run.lang)
              + _limits.validate_log(params['log'], 'log', run.lang))
    if errors:
        raise Refused(errors, 'plan_refused')
    names = [c['name'] for c in params['clients']]
    only = params['only'] if params['only'] is not None else names
    unknown = [run.msg('unknown_client', client=name) for name in only if name not in names]
    if unknown:
        raise Refused(unknown)
    return only


def network(run, state):
    """The client network as read; in check mode a missing one (opt_network would make it) is a warning."""
    if state['network'] is not None:
        return state['network']
    if not run.check_mode:
        raise Refused([run.msg('network_missing', network=run.params['network'], url=run.url)])
    run.warn(run.msg('network_missing_check_mode', network=run.params['network'], url=run.url))
    return {'name': run.params['network'], 'subnet': None, 'gateway': None, 'ip_range': None, 'attached': {}}


def validate(run, state, net, specs, only):
    """Every problem of the address plan, the names and the engine: refused before any change."""
    clients = run.params['clients']
    used = _clientplan.engine_used_addresses(net['attached'], specs, only)
    if net['subnet']:
        errors = _ipplan.validate_clients(net, clients, used, run.lang)
    else:
        errors = [run.msg('client_name_invalid', client=c['name']) for c in clients
                  if not _ipplan.valid_client_name(c['name'])]
    errors += _clientapply.unmanaged_name_clashes(state, specs, run.lang)
    errors += _clientapply.interface_errors(run.client, specs, run.lang)
    errors += _limits.engine_cpus_errors('client', run.params['limits'], run.client.info().get('NCPU'), 'limits',
                                         run.url, run.lang)
    if errors:
        raise Refused(errors, 'step_refused')


def plan(run):
    params = run.params
    only = selected(run)
    state = _clientapply.read_state(run.client, params['network'], params['image'], run.url, run.lang)
    net = network(run, state)
    common = dict((key, params[key]) for key in COMMON)
    common.update(image_id=state['image_id'], limits=_limits.limits_spec('client', params['limits']),
                  log=_limits.log_spec(params['log']))
    specs = [_clientplan.desired_container(c, common) for c in params['clients']]
    validate(run, state, net, specs, only)
    items = _clientplan.plan_clients(specs, state['containers'], only)
    missing = [run.msg('client_volume_missing', client=item['client'], volume=volume, url=run.url)
               for item in items if item['action'] in ('create', 'recreate')
               for volume in _clientplan.named_volumes(item['spec'], params['volume_prefix'])
               if volume not in state['volumes']]
    if missing and not run.check_mode:
        raise Refused(missing, 'step_refused')
    for text in missing:  # check mode: coaxis.opt.opt_volume would create it first
        run.warn(text)
    planned = Plan(_clientplan.plan_actions(items), data=dict(items=items, state=state, net=net))
    answer(run, planned, state['containers'])
    return planned


def answer(run, planned, final):
    items, net = planned.data['items'], planned.data['net']
    clients, lines, before, after = _clientplan.answer(items, final, net, run.params['image'], run.check_mode,
                                                       run.lang)
    planned.result['clients'], planned.summary, planned.diff = clients, lines, dict(before=before, after=after)


def apply(run, planned):
    planned.data['errors'] = _clientapply.apply_plan(run.client, planned.data['items'], planned.data['state'],
                                                     run.params['workers'], run.url, run.lang)


def read_back(run, planned):
    answer(run, planned, _clientapply.read_containers(run.client, run.params['network']))
    errors = planned.data['errors']
    if errors:
        run.fail('; '.join(errors), errors, clients=planned.result['clients'], plan=planned.actions,
                 summary=planned.summary)


def main():
    Runner(SPEC, plan, apply, read_back).main()


if __name__ == '__main__':
    main()
