#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_host_info
short_description: What coaxis-opt runs on a Docker host (Coaxis OPT)
version_added: 0.2.0
description:
  - Lists, in two engine reads, the client containers coaxis-opt made on a Docker host (its name,
    state, address on the client network and image) and the client network itself.
  - The service containers (firewall, edge) and short-lived helpers are left out.
  - Read-only - it never changes anything, so it also runs in check mode.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
options:
  network:
    description:
      - Name of the client network.
    type: str
    default: opt-clients
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: What runs on the Docker host
  coaxis.opt.opt_host_info:
    docker_host: unix:///run/coaxis-lab/docker.sock
  register: host_info

- name: Clients whose container does not run
  ansible.builtin.debug:
    msg: "{{ host_info.clients | rejectattr('state', 'equalto', 'running') | map(attribute='client') | list }}"
"""

RETURN = r"""
clients:
  description: One entry per client container, sorted by client name.
  returned: always
  type: list
  elements: dict
  contains:
    client: {description: "Client name (the container's C(coaxis.opt.client) label).", type: str}
    container: {description: Container name., type: str}
    state: {description: "V(running), V(exited), V(created), ...", type: str}
    ip: {description: "Its address on O(network), or null when it is not attached.", type: str}
    image: {description: "The image as the container was created with (a tag, or an image id).", type: str}
  sample:
    - {client: acme, container: opt-acme, state: running, ip: 10.128.1.10, image: "coaxis/docker-opt:1.4.0"}
network:
  description: The client network (subnet, gateway, bridge), or null when it does not exist.
  returned: always
  type: dict
  sample: {name: opt-clients, subnet: 10.128.0.0/16, gateway: 10.128.0.1, bridge_name: br-opt}
plan:
  description: Always empty - the module only reads.
  returned: always
  type: list
  elements: dict
summary:
  description: One line per client - its name, state and address.
  returned: always
  type: list
  elements: str
  sample: ["acme: running, 10.128.1.10"]
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _naming, _netapply
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Runner

SPEC = dict(network=dict(type='str', default='opt-clients'))


def client_entry(summary, network):
    endpoint = ((summary.get('NetworkSettings') or {}).get('Networks') or {}).get(network) or {}
    return {'client': _naming.client_of(summary), 'container': (summary.get('Names') or ['/?'])[0].lstrip('/'),
            'state': summary.get('State'), 'ip': endpoint.get('IPAddress') or None, 'image': summary.get('Image')}


def plan(run):
    run.step('step_engine_read')
    network = _netapply.inspect(run.client, run.params['network'])
    clients = sorted((client_entry(s, run.params['network']) for s in _naming.managed_containers(run.client)
                      if _naming.client_of(s)), key=lambda entry: entry['client'])
    summary = [run.msg('host_info_client', client=c['client'], state=c['state'], ip=c['ip'] or '-') for c in clients]
    view = dict((key, network[key]) for key in ('name', 'subnet', 'gateway', 'bridge_name')) if network else None
    return Plan(summary=summary, clients=clients, network=view)


def main():
    Runner(SPEC, plan).main()


if __name__ == '__main__':
    main()
