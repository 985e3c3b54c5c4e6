#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_volume
short_description: The config and logs volumes of every client of a Docker host (Coaxis OPT)
version_added: 0.1.0
description:
  - Reconciles, in one call, the two volumes of every client of a Docker host,
    C(<volume_prefix><client>-config) and C(<volume_prefix><client>-logs), each a plain local
    volume, an NFS export or a CIFS share (driver C(local) with driver options).
  - Volumes are labelled C(coaxis.opt.client), C(coaxis.opt.managed-by=coaxis-opt) and
    C(coaxis.opt.volume=config|logs) on create.
  - An existing volume whose driver or driver options differ from the inventory (drift) is
    reported (a warning and O(ignore:drift) in the result, naming the client, the volume and every
    differing option with the engine and inventory values, the CIFS password masked) and LEFT
    ALONE. A volume is never removed or recreated by this module.
  - Migration of a drifted volume (O(clients[].migrate), O(migrate)) is not implemented yet and
    fails the task before any change. The manual path, which deletes no data, is to create a
    volume under a new name with the new options, copy the data with a helper container
    mounting the old volume read-only and the new one read-write, and point the client's
    container at the new volume.
  - Labels are not compared; a volume created without them stays as it is.
extends_documentation_fragment:
  - coaxis.opt.docker
attributes:
  check_mode:
    support: full
    description: Validates and plans; reports the volumes that would be created; changes nothing.
  diff_mode:
    support: full
    description: Before and after (driver, masked options) of the volumes that are created.
