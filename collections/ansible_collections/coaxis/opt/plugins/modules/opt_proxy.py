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
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Plans the container and the files, changes nothing (it reads the files of the existing
      container).
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
plan:
  description: What was done (in check mode, what would be done).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create), V(recreate) or V(start) the container; V(write) or V(remove) a file.", type: str}
    target: {description: "The container, or C(<container>:<file>) under C(/etc/opt-edge).", type: str}
    reason: {description: Always null., type: str}
  sample: [{action: write, target: "opt-edge:vhosts/acme.conf", reason: null}]
summary:
  description: The operator's lines (none for this module; the playbooks show the client URLs from O(clients)).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success. A vhost nginx refused is one line naming its client.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _edgeread, _limits, _naming, _proxyapply, _proxyplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SPEC = dict(
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


def checked(run):
    """The clients (subdomain defaulted) and the edge image's id; Refused with every problem."""
    params = run.params
    clients = [dict(entry, subdomain=entry['subdomain'] or entry['name']) for entry in params['clients']]
    errors = _proxyplan.validate(params['domain'], clients, params['tls_cert'], params['tls_key'], run.lang,
                                 admin_url=params['admin_url'])
    errors += _limits.validate_limits('edge', params['limits'], 'limits', run.lang)
    errors += _limits.validate_log(params['log'], 'log', run.lang)
    run.step('step_proxy_inspect')
    image_id = None
    try:
        image_id = run.client.api.inspect_image(params['image'])['Id']
    except _docker.NotFound:
        errors.append(run.msg('proxy_image_missing', image=params['image'], url=run.url))
    if not errors:
        errors += _limits.engine_cpus_errors('edge', params['limits'], run.client.info().get('NCPU'), 'limits', run.url,
                                             run.lang)
    if errors:
        raise Refused(errors)
    if params['deployed_only']:
        keep = _naming.managed_client_names(run.client) | set(params['include'])
        clients = [entry for entry in clients if entry['name'] in keep]
    return clients, image_id


def plan(run):
    params = run.params
    clients, image_id = checked(run)
    spec = _proxyplan.desired_container(params['name'], params['image'], params['volume'], params['limits'], params['log'])
    desired = _proxyplan.desired_files(params['domain'], clients, params['tls_cert'], params['tls_key'],
                                       params['client_port'], admin_url=params['admin_url'])
    observed = _docker.observe_service(run.client, params['name'], image_id)
    current = _edgeread.read_edge_files(run.client, observed['id']) if observed else {}
    container = _proxyplan.container_action(spec, observed)
    files = _proxyplan.plan_files(desired, current)
    planned = Plan(_proxyplan.plan_actions(params['name'], container, files), summary=[],
                   diff=_proxyplan.files_diff(files, current, desired),
                   container=dict(name=params['name'], id=observed['id'] if observed else None, action=container),
                   data=dict(spec=spec, observed=observed, container=container, desired=desired, current=current,
                             clients=clients))
    answer_files(run, planned, files, {})
    return planned


def answer_files(run, planned, files, refused):
    """The answer's vhosts and back-office for a files plan and the vhosts nginx refused."""
    planned.result['vhosts'], planned.result['admin'] = _proxyplan.vhost_results(
        planned.data['clients'], run.params['domain'], run.params['admin_url'], files, refused)


def apply(run, planned):
    run.step('step_proxy_update')
    data = planned.data
    container_id, files, current, refused = _proxyapply.converge(
        run.client, data['spec'], data['observed'], data['container'], data['desired'], data['current'], run.lang)
    planned.result['container']['id'] = container_id
    planned.diff = _proxyplan.files_diff(files, current, data['desired'])
    answer_files(run, planned, files, refused)
    errors = _proxyplan.refused_errors(refused, run.params['domain'], run.lang)
    if errors:
        failure = dict(planned.result, plan=planned.actions, summary=planned.summary)
        if run.module._diff:
            failure['diff'] = planned.diff
        raise Refused(errors, **failure)


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
