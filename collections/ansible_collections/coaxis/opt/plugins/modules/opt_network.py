#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_network
short_description: The client network of a Docker host (Coaxis OPT)
version_added: 0.1.0
description:
  - Creates the bridge network the client containers live on, with a fixed subnet, gateway,
    optional O(ip_range), bridge name and container interface prefix, and inter-container
    communication (ICC) off by default.
  - IPv6 is off, explicitly (C(EnableIPv6=false) in the create call), because the firewall filters IPv4
    only. An existing network with IPv6 on is refused, whatever O(recreate) says, and never recreated.
  - An existing network that differs from the task (drift) is an error, never silently fixed.
    A network with containers attached is never recreated. A network without containers is
    recreated only with O(recreate=when_empty).
  - Labels of the task must be present on the network; other labels are ignored. The label
    C(coaxis.opt.managed-by=coaxis-opt) is added on create.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Plans and reports the action, changes nothing.
  diff_mode:
    support: full
    description: Before and after of the compared fields.
options:
  name:
    description:
      - Name of the Docker network.
    type: str
    required: true
  subnet:
    description:
      - IPv4 subnet of the network in CIDR form, for example V(10.128.0.0/16).
    type: str
    required: true
  gateway:
    description:
      - Gateway address (the Docker host's address on the bridge).
      - Defaults to the first host address of O(subnet).
    type: str
  ip_range:
    description:
      - Sub-range of O(subnet) the client addresses must come from, in CIDR form.
    type: str
  bridge_name:
    description:
      - Name of the Linux bridge (at most 15 characters). Docker picks C(br-<id>) when unset.
    type: str
  icc:
    description:
      - Allow traffic between containers of the network.
    type: bool
    default: false
  interface_prefix:
    description:
      - Prefix of the containers' interface names on this network
        (driver option C(com.docker.network.container_iface_prefix)).
    type: str
  labels:
    description:
      - Labels the network must carry.
    type: dict
    default: {}
  recreate:
    description:
      - What to do when the network exists and differs from the task.
      - V(never) fails and tells what differs.
      - V(when_empty) removes and recreates the network when no container is attached to it.
    type: str
    default: never
    choices: [never, when_empty]
  state:
    description:
      - V(present) makes sure the network exists as described.
    type: str
    default: present
    choices: [present]
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Client network of the lab
  coaxis.opt.opt_network:
    docker_host: unix:///run/coaxis-lab/docker.sock
    name: opt-clients
    subnet: 10.128.0.0/16
    ip_range: 10.128.0.0/24
    bridge_name: br-opt
    labels:
      coaxis.opt.env: lab

- name: Recreate it if it drifted and nothing is attached
  coaxis.opt.opt_network:
    name: opt-clients
    subnet: 10.128.0.0/16
    recreate: when_empty
    lang: fr
"""

RETURN = r"""
network:
  description: The network as found or made (in check mode, as planned).
  returned: success
  type: dict
  contains:
    id:
      description: Network id (null in check mode when not created yet).
      type: str
    name:
      description: Network name.
      type: str
    subnet:
      description: IPv4 subnet.
      type: str
      sample: 10.128.0.0/16
    gateway:
      description: Gateway address.
      type: str
      sample: 10.128.0.1
    ip_range:
      description: IP range, or null.
      type: str
    bridge_name:
      description: Linux bridge name, or null when Docker picked it.
      type: str
    icc:
      description: Whether inter-container communication is on.
      type: bool
    ipv6:
      description: Whether IPv6 is on (always false for a network this module accepts).
      type: bool
      sample: false
plan:
  description: What was done (in check mode, what would be done).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create) or V(recreate).", type: str}
    target: {description: What it is done to., type: str}
    reason: {description: "Why (what differs), or null.", type: str}
  sample: [{action: create, target: network opt-clients, reason: null}]
summary:
  description: The operator's lines (none for this module).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
differences:
  description: Fields that differ between the engine (before) and the task (after).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _netapply, _netplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner, action

SPEC = dict(
    icc=dict(type='bool', default=False),
    labels=dict(type='dict', default={}),
    recreate=dict(type='str', default='never', choices=['never', 'when_empty']),
    state=dict(type='str', default='present', choices=['present']),
    **_netplan.NETWORK_OPTIONS
)


def plan(run):
    errors = _ipplan.validate_network(run.params, run.lang)
    if errors:
        raise Refused(errors, differences=[])
    desired = _netplan.desired_network(run.params, run.params['gateway'] or _ipplan.default_gateway(run.params['subnet']))
    run.step('step_network_inspect')
    observed = _netapply.inspect(run.client, desired['name'])
    decided = _netplan.plan_network(desired, observed, run.lang)
    if decided['action'] == 'error':
        raise Refused([decided['message']], differences=decided['differences'])
    actions, final = [], observed
    if decided['action'] != 'none':
        reason = _netplan.describe_differences(decided['differences'], run.lang) or None
        actions = [action(decided['action'], 'network %s' % desired['name'], reason)]
        final = dict(desired, id=observed['id'] if observed else None, labels=_netplan.create_labels(desired))
    return Plan(actions, summary=[], before=_netplan.network_view(observed), after=_netplan.network_view(final),
                network=_netplan.result_network(final), differences=decided['differences'],
                data=dict(desired=desired, observed=observed))


def apply(run, planned):
    desired, observed = planned.data['desired'], planned.data['observed']
    if observed:
        run.step('step_network_remove')
        _netapply.remove(run.client, observed['id'])
    run.step('step_network_create')
    created = _netapply.create(run.client, desired)
    if created:
        planned.result['network'] = _netplan.result_network(created)
        planned.diff['after'] = _netplan.network_view(created)


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
