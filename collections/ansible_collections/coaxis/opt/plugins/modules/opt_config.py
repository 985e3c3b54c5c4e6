#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_config
short_description: The mast configuration files on every client's config volume (Coaxis OPT)
version_added: 0.1.0
description:
  - Renders, in one call, the files the tunnel daemon mast reads from each client's config volume
    C(<volume_prefix><client>-config), or the one the inventory names (O(clients[].config_volume)),
    mounted at C(/etc/mast), and writes those that differ,
    through the Docker API, whatever the volume driver (local, NFS, CIFS).
  - "Files: C(sites/<site>.json) per site, C(ssh/id_ed25519) (the client's private key, mode 0600),
    C(ssh/known_hosts) (the pinned host key of every site), C(nginx.conf); all owned by 10001:10001
    (the mast user). Files under C(sites/) that match no site are removed; other files of the
    volume are never touched."
  - The whole inventory is validated first (names, hosts, host keys, ports, limits, keys); any
    problem fails the task with every problem listed (client, site and field named) and nothing changed.
  - The files of up to O(batch_size) clients are read with one C(get_archive) of a created, never
    started helper container of O(helper_image) mounting their volumes; changed files are written
    with one C(put_archive) into another such helper; removals run C(rm -f) in a third, short-lived
    helper. Helpers are always removed.
  - In check mode no helper is created - a volume is read with one C(get_archive) from a container
    of coaxis-opt that mounts it (the client's, running or not); a volume that no such container
    mounts is not read, and every file of it is reported as one to write.
  - When the files of a client changed and its container C(<container_prefix><client>) is running,
    C(mast reload) runs in it (see O(reload)); mast restarts only the sites whose file changed.
    A container not running, or running another image than O(helper_image) (about to be recreated
    on it), is not reloaded; its mast reads the files when it starts. Run this module before
    coaxis.opt.opt_client, so that a new container starts with its files in place.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description:
      - Reads the volumes and reports the file plan; writes nothing, reloads nothing, creates no container.
      - A volume is read from a container of coaxis-opt that mounts it; one that no such container
        mounts is not read, and its files are all planned as written (V(create)).
  diff_mode:
    support: full
    description:
      - Before and after text of every changed file.
      - "The private key is shown as a C(<private key: sha256 ...>) placeholder, never its content."
options:
  clients:
    description:
      - Every client of this Docker host (only those in O(only) are converged; all are validated).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Client name.
        type: str
        required: true
      sites:
        description:
          - The client's sites. Site, printer names are 1 to 32 lowercase letters, digits and dashes.
        type: list
        elements: dict
        default: []
        suboptions:
          name: {description: Site name (the file C(sites/<name>.json)). Required., type: str}
          host:
            description: SSH gateway of the site, host name or IPv4 address. Required.
            type: str
          port:
            description: SSH port, 1 to 65535.
            type: int
            default: 22
          user:
            description: SSH user.
            type: str
            default: coaxis
          host_key:
            description: The site's pinned SSH host key, C(<type> <base64>). Required.
            type: str
          upload_kbps:
            description: Upload limit in KiB/s, 1 to 100000; unset means no limit.
            type: int
          download_kbps:
            description: Download limit in KiB/s, 1 to 100000; unset means no limit.
            type: int
          keepalive_interval:
            description: Seconds between SSH keepalives, 1 to 3600.
            type: int
            default: 3
          keepalive_count:
            description: Keepalives missed before the session is dropped, 1 to 100.
            type: int
            default: 2
          connect_timeout:
            description: SSH connect timeout in seconds, 1 to 300.
            type: int
            default: 5
          compression:
            description: SSH compression.
            type: bool
            default: false
          printers:
            description:
              - Printers reached through the site, each with C(name), C(address), C(port) (default 9100) and C(listen_port).
              - C(listen_port) (1024 to 65535) is unique across all sites of the client.
            type: list
            elements: dict
            default: []
      private_key:
        description:
          - The client's SSH private key (OpenSSH or PEM). Required when the client has sites. Never shown.
        type: str
      config_volume:
        description:
          - Name of the client's config volume when the inventory names one; C(<volume_prefix><client>-config) when unset.
        type: str
      nginx:
        description:
          - The client's nginx, reserved for the proxy of a later release.
          - Key C(enabled) (default V(true)) writes C(nginx.conf); V(false) removes it.
        type: dict
  only:
    description:
      - Clients to converge; the others are validated but untouched. A name not in O(clients) is an error.
    type: list
    elements: str
  admin_url:
    description:
      - URL of the admin interface (for example V(http://192.168.2.20:8000)); each client's nginx
        forwards to it with the header C(X-OPT-Client) set to the client's name (one coming from
        outside is replaced) and C(X-OPT-Client-Signature) to its signature under O(admin_secret).
        Unset, the client's nginx answers with a placeholder page.
    type: str
  admin_secret:
    description:
      - The secret shared with the admin interface (C(opt_admin_signing_secret), vaulted; 32
        characters or more). Required with O(admin_url). Each client's nginx sends the hex
        HMAC-SHA256 of the client's name under it as C(X-OPT-Client-Signature); the admin interface
        checks it with C(verify()) of the collection's C(module_utils/_clientsig.py).
      - The signature is written into C(nginx.conf) (mode 0600) and masked in diffs. Never shown.
    type: str
  helper_image:
    description:
      - Image of the helper containers (the docker-opt image); it must be on the engine, it is never pulled.
    type: str
    required: true
  reload:
    description:
      - Run C(mast reload) in the client's container when its files changed and it is running.
    type: bool
    default: true
  container_prefix:
    description:
      - The client's container is this prefix followed by the client name.
    type: str
    default: opt-
  volume_prefix:
    description:
      - The config volume is this prefix, the client name, then C(-config), unless named by O(clients[].config_volume).
    type: str
    default: opt-
  helper_timeout:
    description:
      - Seconds to wait for the removal helper to finish.
    type: int
    default: 30
  workers:
    description:
      - Number of batches read and written, and of reloads run, in parallel.
    type: int
    default: 4
  batch_size:
    description:
      - Config volumes read and written through one helper container. A batch that fails is redone
        client by client, so that every client's error is its own.
    type: int
    default: 50
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Mast configuration of acme (one site, one printer)
  coaxis.opt.opt_config:
    docker_host: unix:///run/coaxis-lab/docker.sock
    helper_image: coaxis/docker-opt:lab
    clients:
      - name: acme
        private_key: "{{ vault_acme_private_key }}"
        sites:
          - name: lyon
            host: 10.130.0.10
            host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI..."
            upload_kbps: 100
            printers:
              - {name: accueil, address: 10.131.1.20, listen_port: 9101}
    only: [acme]
  register: config

- name: Show what changed for acme
  ansible.builtin.debug:
    msg: "{{ config.clients.acme.files | selectattr('action', 'ne', 'none') | list }} {{ config.clients.acme.reload }}"
"""

RETURN = r"""
clients:
  description:
    - One entry per converged client.
    - "C(reload.status): V(done), V(failed), V(planned) (check mode), V(not_needed) (no file changed),
      V(not_running), V(other_image) (its container is about to be recreated on O(helper_image)),
      V(disabled) (O(reload=false))."
  returned: success
  type: dict
  sample:
    acme:
      volume: opt-acme-config
      container: opt-acme
      changed: true
      files:
        - {path: nginx.conf, action: none, reasons: []}
        - {path: sites/lyon.json, action: update, reasons: [content]}
        - {path: sites/paris.json, action: delete, reasons: []}
      reload: {status: done, rc: 0, output: "reloaded: lyon"}
plan:
  description: The changed files of every converged client (in check mode, those that would change).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create), V(update) or V(delete).", type: str}
    target: {description: "C(<client>: <path>), the path relative to the config volume.", type: str}
    reason: {description: "What differs (content, mode, owner) for an update, else null.", type: str}
  sample: [{action: update, target: "acme: sites/lyon.json", reason: content}]
summary:
  description: The operator's lines (none for this module; see RV(clients)).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig, _configapply, _naming, _configplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SITE_OPTIONS = dict(
    name=dict(type='str'), host=dict(type='str'), port=dict(type='int', default=22),
    user=dict(type='str', default='coaxis'), host_key=dict(type='str', no_log=False),
    upload_kbps=dict(type='int'), download_kbps=dict(type='int'),
    keepalive_interval=dict(type='int', default=3), keepalive_count=dict(type='int', default=2),
    connect_timeout=dict(type='int', default=5), compression=dict(type='bool', default=False),
    printers=dict(type='list', elements='dict', default=[]),
)