options:
  clients:
    description:
      - Every client whose volumes this Docker host holds.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Client name, 2 to 32 characters, lowercase letters, digits and dashes.
        type: str
        required: true
      config_volume:
        description:
          - The config volume; a plain local volume when unset.
          - V(nfs) gives the driver options C(type=nfs), C(o=addr=<addr>[,<options>]), C(device=:<export>).
          - V(cifs) gives C(type=cifs), C(device=<share>),
            C(o=username=...,password=...,uid=...,gid=...,vers=...[,domain=...][,<options>]).
        type: dict
        suboptions:
          type:
            description: Kind of volume.
            type: str
            default: local
            choices: [local, nfs, cifs]
          addr:
            description: NFS server address (V(nfs), required).
            type: str
          export:
            description: Exported path, for example V(/exports/opt/acme) (V(nfs), required).
            type: str
          share:
            description: The share, V(//server/share/path) (V(cifs), required).
            type: str
          username:
            description: CIFS user (V(cifs), required).
            type: str
          password:
            description: CIFS password (V(cifs), required). Never shown; masked as V(********) in drift reports.
            type: str
          domain:
            description: CIFS domain (V(cifs)).
            type: str
          uid:
            description: Owner of the files of the mounted share (V(cifs)); 10001 when unset.
            type: int
          gid:
            description: Group of the files of the mounted share (V(cifs)); 10001 when unset.
            type: int
          vers:
            description: SMB protocol version (V(cifs)); V(3.0) when unset.
            type: str
          options:
            description: Extra mount options appended to C(o), for example V(nfsvers=4,soft) (V(nfs), V(cifs)).
            type: str
      logs_volume:
        description:
          - The logs volume, same form as O(clients[].config_volume).
        type: dict
        suboptions:
          type:
            description: Kind of volume.
            type: str
            default: local
            choices: [local, nfs, cifs]
          addr:
            description: NFS server address (V(nfs), required).
            type: str
          export:
            description: Exported path, for example V(/exports/opt/acme) (V(nfs), required).
            type: str
          share:
            description: The share, V(//server/share/path) (V(cifs), required).
            type: str
          username:
            description: CIFS user (V(cifs), required).
            type: str
          password:
            description: CIFS password (V(cifs), required). Never shown; masked as V(********) in drift reports.
            type: str
          domain:
            description: CIFS domain (V(cifs)).
            type: str
          uid:
            description: Owner of the files of the mounted share (V(cifs)); 10001 when unset.
            type: int
          gid:
            description: Group of the files of the mounted share (V(cifs)); 10001 when unset.
            type: int
          vers:
            description: SMB protocol version (V(cifs)); V(3.0) when unset.
            type: str
          options:
            description: Extra mount options appended to C(o), for example V(nfsvers=4,soft) (V(nfs), V(cifs)).
            type: str
      migrate:
        description:
          - Migrate this client's drifted volumes; overrides O(migrate). Not implemented yet.
        type: bool
  migrate:
    description:
      - Migrate drifted volumes instead of only reporting them.
      - Not implemented yet. V(true) with a drifted volume fails the task before any change.
    type: bool
    default: false
  volume_prefix:
    description:
      - The volumes are named this prefix, the client name, then C(-config) or C(-logs).
    type: str
    default: opt-
  state:
    description:
      - V(present) makes sure the volumes exist. Removal comes with the removal of a client.
    type: str
    default: present
    choices: [present]
notes:
  - An NFS or CIFS volume is only mounted when a container starts; a wrong address or password
    shows then, not here.
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Volumes of acme (config on NFS) and globex (all local)
  coaxis.opt.opt_volume:
    docker_host: unix:///run/coaxis-lab/docker.sock
    clients:
      - name: acme
        config_volume:
          type: nfs
          addr: 10.0.0.5
          export: /exports/opt/acme
          options: nfsvers=4,soft
      - name: globex
  register: volumes

- name: Config on a CIFS share, messages in French
  coaxis.opt.opt_volume:
    clients:
      - name: initech
        config_volume:
          type: cifs
          share: //files.example.com/opt/initech
          username: opt
          password: "{{ vault_initech_cifs_password }}"
          domain: EXAMPLE
    lang: fr
"""

RETURN = r"""
volumes:
  description: Per client, per role (config, logs), the volume as planned or found (options masked).
  returned: success
  type: dict
  sample:
    acme:
      config:
        name: opt-acme-config
        role: config
        type: nfs
        driver: local
        options: {type: nfs, o: "addr=10.0.0.5,nfsvers=4,soft", device: ":/exports/opt/acme"}
        action: create
        differences: []
drift:
  description: The volumes that differ from the inventory and were left alone.
  returned: always
  type: list
  elements: dict
  sample:
    - client: acme
      volume: opt-acme-config
      role: config
      differences:
        - {option: o.password, engine: "********", inventory: "********"}
        - {option: o.vers, engine: "2.1", inventory: "3.0"}
      message: "acme: volume opt-acme-config differs from the inventory (...)"
actions:
  description: What was done (or would be done in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create volume opt-acme-config (nfs)"]
errors:
  description: Every problem found, when the task fails.
  returned: failure
  type: list
  elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _volplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

VOLUME_OPTIONS = dict(
    type=dict(type='str', default='local', choices=list(_volplan.TYPES)),
    addr=dict(type='str'),
    export=dict(type='str'),
    share=dict(type='str'),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    domain=dict(type='str'),
    uid=dict(type='int'),
    gid=dict(type='int'),
    vers=dict(type='str'),
    options=dict(type='str'),
)


def build_module():
    argument_spec = _docker.docker_argument_spec(
        clients=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            config_volume=dict(type='dict', options=VOLUME_OPTIONS),
            logs_volume=dict(type='dict', options=VOLUME_OPTIONS),
            migrate=dict(type='bool'),
        )),
        migrate=dict(type='bool', default=False),
        volume_prefix=dict(type='str', default='opt-'),
        state=dict(type='str', default='present', choices=['present']),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def read_volumes(client, names):
    """{name: normalized} of the desired volumes that exist: one list, then an inspect per existing one."""
    listed = set(v['Name'] for v in (client.api.volumes() or {}).get('Volumes') or [])
    return dict((name, _volplan.normalize_volume(client.api.inspect_volume(name))) for name in names if name in listed)


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    url = params['docker_host']
    _docker.check_requirements(module)

    clients = params['clients']
    errors = _volplan.validate_clients(clients, lang)
    if errors:
        module.fail_json(msg=msg('plan_refused', lang, count=len(errors), errors='; '.join(errors)),
                         errors=errors, changed=False)
    desired = []
    for entry in clients:
        desired.extend(_volplan.desired_volumes(entry, params['volume_prefix']))

    client = _docker.docker_client(module)
    step = 'the volume list'
    try:
        observed = read_volumes(client, [d['name'] for d in desired])
        plan = _volplan.plan_volumes(desired, observed, lang)
        migrating = dict((c['name'], _volplan.migrate_requested(c, params['migrate'])) for c in clients)
        refused = [msg('vol_migrate_not_implemented', lang, client=i['client'], volume=i['name'])
                   for i in plan if i['action'] == 'drift' and migrating[i['client']]]
        if refused:
            module.fail_json(msg=msg('plan_refused', lang, count=len(refused), errors='; '.join(refused)),
                             errors=refused, changed=False)
        actions = []
        for item in plan:
            if item['action'] != 'create':
                continue
            actions.append('create volume %s (%s)' % (item['name'], item['type']))
            if not module.check_mode:
                step = 'the creation of the volume %s' % item['name']
                spec = item['desired']
                client.api.create_volume(name=spec['name'], driver=spec['driver'],
                                         driver_opts=spec['options'] or None, labels=spec['labels'])
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc(),
                         changed=False)

    volumes, drift, before, after = {}, [], {}, {}
    for item in plan:
        current = observed.get(item['name'])
        volumes.setdefault(item['client'], {})[item['role']] = _volplan.volume_view(item, current)
        if item['action'] == 'drift':
            module.warn(item['message'])
            drift.append(dict(client=item['client'], volume=item['name'], role=item['role'],
                              differences=item['differences'], message=item['message']))
        if item['action'] == 'create':
            before[item['name']] = {}
            view = _volplan.volume_view(item)
            after[item['name']] = dict(driver=view['driver'], options=view['options'])
    result = dict(changed=bool(actions), volumes=volumes, drift=drift, actions=actions)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
