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
messages:
  description: One line per client for the operator.
  returned: always
  type: list
  elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _removeplan
from ansible_collections.coaxis.opt.plugins.module_utils._clientplan import MANAGED_FILTER
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def build_module():
    argument_spec = _docker.docker_argument_spec(
        clients=dict(type='list', elements='str', required=True),
        purge=dict(type='bool', default=False),
        stop_timeout=dict(type='int', default=10),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    url = params['docker_host']
    _docker.check_requirements(module)
    errors = _removeplan.validate(params['clients'], lang)
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors, changed=False)

    client = _docker.docker_client(module)
    step = msg('step_remove_inventory', lang)
    try:
        containers = client.api.containers(all=True, filters={'label': MANAGED_FILTER})
        volumes = client.api.volumes(filters={'label': MANAGED_FILTER}).get('Volumes') or []
        items = _removeplan.plan(params['clients'], containers, volumes, params['purge'])
        if not module.check_mode:
            for item in items:
                for container in item['containers']:
                    step = msg('step_remove_container', lang, container=container['name'])
                    if container['state'] == 'running':
                        client.api.stop(container['id'], timeout=params['stop_timeout'])
                    client.api.remove_container(container['id'], force=True)
                for volume in item['remove_volumes']:
                    step = msg('step_remove_volume', lang, volume=volume)
                    client.api.remove_volume(volume)
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc())

    result = dict(
        changed=_removeplan.changed(items),
        clients=dict((i['client'], {'containers': [c['name'] for c in i['containers']],
                                    'volumes_removed': i['remove_volumes'], 'volumes_kept': i['keep_volumes']})
                     for i in items),
        messages=[_removeplan.summary(item, lang) for item in items],
    )
    if module._diff:
        before, after = _removeplan.diff(items)
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
