#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_drift
short_description: What a Docker host holds that the inventory does not declare, and the reverse (Coaxis OPT)
version_added: 0.1.0
description:
  - Compares, in one call and without changing anything, a Docker host with the clients the
    inventory declares for it (O(clients)).
  - "Client containers (label C(coaxis.opt.client)): undeclared ones, declared clients without
    one, declared ones not running. Containers on the client network that coaxis-opt does not
    manage are listed apart."
  - "Firewall rules (the saved rule set of O(firewall)) and, with O(proxy=true), vhosts (the files of
    O(edge)): those of undeclared clients, and declared clients that have a container but no rule or
    vhost (the firewall and the proxy serve no other)."
  - Removes nothing. The playbook C(drift.yml) removes what is undeclared only with C(-e prune=true),
    through coaxis.opt.opt_remove (volumes kept) and the firewall and proxy converge.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode changes nothing to what it reports.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff; the result lists the drift.
options:
  host:
    description:
      - Name of the Docker host in the messages (its inventory name); O(docker_host) when unset.
    type: str
  network:
    description:
      - Name of the client network.
    type: str
    required: true
  clients:
    description:
      - Names of the clients the inventory declares on this Docker host.
    type: list
    elements: str
    required: true
  firewall:
    description:
      - Name of the firewall container (see coaxis.opt.opt_firewall); absent, no client has rules.
    type: str
    default: opt-firewall
  edge:
    description:
      - Name of the edge proxy container (see coaxis.opt.opt_proxy); absent, no client has a vhost.
    type: str
    default: opt-edge
  proxy:
    description:
      - Compare the vhosts too (the inventory sets C(opt_domain)).
    type: bool
    default: true
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Drift of the Docker host
  coaxis.opt.opt_drift:
    docker_host: unix:///run/coaxis-lab/docker.sock
    host: lab-docker-host
    network: opt-clients
    clients: [acme, globex]
  register: drift

- name: Show it
  ansible.builtin.debug:
    msg: "{{ drift.summary }}"
"""

RETURN = r"""
drift:
  description: Whether anything differs.
  returned: success
  type: bool
containers:
  description: Client names whose container is not declared (V(undeclared)) or missing (V(missing)).
  returned: success
  type: dict
  sample: {undeclared: [initech], missing: [globex]}
rules:
  description: Client names with firewall rules but not declared, or declared with a container but without rules.
  returned: success
  type: dict
  sample: {undeclared: [initech], missing: []}
vhosts:
  description: The same for the edge proxy's vhosts (both empty with O(proxy=false)).
  returned: success
  type: dict
  sample: {undeclared: [initech], missing: []}
stopped:
  description: Declared clients whose container exists but is not running.
  returned: success
  type: list
  elements: str
unmanaged:
  description: Containers on the client network that coaxis-opt does not manage (never removed by coaxis-opt).
  returned: success
  type: list
  elements: str
plan:
  description: Always empty (the module only reads).
  returned: always
  type: list
  elements: dict
summary:
  description: The operator's lines, in the module's language (one line when nothing drifted).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _drift, _driftread
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Runner

SPEC = dict(
    host=dict(type='str'),
    network=dict(type='str', required=True),
    clients=dict(type='list', elements='str', required=True),
    firewall=dict(type='str', default='opt-firewall'),
    edge=dict(type='str', default='opt-edge'),
    proxy=dict(type='bool', default=True),
)


def plan(run):
    containers, attached, rules, vhosts = _driftread.read_host(run.client, run.params)
    found = _drift.compare(run.params['clients'], containers, attached, rules, vhosts)
    return Plan(summary=_drift.summary(run.params['host'] or run.url, run.params['network'], found, run.lang), **found)


def main():
    Runner(SPEC, plan).main()


if __name__ == '__main__':
    main()