SPEC = dict(
    clients=dict(type='list', elements='dict', required=True, options=dict(
        name=dict(type='str', required=True),
        sites=dict(type='list', elements='dict', default=[], options=SITE_OPTIONS),
        private_key=dict(type='str', no_log=True),
        nginx=dict(type='dict'),
        config_volume=dict(type='str'),
    )),
    only=dict(type='list', elements='str'),
    admin_url=dict(type='str'),
    admin_secret=dict(type='str', no_log=True),
    helper_image=dict(type='str', required=True),
    reload=dict(type='bool', default=True),
    container_prefix=dict(type='str', default='opt-'),
    volume_prefix=dict(type='str', default='opt-'),
    helper_timeout=dict(type='int', default=30),
    workers=dict(type='int', default=4),
    batch_size=dict(type='int', default=50),
)


def jobs_of(run):
    """One job per converged client (its volume, container and rendered files); every client validated first."""
    params, clients = run.params, run.params['clients']
    names = [c['name'] for c in clients]
    only = params['only'] if params['only'] is not None else names
    errors = [run.msg('unknown_client', client=name) for name in only if name not in names]
    errors += _configplan.validate_clients(clients, run.lang)
    if params['admin_url'] and _configplan.parse_admin_url(params['admin_url']) is None:
        errors.append(run.msg('admin_url_invalid', url=params['admin_url']))
    errors += _clientsig.signing_errors(params['admin_url'], params['admin_secret'], run.lang)
    if errors:
        raise Refused(errors, 'step_refused')
    jobs = {}
    for entry in clients:
        if entry['name'] in only and entry['name'] not in jobs:
            jobs[entry['name']] = {
                'client': entry['name'],
                'volume': entry.get('config_volume') or _naming.volume_name(entry['name'], 'config', params['volume_prefix']),
                'container': _naming.container_name(entry['name'], params['container_prefix']),
                'files': _configplan.render_client(dict(entry, admin_url=params['admin_url'],
                                                        admin_secret=params['admin_secret']))}
    return list(jobs.values())


