#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_proxy
short_description: The edge reverse proxy of a Docker host, one vhost per client subdomain (Coaxis OPT)
version_added: 0.1.0
description:
  - Runs the edge container (nginx, host network, ports 80 and 443, capabilities C(CHOWN), C(NET_BIND_SERVICE),
    C(SETGID), C(SETUID) only, C(no-new-privileges), read-only root, bounded memory, pids, CPU and log,
    restart always) and gives it one vhost per client,
    C(<subdomain>.<domain>), forwarding to the client container's nginx (which adds C(X-OPT-Client)).
    HTTP redirects to HTTPS; a host no client owns gets a 404 page.
  - With O(admin_url), the back-office C(opt.<domain>) forwards to the admin interface (with C(X-Forwarded-Host)
    and C(X-Forwarded-Proto); a C(X-OPT-Client) header from outside is dropped); without it, that vhost goes.
    A client whose subdomain is C(opt) is then refused.
  - Each changed vhost is first tested alone with C(nginx -t). A vhost nginx refuses is left out (the
    client's previous vhost, if any, stays) and the task fails naming that client with nginx's message,
    after the other clients' vhosts are applied and reloaded; one bad vhost never blocks the others.
  - The whole configuration is tested again before the reload; if nginx refuses it, the previous files
    are put back.
  - Clients missing from O(clients) lose their vhost.
extends_documentation_fragment:
  - coaxis.opt.docker
attributes:
  check_mode:
    support: full
    description: Plans the container and the files, changes nothing.
  diff_mode:
    support: full
    description: Each file before and after (the private key is shown as its size and hash).
options:
  domain:
    description: The domain of the client subdomains, for example V(coaxis.com).
    type: str
    required: true
  clients:
    description: Every client of the Docker host.
    type: list
    elements: dict
    required: true
    suboptions:
      name: {description: Client name., type: str, required: true}
      subdomain: {description: DNS label of its subdomain (its name by default)., type: str}
      ip: {description: Address of its container., type: str, required: true}
      extra:
        description: Extra nginx directives of its vhost's location, one per item, each ending with C(;).
        type: list
        elements: str
        default: []
  deployed_only:
    description: Give a vhost only to the clients that have a container on the engine (or are in O(include)).
    type: bool
    default: true
  include:
    description: Clients that get their vhost before their container exists (the one a run creates).
    type: list
    elements: str
    default: []
  tls_cert:
    description: The wildcard certificate C(*.<domain>) (PEM, chain included).
    type: str
    required: true
  tls_key:
    description: Its private key (PEM). Keep it in a vault.
    type: str
    required: true
  admin_url:
    description:
      - The admin interface, C(http(s)://<host>[:<port>]) (the inventory's C(opt_admin_url)); the edge serves
        it as C(opt.<domain>). Empty, no back-office vhost.
    type: str
    default: ''
  client_port:
    description: Port of the client containers' nginx.
    type: int
    default: 8080
  image:
    description: The opt-edge image (never pulled).
    type: str
    required: true
  name:
    description: Name of the edge container.
    type: str
    default: opt-edge
  volume:
    description: Volume holding the vhosts, the certificate and the 404 page.
    type: str
    default: opt-edge
  limits:
    description:
      - Resource limits of the edge container; a key left out keeps its default. C(memory), a size with
        k, m or g, 16m to 64g (default C(256m), no swap beyond it); C(pids), 16 to 65536 (default C(256));
        C(cpus), 0.01 to 256 (default C(1.0)). A change recreates the container (once).
    type: dict
    default: {}
  log:
    description:
      - Its Docker log (nginx's access and error logs go there, nowhere else); a key left out keeps its
        default. C(driver), C(json-file) (default) or C(local); C(max_size), 16k to 1g (default C(10m));
        C(max_file), 1 to 100 (default C(3)). A flood of requests never holds more than
        C(max_size) * C(max_file) on the Docker host.
    type: dict
    default: {}
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Client subdomains of the Docker host
  coaxis.opt.opt_proxy:
    domain: coaxis.com
    tls_cert: "{{ vault_opt_tls_cert }}"
    tls_key: "{{ vault_opt_tls_key }}"
    image: registry.coaxis.lan/opt/opt-edge:0.1.0
    clients:
      - {name: ma-societe, subdomain: ma-societe, ip: 172.16.1.11}

- name: Client subdomains and the back-office opt.coaxis.com
  coaxis.opt.opt_proxy:
    domain: coaxis.com
    admin_url: http://192.168.2.20:8000
    tls_cert: "{{ vault_opt_tls_cert }}"
    tls_key: "{{ vault_opt_tls_key }}"
    image: registry.coaxis.lan/opt/opt-edge:0.1.0
    clients:
      - {name: ma-societe, subdomain: ma-societe, ip: 172.16.1.11}
"""

RETURN = r"""
container:
  description: The edge container and what was done to it.
  returned: always
  type: dict
vhosts:
  description: Per client, its host name and what happened to its vhost (written, removed, unchanged, refused).
  returned: always
  type: dict
  sample: {acme: {host: acme.coaxis.com, action: written}}
admin:
  description: The back-office vhost (host name, or None when removed or absent) and what happened to it.
  returned: always
  type: dict
  sample: {host: opt.coaxis.com, action: unchanged}
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply, _docker, _naming, _edgeread, _limits, _proxyplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

ROOT = _proxyplan.ROOT


class ProxyError(Exception):
    """A step failed; the message is rendered for the operator."""


def build_module():
    argument_spec = _docker.docker_argument_spec(
        domain=dict(type='str', required=True),
        clients=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True), subdomain=dict(type='str'),
            ip=dict(type='str', required=True), extra=dict(type='list', elements='str', default=[]))),
        deployed_only=dict(type='bool', default=True),
        include=dict(type='list', elements='str', default=[]),
        tls_cert=dict(type='str', required=True),
        tls_key=dict(type='str', required=True, no_log=True),
        admin_url=dict(type='str', default=''),
        client_port=dict(type='int', default=8080),
        image=dict(type='str', required=True),
        name=dict(type='str', default='opt-edge'),
        volume=dict(type='str', default='opt-edge'),
        limits=dict(type='dict', default={}),
        log=dict(type='dict', default={}),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def put(client, container, files, prefix=''):
    archive = _configapply.build_archive(
        dict((prefix + path, {'content': e['content'], 'mode': e['mode'], 'uid': 0, 'gid': 0}) for path, e in files.items()),
        dir_owner=(0, 0))
    client.api.put_archive(container, ROOT, archive)


def run(client, container, argv):
    return _docker.exec_command(client, container, argv)


def create(client, spec):
    try:
        client.api.inspect_volume(spec['volume'])
    except _docker.NotFound:
        client.api.create_volume(spec['volume'], labels=_proxyplan.labels())
    host_config = client.api.create_host_config(
        network_mode='host', cap_drop=['ALL'], cap_add=spec['cap_add'], read_only=True,
        tmpfs={'/run': 'rw,nosuid,nodev,size=16m'}, binds=['%s:%s:rw' % (spec['volume'], ROOT)],
        restart_policy={'Name': spec['restart']}, security_opt=['no-new-privileges:true'],
        **_limits.host_config_args(spec['limits'], spec['log']))
    return client.api.create_container(spec['image'], name=spec['name'], host_config=host_config,
                                       labels=_proxyplan.labels(spec))['Id']


def start(client, container, name, lang):
    failure = _docker.start_and_wait(client, container, 10,
                                     ready=lambda c, cid: run(c, cid, ['nginx', '-t', '-q'])[0] == 0)
    if failure:
        raise ProxyError(msg('proxy_not_running', lang, name=name, state=failure[0], logs=failure[1]))


def apply(client, container, desired, current, plan, lang):
    """Write what nginx accepts; returns {client: nginx message} of the refused vhosts."""
    vhosts = [p for p in plan['write'] if _proxyplan.is_vhost(p)]
    refused = {}
    if vhosts:
        run(client, container, ['rm', '-rf', '%s/%s' % (ROOT, _proxyplan.STAGING)])
        staged = dict((p, desired[p]) for p in plan['write'])
        put(client, container, staged, prefix=_proxyplan.STAGING + '/')
        code, output = run(client, container, ['opt-edge', 'check', '%s/%s' % (ROOT, _proxyplan.STAGING)])
        if code != 0:
            raise ProxyError(msg('proxy_reload_failed', lang, error=output))
        refused = dict((c, e) for c, e in _proxyplan.parse_check(output, lang).items() if e)
        run(client, container, ['rm', '-rf', '%s/%s' % (ROOT, _proxyplan.STAGING)])
    writes = [p for p in plan['write'] if _proxyplan.vhost_name(p) not in refused]
    if writes:
        put(client, container, dict((p, desired[p]) for p in writes))
    if plan['delete']:
        run(client, container, ['rm', '-f'] + ['%s/%s' % (ROOT, p) for p in plan['delete']])
    if writes or plan['delete']:
        code, output = run(client, container, ['nginx', '-t', '-q'])
        if code != 0:
            restore = dict((p, current[p]) for p in writes + plan['delete'] if p in current)
            if restore:
                put(client, container, restore)
            added = [p for p in writes if p not in current]
            if added:
                run(client, container, ['rm', '-f'] + ['%s/%s' % (ROOT, p) for p in added])
            raise ProxyError(msg('proxy_reload_failed', lang, error=output))
        run(client, container, ['nginx', '-s', 'reload'])
    return refused


def main():
    module = build_module()
    params = module.params
    lang, url = params['lang'], params['docker_host']
    _docker.check_requirements(module)
    clients = [dict(entry, subdomain=entry['subdomain'] or entry['name']) for entry in params['clients']]
    errors = _proxyplan.validate(params['domain'], clients, params['tls_cert'], params['tls_key'], lang,
                                 admin_url=params['admin_url'])
    errors += _limits.validate_limits('edge', params['limits'], 'limits', lang) + _limits.validate_log(
        params['log'], 'log', lang)
    client = _docker.docker_client(module)
    step = msg('step_proxy_inspect', lang)
    refused = {}
    try:
        try:
            image_id = client.api.inspect_image(params['image'])['Id']
        except _docker.NotFound:
            errors.append(msg('proxy_image_missing', lang, image=params['image'], url=url))
        if not errors:
            errors += _limits.engine_cpus_errors('edge', params['limits'], client.info().get('NCPU'), 'limits', url, lang)
        if errors:
            module.fail_json(msg='; '.join(errors), errors=errors, changed=False)
        if params['deployed_only']:
            keep = _naming.managed_client_names(client) | set(params['include'])
            clients = [entry for entry in clients if entry['name'] in keep]
        spec = _proxyplan.desired_container(params['name'], params['image'], params['volume'], params['limits'],
                                            params['log'])
        desired = _proxyplan.desired_files(params['domain'], clients, params['tls_cert'], params['tls_key'],
                                           params['client_port'], admin_url=params['admin_url'])
        observed = _docker.observe_service(client, params['name'], image_id)
        current = _edgeread.read_edge_files(client, observed['id']) if observed else {}
        container = 'create' if observed is None else (
            'recreate' if observed['hash'] != spec['hash'] or observed['image_stale'] else
            'start' if not observed['running'] else 'none')
        plan = _proxyplan.plan_files(desired, current)
        changed = container != 'none' or bool(plan['write'] or plan['delete'])
        container_id = observed['id'] if observed else None
        if changed and not module.check_mode:
            step = msg('step_proxy_update', lang)
            if container in ('create', 'recreate'):
                if container_id:
                    client.api.remove_container(container_id, force=True)
                container_id = create(client, spec)
                # The certificate and the 404 page first: nginx needs them to start at all.
                base = dict((p, desired[p]) for p in desired if not _proxyplan.is_vhost(p))
                put(client, container_id, base)
                current = _edgeread.read_edge_files(client, container_id)
                plan = _proxyplan.plan_files(desired, current)
            if container != 'none':
                start(client, container_id, params['name'], lang)
            refused = apply(client, container_id, desired, current, plan, lang)
    except ProxyError as exc:
        module.fail_json(msg=str(exc), changed=True)
    except (_docker.DockerException, _docker.RequestException) as exc:
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc())

    vhosts = {}
    for entry in clients:
        path = _proxyplan.vhost_path(entry['name'])
        action = 'refused' if entry['name'] in refused else 'written' if path in plan['write'] else 'unchanged'
        vhosts[entry['name']] = {'host': '%s.%s' % (entry['subdomain'], params['domain']), 'action': action}
    for path in plan['delete']:
        if _proxyplan.client_of(path):
            vhosts[_proxyplan.client_of(path)] = {'host': None, 'action': 'removed'}
    admin_host = '%s.%s' % (_proxyplan.ADMIN_SUBDOMAIN, params['domain'])
    admin_refused = refused.pop(_proxyplan.vhost_name(_proxyplan.ADMIN_VHOST), None)
    admin = {'host': admin_host if params['admin_url'] else None,
             'action': 'refused' if admin_refused else 'written' if _proxyplan.ADMIN_VHOST in plan['write'] else
             'removed' if _proxyplan.ADMIN_VHOST in plan['delete'] else 'unchanged' if params['admin_url'] else 'absent'}
    vhosts.pop(_proxyplan.vhost_name(_proxyplan.ADMIN_VHOST), None)
    result = dict(changed=changed, container=dict(name=params['name'], id=container_id, action=container),
                  vhosts=vhosts, admin=admin)
    if module._diff:
        paths = plan['write'] + plan['delete']
        result['diff'] = [dict(before_header=p, after_header=p,
                               before=_proxyplan.shown(p, current[p]['content']) if p in current else '',
                               after=_proxyplan.shown(p, desired[p]['content']) if p in desired else '')
                          for p in paths]
    if refused or admin_refused:
        errors = [msg('proxy_vhost_failed', lang, client=name, error=error) for name, error in sorted(refused.items())]
        if admin_refused:
            errors.append(msg('proxy_backoffice_failed', lang, host=admin_host, error=admin_refused))
        module.fail_json(msg='; '.join(errors), errors=errors, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
