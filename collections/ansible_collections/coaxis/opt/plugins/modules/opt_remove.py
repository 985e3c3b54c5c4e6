#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_remove
short_description: Remove clients from a Docker host, keeping their data unless purged (Coaxis OPT)
version_added: 0.1.0
description:
  - Stops and removes the docker-opt container of each client of O(clients), found by its label
    C(coaxis.opt.client=<name>), in one call.
  - The client's volumes (every volume labelled for it, the ones a migration left behind included)
    are kept, so adding the client back restores it with its configs and logs; O(purge=true) deletes
    them too.
  - A client with nothing on the Docker host is not an error (C(changed=false)).
  - The firewall rules and the proxy vhost of a removed client go with the next converge of those
    (coaxis.opt.opt_firewall gives rules only to clients that have a container).
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Lists what would be removed, removes nothing.
  diff_mode:
    support: full
    description: Containers and volumes of each client before and after.
options:
  clients:
    description:
      - Names of the clients to remove.
    type: list
    elements: str
    required: true
  purge:
    description:
      - Also delete the clients' volumes (their configs and logs). Cannot be undone.
    type: bool
    default: false
  stop_timeout:
    description:
      - Seconds a container has to stop cleanly before it is killed.
    type: int
    default: 10
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Remove acme, keep its data
  coaxis.opt.opt_remove:
    clients: [acme]

- name: Remove acme and delete its volumes
  coaxis.opt.opt_remove:
    clients: [acme]
    purge: true
"""

RETURN = r"""
clients:
  description: Per client, what was (or, in check mode, would be) removed and kept.
  returned: always
  type: dict
  sample:
    acme:
      containers: [opt-acme]
      volumes_removed: []
      volumes_kept: [opt-acme-config, opt-acme-logs]
plan:
  description: What was removed (in check mode, what would be removed).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: V(remove)., type: str}
    target: {description: "C(container <name>) or C(volume <name>).", type: str}
    reason: {description: "V(purge) for a volume, else null.", type: str}
  sample: [{action: remove, target: container opt-acme, reason: null}]
summary:
  description: One line per client for the operator.
  returned: always
  type: list
  elements: str
  sample: ["acme: removed container(s) opt-acme; volumes removed: -; volumes kept: opt-acme-config, opt-acme-logs"]
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _removeapply, _removeplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SPEC = dict(
    clients=dict(type='list', elements='str', required=True),
    purge=dict(type='bool', default=False),
    stop_timeout=dict(type='int', default=10),
)


def plan(run):
    errors = _removeplan.validate(run.params['clients'], run.lang)
    if errors:
        raise Refused(errors)
    run.step('step_remove_inventory')
    containers, volumes = _removeapply.read(run.client)
    items = _removeplan.plan(run.params['clients'], containers, volumes, run.params['purge'])
    before, after = _removeplan.diff(items)
    return Plan(_removeplan.actions(items), summary=[_removeplan.summary(item, run.lang) for item in items],
                before=before, after=after, clients=_removeplan.client_results(items), data=dict(items=items))


def apply(run, planned):
    for item in planned.data['items']:
        for container in item['containers']:
            run.step('step_remove_container', container=container['name'])
            _removeapply.remove_container(run.client, container, run.params['stop_timeout'])
        for volume in item['remove_volumes']:
            run.step('step_remove_volume', volume=volume)
            _removeapply.remove_volume(run.client, volume)


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
