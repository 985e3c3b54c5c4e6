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
    C(<volume_prefix><client>-config) and C(<volume_prefix><client>-logs) or the names the
    inventory gives (O(clients[].config_volume.name)), each a plain local volume, an NFS export or
    a CIFS share (driver C(local) with driver options).
  - Volumes are labelled C(coaxis.opt.client), C(coaxis.opt.managed-by=coaxis-opt) and
    C(coaxis.opt.volume=config|logs) on create.
  - An existing volume whose driver or driver options differ from the inventory (drift) is
    reported (a warning and O(ignore:drift) in the result, naming the client, the volume and every
    differing option with the engine and inventory values, the CIFS password masked) and LEFT
    ALONE. A volume is never removed or recreated by this module.
  - "Docker cannot rename a volume or change its options, so a volume is migrated to a new name:
    the inventory names the new volume (O(clients[].config_volume.name)) with the new options and
    asks for the migration (O(clients[].migrate) or O(migrate)). When the named volume does not
    exist and the volume the client uses now (the I(source): the one its container
    C(<container_prefix><client>) mounts at that role's mount point, else the default name)
    exists, the new volume is created (label C(coaxis.opt.migrated-from=<source>)) and the data
    is copied by a short-lived helper container of O(helper_image) (C(cp -a), source read-only,
    no network, user 0 with only the capabilities CHOWN, DAC_OVERRIDE, FOWNER and FSETID, bounded
    wait, always removed), then verified: every file, directory and link the source held before
    the copy is in the new volume, with the same type and, for a file, at least its size then
    (a live log grows during the copy). The source volume is never changed nor removed."
  - Without the migration asked, that situation is an error and nothing is changed (the client's
    container would be recreated on a new empty volume, hiding its data).
  - "After a migration, M(coaxis.opt.opt_client) with the new name recreates the container on the
    new volume; lines a running container writes between the copy and its recreation stay only
    in the source. A migration whose container was not switched yet (a failed copy, a failed
    recreation) is copied again on the next run with the migration asked."
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
          - The config volume; a plain local volume named C(<volume_prefix><client>-config) when unset.
          - V(nfs) gives the driver options C(type=nfs), C(o=addr=<addr>[,<options>]), C(device=:<export>).
          - V(cifs) gives C(type=cifs), C(device=<share>),
            C(o=username=...,password=...,uid=...,gid=...,vers=...[,domain=...][,<options>]).
        type: dict
        suboptions:
          name:
            description:
              - Name of the volume; C(<volume_prefix><client>-config) when unset.
              - A new name with O(clients[].migrate) migrates the data of the volume in use to it.
            type: str
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
          name:
            description:
              - Name of the volume; C(<volume_prefix><client>-logs) when unset.
              - A new name with O(clients[].migrate) migrates the data of the volume in use to it.
            type: str
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
          - Copy the data of the volume this client uses now into a newly named volume; overrides O(migrate).
        type: bool
  migrate:
    description:
      - Copy the data of the volume a client uses now into the new volume the inventory names.
      - Without it, a named volume that does not exist while the client's data is in another
        volume fails the task before any change.
      - A drifted volume (same name, other options) is reported, never migrated in place.
    type: bool
    default: false
  helper_image:
    description:
      - Image of the copy helper (the docker-opt image, with sh, GNU find and cp); required when a
        migration happens; it must be on the engine, it is never pulled.
    type: str
  helper_timeout:
    description:
      - Seconds to wait for one copy helper to finish.
    type: int
    default: 600
  container_prefix:
    description:
      - The client's container is this prefix followed by the client name (its mounts tell the
        volume the client uses now).
    type: str
    default: opt-
  config_mount:
    description:
      - Mount point of the config volume in the client's container.
    type: str
    default: /etc/mast
  logs_mount:
    description:
      - Mount point of the logs volume in the client's container.
    type: str
    default: /var/log/mast
  volume_prefix:
    description:
      - The volumes are named this prefix, the client name, then C(-config) or C(-logs), unless
        the inventory names them.
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
  - A migration reads the whole source volume twice (listing, copy); on NFS or CIFS it takes the
    time of the transfer, up to O(helper_timeout) per volume.
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

- name: Move acme's logs to a new NFS volume, keeping the old one (its data is copied)
  coaxis.opt.opt_volume:
    clients:
      - name: acme
        logs_volume:
          name: opt-acme-logs-2
          type: nfs
          addr: 10.0.0.5
          export: /exports/opt/acme-logs
        migrate: true
    helper_image: coaxis/docker-opt:latest
  register: volumes
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
      logs:
        name: opt-acme-logs-2
        role: logs
        type: local
        driver: local
        options: {}
        action: migrate
        from: opt-acme-logs
        differences: []
