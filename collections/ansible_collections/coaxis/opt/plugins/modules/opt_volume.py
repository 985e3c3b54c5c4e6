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
  - coaxis.opt.result
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
plan:
  description: What was done (in check mode, what would be done), one item per volume created or migrated.
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create) or V(migrate).", type: str}
    target: {description: "The volume and its type, C(volume <name> (<type>)).", type: str}
    reason: {description: "C(data of <source>) for a migration, else null.", type: str}
  sample:
    - {action: create, target: volume opt-acme-config (nfs), reason: null}
    - {action: migrate, target: volume opt-acme-logs-2 (local), reason: data of opt-acme-logs}
summary:
  description: The operator's lines (none for this module; drift and switches are warnings).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _volapply, _volplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

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

SPEC = dict(
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


def helper_image_id(run, moves):
    """The id of the copy helper's image, when a migration needs it (never pulled)."""
    if not moves:
        return None
    if not run.params['helper_image']:
        raise Refused([run.msg('vol_helper_image_required',
                               volumes=', '.join('%s -> %s' % (i['source'], i['name']) for i in moves))], 'step_refused')
    run.step('step_helper_image')
    try:
        return run.client.api.inspect_image(run.params['helper_image'])['Id']
    except _docker.NotFound:
        raise Refused([run.msg('image_missing', image=run.params['helper_image'], url=run.url)], 'step_refused')


def plan(run):
    params = run.params
    errors = _volplan.validate_clients(params['clients'], run.lang, params['volume_prefix'])
    if errors:
        raise Refused(errors, 'step_refused')
    desired = [d for entry in params['clients'] for d in _volplan.desired_volumes(entry, params['volume_prefix'])]
    migrating = dict((c['name'], _volplan.migrate_requested(c, params['migrate'])) for c in params['clients'])
    mount_points = {'config': params['config_mount'], 'logs': params['logs_mount']}
    run.step('step_volume_list')
    sources = _volplan.volume_sources(desired, _volapply.read_mounts(run.client), params['container_prefix'],
                                      mount_points)
    observed = _volapply.read_volumes(run.client, [d['name'] for d in desired] + [s['name'] for s in sources.values()])
    items = _volplan.plan_volumes(desired, observed, run.lang, sources, migrating)
    refused = [i['message'] for i in items if i['action'] == 'refused']
    if refused:
        raise Refused(refused, 'step_refused')
    image_id = helper_image_id(run, [i for i in items if i['action'] == 'migrate'])
    for item in items:
        if item['action'] == 'drift' or item['switch_from']:
            run.warn(item['message'])
    volumes, drift, before, after = _volplan.results(items, observed)
    todo = _volplan.changes(items)
    return Plan([_volplan.plan_action(i) for i in todo], summary=[], before=before, after=after,
                volumes=volumes, drift=drift, migrated={}, data=dict(todo=todo, observed=observed, image_id=image_id))


def apply(run, planned):
    done, migrated = run.result.setdefault('plan', []), planned.result['migrated']
    run.result['migrated'] = migrated
    for item in planned.data['todo']:
        done.append(_volplan.plan_action(item))
        try:
            if item['action'] == 'create':
                run.step('step_volume_create', volume=item['name'])
                _volapply.create_volume(run.client, item['desired'], item['desired']['labels'])
                continue
            run.step('step_volume_migrate', source=item['source'], volume=item['name'])
            files = _volapply.migrate(run.client, planned.data['image_id'], item, planned.data['observed'],
                                      run.params['volume_prefix'], run.params['helper_timeout'], run.lang)
        except _volapply.StepFailed as exc:
            changes = '; '.join(_volplan.action_text(i) for i in planned.data['todo'][:len(done)])
            run.fail(run.msg('step_failed_after_changes', count=1, errors=str(exc), changes=changes), [str(exc)])
        migrated.setdefault(item['client'], []).append(
            dict(role=item['role'], to=item['name'], files=files, **{'from': item['source']}))


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