def plan(run):
    params, jobs = run.params, jobs_of(run)
    try:
        state = _configapply.read_state(run.client, params['helper_image'], run.url, run.lang)
    except _configapply.StepFailed as exc:
        raise Refused([str(exc)], 'step_refused')
    # In check mode opt_volume, just before, only planned the volume: every file is planned as new.
    missing = [run.msg('cfg_volume_planned' if run.check_mode else 'cfg_volume_missing', client=job['client'],
                       volume=job['volume'], url=run.url)
               for job in jobs if job['volume'] not in state['volumes']]
    if missing and not run.check_mode:
        raise Refused(missing, 'step_refused')
    for text in missing:
        run.warn(text)
    options = {'helper_name': _naming.helper_name('config', params['volume_prefix']), 'wait': params['helper_timeout'],
               'reload': params['reload'], 'url': run.url, 'batch': params['batch_size'], 'workers': params['workers']}
    clients, actions, diffs, todo, errors = {}, [], [], [], []
    for job, current, error in _configapply.read_all(run.client, jobs, state, run.check_mode, options, run.lang):
        if error:
            errors.append(error)
            continue
        files, changed, writes, deletes = _configapply.plan_job(job, current)
        clients[job['client']] = {'volume': job['volume'], 'container': job['container'], 'changed': bool(changed),
                                  'files': files, 'reload': _configapply.reload_step(
                                      None, job, state, bool(changed), True, params['reload'])}
        actions += [dict(action=i['action'], target='%s: %s' % (job['client'], i['path']),
                         reason=', '.join(i['reasons']) or None) for i in changed]
        diffs += _configplan.file_diffs(job['client'], files, job['files'], current, run.lang)
        todo += [(job, writes, deletes)] if changed else []
    if errors and (run.check_mode or not todo):
        raise Refused(errors, changed=bool(actions), clients=clients, plan=actions)
    return Plan(actions, diff=diffs, clients=clients,
                data=dict(todo=todo, state=state, options=options, errors=errors))


def apply(run, planned):
    errors = planned.data['errors']
    for job, reload, error in _configapply.write_all(run.client, planned.data['todo'], planned.data['state'],
                                                     planned.data['options'], run.lang):
        if error:
            errors.append(error)
            del planned.result['clients'][job['client']]
            planned.actions = [a for a in planned.actions if not a['target'].startswith(job['client'] + ': ')]
            continue
        planned.result['clients'][job['client']]['reload'] = reload
        if reload['status'] == 'failed':
            errors.append(run.msg('cfg_reload_failed', client=job['client'], container=job['container'],
                                  code=reload.get('rc'), output=reload.get('output')))
    if errors:
        run.fail('; '.join(errors), errors, clients=planned.result['clients'], plan=planned.actions)


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
