#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_ipplan
short_description: Check and complete the address plan of a Docker host's clients (Coaxis OPT)
version_added: 0.1.0
description:
  - Reads the engine (its networks, and every container on the client network, managed by
    coaxis.opt or not, running or stopped) and checks the whole plan of the Docker host before
    anything changes. It never changes anything.
  - Refused, with one message per problem naming the client, the address and the reason, in
    English or French; an invalid subnet, gateway, O(network.ip_range) or reserved address; a
    subnet overlapping the Coaxis LAN (O(coaxis_lans)) or another network of the engine; a
    prefix too small for the clients declared; an unsafe client name; an address that is not
    IPv4, outside the subnet or the ip_range, the network, broadcast or gateway address, reserved
    (O(reserved)), another client's, or held by a container on the engine that is not the client's.
  - A client without an address gets one; the address of its existing container when it still
    fits (so an allocated address stays the same on every run), else the lowest free address of
    the ip_range (or the subnet). The result lists these allocations so that the operator can pin them.
  - Take a lock around this module and the ones that apply the plan (M(coaxis.opt.opt_lock)) so
    that two runs against one Docker host never hand out the same address.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode changes nothing either.
  diff_mode:
    support: none
    description: Nothing to diff; the planned addresses are in RV(clients) and RV(allocated).
options:
  network:
    description: The client network as the inventory declares it.
    type: dict
    required: true
    suboptions:
      name:
        description: Docker network name.
        type: str
        required: true
      subnet:
        description: IPv4 subnet in CIDR form.
        type: str
        required: true
      gateway:
        description: Gateway address; the first host of the subnet by default.
        type: str
      ip_range:
        description: Part of the subnet that clients take their addresses from.
        type: str
      bridge_name:
        description: Bridge interface name (checked, not used).
        type: str
      interface_prefix:
        description: Container interface prefix (not used here).
        type: str
  clients:
    description:
      - Every client of the Docker host in the inventory, whatever subset this run converges.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Client name.
        type: str
        required: true
      ip:
        description: Static IPv4 address; allocated when missing.
        type: str
      interface:
        description: Interface name inside the container.
        type: str
  only:
    description:
      - The clients this run converges (all when not set). Their containers free their old
        address when they move to another one.
    type: list
    elements: str
  reserved:
    description: Addresses of the subnet no client may take (firewall, edge proxy, ...).
    type: list
    elements: str
    default: []
  coaxis_lans:
    description: CIDRs of the Coaxis LAN(s), which the client subnet must not overlap.
    type: list
    elements: str
    default: []
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Check the plan and allocate the missing addresses
  coaxis.opt.opt_ipplan:
    docker_host: unix:///var/run/docker.sock
    network:
      name: opt-clients
      subnet: 10.128.0.0/16
      gateway: 10.128.0.1
    clients:
      - name: acme
        ip: 10.128.0.10
      - name: globex
    reserved: [10.128.0.2]
    coaxis_lans: [192.168.2.0/24]
  register: plan

- name: Converge with the planned addresses
  coaxis.opt.opt_client:
    network: opt-clients
    image: coaxis/docker-opt:latest
    clients: "{{ plan.clients }}"
"""

RETURN = r"""
clients:
  description: The clients, in input order, each with its address (given or allocated).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "acme", "ip": "10.128.0.10"}, {"name": "globex", "ip": "10.128.0.3"}]
allocated:
  description: The clients that have no address in the inventory, with the one they get and
    whether it is the address their container already has (kept).
  returned: success
  type: list
  elements: dict
  sample: [{"client": "globex", "ip": "10.128.0.3", "kept": false}]
plan:
  description: Always empty (the module only reads; the addresses are taken by coaxis.opt.opt_client).
  returned: always
  type: list
  elements: dict
summary:
  description: One line per allocation for the operator, with the hint to pin the address (also warned).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _clientplan, _ipplan, _naming, _netplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

CLIENT_OPTIONS = dict(
    name=dict(type='str', required=True),
    ip=dict(type='str'),
    interface=dict(type='str'),
)
SPEC = dict(
    network=dict(type='dict', required=True, options=_netplan.NETWORK_OPTIONS),
    clients=dict(type='list', elements='dict', required=True, options=CLIENT_OPTIONS),
    only=dict(type='list', elements='str'),
    reserved=dict(type='list', elements='str', default=[]),
    coaxis_lans=dict(type='list', elements='str', default=[]),
)


def read_engine(client, network_name):
    """Two calls: the engine's networks, and every container on the client network."""
    subnets = _netplan.engine_subnets(client.api.networks())
    endpoints = []
    if network_name in subnets:
        endpoints = _clientplan.network_endpoints(_naming.network_containers(client, network_name), network_name)
    return subnets, endpoints


def plan(run):
    params = run.params
    network = dict(params['network'])
    clients = [dict((k, v) for k, v in c.items() if v is not None) for c in params['clients']]
    run.step('step_engine_read')
    subnets, endpoints = read_engine(run.client, network['name'])
    errors = _ipplan.validate_network(network, run.lang, reserved=params['reserved'],
                                      coaxis_lans=params['coaxis_lans'], other_networks=subnets)
    if not errors:
        network['gateway'] = network.get('gateway') or _ipplan.default_gateway(network['subnet'])
        planned = _ipplan.plan_addresses(network, clients, endpoints, run.lang, reserved=params['reserved'],
                                         only=params['only'])
        errors = planned['errors']
    if errors:
        raise Refused(errors, key='step_refused')
    # Only the clients this run converges get their address now; the others' are provisional.
    shown = [item for item in planned['allocated'] if params['only'] is None or item['client'] in params['only']]
    lines = [run.msg('ip_kept' if item['kept'] else 'ip_allocated', client=item['client'], ip=item['ip'])
             for item in shown]
    for line in lines:
        run.warn(line)
    return Plan(summary=lines, clients=planned['clients'], allocated=planned['allocated'])


def main():
    Runner(SPEC, plan).main()


if __name__ == '__main__':
    main()
