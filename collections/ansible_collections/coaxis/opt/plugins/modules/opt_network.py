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
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create network opt-clients"]
differences:
  description: Fields that differ between the engine (before) and the task (after).
  returned: always
  type: list
  elements: dict
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _ipplan, _netplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def build_module():
    argument_spec = _docker.docker_argument_spec(
        icc=dict(type='bool', default=False),
        labels=dict(type='dict', default={}),
        recreate=dict(type='str', default='never', choices=['never', 'when_empty']),
        state=dict(type='str', default='present', choices=['present']),
        **_netplan.NETWORK_OPTIONS
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def inspect(client, name):
    try:
        data = client.api.inspect_network(name)
    except _docker.NotFound:
        return None
    observed = _netplan.normalize_network(data)
    return observed if observed['name'] == name else None


def create(client, desired):
    """POST /networks/create with the body of _netplan.create_body(): the SDK's create_network leaves
    EnableIPv6 out when it is false, and an engine may then default it on (daemon options)."""
    api = client.api
    response = api._post_json(api._url('/networks/create'), data=_netplan.create_body(desired))
    api._result(response, json=True)
    return inspect(client, desired['name'])


def result_network(state):
    keys = ('id', 'name', 'subnet', 'gateway', 'ip_range', 'bridge_name', 'icc', 'ipv6')
    return dict((key, state.get(key)) for key in keys)


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    _docker.check_requirements(module)

    errors = _ipplan.validate_network(params, lang)
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors, actions=[], differences=[])
    gateway = params['gateway'] or _ipplan.default_gateway(params['subnet'])
    desired = _netplan.desired_network(params, gateway)

    client = _docker.docker_client(module)
    url = params['docker_host']
    step = msg('step_network_inspect', lang)
    try:
        observed = inspect(client, desired['name'])
        plan = _netplan.plan_network(desired, observed, lang)
        action = plan['action']
        if action == 'error':
            module.fail_json(msg=plan['message'], differences=plan['differences'], actions=[])

        actions = []
        final = observed
        if action in ('create', 'recreate'):
            actions.append('%s network %s' % (action, desired['name']))
            planned = dict(desired, id=observed['id'] if observed else None, labels=_netplan.create_labels(desired))
            final = planned
            if not module.check_mode:
                if action == 'recreate':
                    step = msg('step_network_remove', lang)
                    client.api.remove_network(observed['id'])
                step = msg('step_network_create', lang)
                final = create(client, desired) or planned
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc())

    result = dict(
        changed=action in ('create', 'recreate'),
        network=result_network(final),
        actions=actions,
        differences=plan['differences'],
    )
    if module._diff:
        result['diff'] = dict(before=_netplan.network_view(observed), after=_netplan.network_view(final))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