migrated:
  description:
    - Per client, the volumes migrated by this run (not in check mode), C(files) being the number
      of regular files the source held.
  returned: always
  type: dict
  sample:
    acme:
      - {role: logs, from: opt-acme-logs, to: opt-acme-logs-2, files: 12}
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
  sample: ["create volume opt-acme-config (nfs)", "migrate volume opt-acme-logs to opt-acme-logs-2 (local)"]
errors:
  description: Every problem found, when the task fails.
  returned: failure
  type: list
  elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _volapply, _volplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

VOLUME_OPTIONS = dict(
    name=dict(type='str'),
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
        helper_image=dict(type='str'),
        helper_timeout=dict(type='int', default=600),
        volume_prefix=dict(type='str', default='opt-'),
        container_prefix=dict(type='str', default='opt-'),
        config_mount=dict(type='str', default='/etc/mast'),
        logs_mount=dict(type='str', default='/var/log/mast'),
        state=dict(type='str', default='present', choices=['present']),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def refuse(module, errors, lang, changed=False, **result):
    if changed:  # a step failed after others changed volumes: say which ones
        text = msg('step_failed_after_changes', lang, count=len(errors), errors='; '.join(errors),
                   changes='; '.join(result.get('actions') or []))
    else:
        text = msg('step_refused', lang, count=len(errors), errors='; '.join(errors))
    module.fail_json(msg=text, errors=errors, changed=changed, **result)


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    url = params['docker_host']
    _docker.check_requirements(module)

    clients = params['clients']
    errors = _volplan.validate_clients(clients, lang, params['volume_prefix'])
    if errors:
        refuse(module, errors, lang)
    desired = []
    for entry in clients:
        desired.extend(_volplan.desired_volumes(entry, params['volume_prefix']))
    migrating = dict((c['name'], _volplan.migrate_requested(c, params['migrate'])) for c in clients)
    mount_points = {'config': params['config_mount'], 'logs': params['logs_mount']}

    client = _docker.docker_client(module)
    step = msg('step_volume_list', lang)
    actions, migrated = [], {}
    try:
        sources = _volplan.volume_sources(desired, _volapply.read_mounts(client), params['container_prefix'],
                                          mount_points)
        observed = _volapply.read_volumes(client, [d['name'] for d in desired] + [s['name'] for s in sources.values()])
        plan = _volplan.plan_volumes(desired, observed, lang, sources, migrating)
        refused = [i['message'] for i in plan if i['action'] == 'refused']
        if refused:
            refuse(module, refused, lang)
        moves = [i for i in plan if i['action'] == 'migrate']
        image_id = None
        if moves:
            if not params['helper_image']:
                refuse(module, [msg('vol_helper_image_required', lang,
                                    volumes=', '.join('%s -> %s' % (i['source'], i['name']) for i in moves))], lang)
            step = msg('step_helper_image', lang)
            try:
                image_id = client.api.inspect_image(params['helper_image'])['Id']
            except _docker.NotFound:
                refuse(module, [msg('image_missing', lang, image=params['helper_image'], url=url)], lang)
        for item in plan:
            if item['action'] == 'create':
                actions.append('create volume %s (%s)' % (item['name'], item['type']))
                if not module.check_mode:
                    step = msg('step_volume_create', lang, volume=item['name'])
                    _volapply.create_volume(client, item['desired'], item['desired']['labels'])
            elif item['action'] == 'migrate':
                actions.append('migrate volume %s to %s (%s)' % (item['source'], item['name'], item['type']))
                if not module.check_mode:
                    step = msg('step_volume_migrate', lang, source=item['source'], volume=item['name'])
                    files = _volapply.migrate(client, image_id, item, observed, params['volume_prefix'],
                                              params['helper_timeout'], lang)
                    migrated.setdefault(item['client'], []).append(
                        dict(role=item['role'], to=item['name'], files=files, **{'from': item['source']}))
    except _volapply.StepFailed as exc:
        refuse(module, [str(exc)], lang, changed=bool(actions) and not module.check_mode, actions=actions,
               migrated=migrated)
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc(),
                         changed=bool(actions) and not module.check_mode, actions=actions, migrated=migrated)

    volumes, drift, before, after = {}, [], {}, {}
    for item in plan:
        current = observed.get(item['name'])
        volumes.setdefault(item['client'], {})[item['role']] = _volplan.volume_view(item, current)
        if item['action'] == 'drift' or item['switch_from']:
            module.warn(item['message'])
        if item['action'] == 'drift':
            drift.append(dict(client=item['client'], volume=item['name'], role=item['role'],
                              differences=item['differences'], message=item['message']))
        if item['action'] in ('create', 'migrate'):
            view = _volplan.volume_view(item)
            source = observed.get(item['source']) if item['source'] else None
            before[item['name']] = (dict(name=item['source'], driver=source['driver'],
                                         options=_volplan.masked_options(source['options'])) if source else {})
            after[item['name']] = dict(name=item['name'], driver=view['driver'], options=view['options'])
    result = dict(changed=bool(actions), volumes=volumes, drift=drift, actions=actions, migrated=migrated)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
