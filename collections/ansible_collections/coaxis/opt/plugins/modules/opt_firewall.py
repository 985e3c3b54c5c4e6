#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_firewall
short_description: The Docker host's firewall for the OPT client containers (Coaxis OPT)
version_added: 0.1.0
description:
  - Runs the firewall container (host network, capabilities C(NET_ADMIN) and C(NET_RAW) only,
    C(no-new-privileges), read-only root file system, bounded memory, pids, CPU and log, restart always)
    and gives it the rule set of every client of the Docker host in
    one call.
  - The rule set fills two chains of its own, C(COAXIS-OPT) (jumped to first from C(DOCKER-USER)) and
    C(COAXIS-OPT-INPUT) (jumped to first from C(INPUT)). Default deny on the client network, per
    client exactly what printing needs; every client rule carries the comment C(coaxis-opt client=<name>).
  - "In: each Coaxis host (O(coaxis_sources)) to the client's address, TCP, its listen ports only (one
    per printer)."
  - "Out: TCP to each of its sites' C(host:port) and ICMP echo to the site (the status report's ping);
    when a site is named by host name, the addresses the name resolves to on the Docker host, and DNS
    (UDP and TCP 53) to O(dns_servers). Every client may also reach the admin interface (O(admin_url))."
  - "The replies of those connections (conntrack C(RELATED,ESTABLISHED))."
  - "Then everything else into or out of the client bridge is rejected by the chain itself (another
    client, the Coaxis LAN, other networks, the Internet, any other source or port), whatever Docker's
    C(FORWARD) policy; and a client container cannot open a connection to the Docker host itself.
    Rejected, so the sender sees a refusal at once."
  - The edge proxy (host network) reaches the clients' nginx from the Docker host itself, a path that
    does not cross C(FORWARD).
  - "Clients missing from O(clients) lose their rules (pruned): pass every client of the Docker host."
  - The rules are applied in one C(iptables-restore --noflush) transaction, so a failure leaves the
    previous rules in place. The rule set is saved on the container's volume; the container re-applies
    it when it starts and whenever it stops being evaluated first (after a dockerd restart the Docker
    jumps end up before C(DOCKER-USER) in C(FORWARD)), without Ansible.
extends_documentation_fragment:
  - coaxis.opt.docker
attributes:
  check_mode:
    support: full
    description: Plans the container and rule changes, changes nothing.
  diff_mode:
    support: full
    description: The saved rule set before and after.
options:
  network:
    description:
      - Name of the client network; its bridge is the interface the isolation rules match.
    type: str
    required: true
  bridge_name:
    description:
      - The client network's bridge as the inventory names it. Only used to show the rules in check
        mode before the network exists; otherwise the bridge is read from the engine.
    type: str
  coaxis_lans:
    description:
      - The Coaxis LAN(s), in CIDR form; client containers may open nothing there (but the admin interface).
    type: list
    elements: str
    required: true
  coaxis_sources:
    description:
      - The Coaxis hosts allowed to print to the clients' listen ports, as IPv4 addresses or networks.
        The Docker hosts on the Coaxis LAN are not among them.
      - When omitted, the Coaxis LANs are the sources (the rule set before this option existed).
    type: list
    elements: str
  dns_servers:
    description:
      - The DNS servers a client container may ask, only when one of its sites is named by host name.
      - When omitted, the name servers of the Docker host's C(/etc/resolv.conf) (what the engine hands its
        containers; C(/run/systemd/resolve/resolv.conf) when that one only names a local stub).
    type: list
    elements: str
  clients:
    description:
      - Every client of this Docker host.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Client name.
        type: str
        required: true
      ip:
        description: The client container's address.
        type: str
        required: true
      ports:
        description: Its listen ports (one per printer).
        type: list
        elements: int
        default: []
      sites:
        description: Its sites, the only places it may open connections to (with the admin interface).
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Site name.
            type: str
          host:
            description: The site's SSH server, an IPv4 address or a host name.
            type: str
            required: true
          port:
            description: Its SSH port.
            type: int
            default: 22
  admin_url:
    description:
      - URL of the admin interface the clients' nginx forwards to; every client container may open
        connections to its address and port (and nothing else on the Coaxis LAN).
    type: str
  admin_address:
    description:
      - Address of the admin interface when O(admin_url) names it by host name (rules need addresses).
    type: str
  deployed_only:
    description:
      - Give rules only to the clients of O(clients) that have a container on the engine (or are in O(include)).
    type: bool
    default: true
  include:
    description:
      - Clients that get their rules even without a container yet (the client an add_client run
        creates, so check mode shows its rules).
    type: list
    elements: str
    default: []
  image:
    description:
      - The firewall image (built from C(images/opt-firewall); never pulled).
    type: str
    required: true
  name:
    description:
      - Name of the firewall container.
    type: str
    default: opt-firewall
  volume:
    description:
      - Named volume that keeps the rule set.
    type: str
    default: opt-firewall
  backend:
    description:
      - iptables backend of the Docker host. The container must use the host's, or its rules land in
        tables nobody evaluates. V(auto) picks the one that holds Docker's chains.
      - With V(legacy) the host's C(/run/xtables.lock) is shared with the container, so its writes and
        dockerd's are serialised.
    type: str
    default: auto
    choices: [auto, nft, legacy]
  interval:
    description:
      - Seconds between two checks of the rules by the container.
    type: int
    default: 5
  limits:
    description:
      - Resource limits of the container; a key left out keeps its default. C(memory), a size with
        k, m or g, 16m to 64g (default C(64m), no swap beyond it); C(pids), 16 to 65536 (default C(64));
        C(cpus), 0.01 to 256 (default C(0.5)). A change recreates the container (once).
    type: dict
    default: {}
  log:
    description:
      - Its Docker log; a key left out keeps its default. C(driver), C(json-file) (default) or C(local);
        C(max_size), 16k to 1g (default C(10m)); C(max_file), 1 to 100 (default C(3)).
    type: dict
    default: {}
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Firewall of the Docker host's clients
  coaxis.opt.opt_firewall:
    docker_host: unix:///var/run/docker.sock
    network: opt-clients
    coaxis_lans: [192.168.2.0/24]
    coaxis_sources: [192.168.2.10, 192.168.2.11]
    image: registry.coaxis.lan/opt/opt-firewall:0.1.0
    clients:
      - name: acme
        ip: 172.16.1.10
        ports: [9101, 9102]
        sites:
          - {name: lyon, host: 203.0.113.10, port: 22}
          - {name: paris, host: paris.acme.example}
      - name: ma-societe
        ip: 172.16.1.11
        ports: [9101]
"""

RETURN = r"""
container:
  description: The firewall container and what was done to it.
  returned: always
  type: dict
  sample: {name: opt-firewall, id: 4f1c..., action: none}
clients:
  description: Clients that have rules after the run.
  returned: always
  type: list
  elements: str
  sample: [acme, ma-societe]
added:
  description: Clients whose rules were added by this run.
  returned: always
  type: list
  elements: str
pruned:
  description: Clients whose rules were removed because they are no longer listed.
  returned: always
  type: list
  elements: str
rules:
  description: The rules of the saved rule set (iptables -A lines).
  returned: always
  type: list
  elements: str
backend:
  description: The iptables backend the container uses (nft or legacy), when it runs.
  returned: always
  type: str
  sample: nft
status:
  description: The container's own check of the rules (C(opt-firewall check)).
  returned: always
  type: str
  sample: in place (nft)
"""

import os
import socket
import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply, _docker, _naming, _edgeread, _fwplan, _ipplan
from ansible_collections.coaxis.opt.plugins.module_utils import _limits, _render
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

START_WAIT = 10


def build_module():
    argument_spec = _docker.docker_argument_spec(
        network=dict(type='str', required=True),
        bridge_name=dict(type='str'),
        coaxis_lans=dict(type='list', elements='str', required=True),
        clients=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            ip=dict(type='str', required=True),
            ports=dict(type='list', elements='int', default=[]),
            sites=dict(type='list', elements='dict', default=[], options=dict(
                name=dict(type='str'),
                host=dict(type='str', required=True),
                port=dict(type='int', default=22),
            )),
        )),
        coaxis_sources=dict(type='list', elements='str'),
        dns_servers=dict(type='list', elements='str'),
        admin_url=dict(type='str'),
        admin_address=dict(type='str'),
        deployed_only=dict(type='bool', default=True),
        include=dict(type='list', elements='str', default=[]),
        image=dict(type='str', required=True),
        name=dict(type='str', default='opt-firewall'),
        volume=dict(type='str', default='opt-firewall'),
        backend=dict(type='str', default='auto', choices=list(_fwplan.BACKENDS)),
        interval=dict(type='int', default=5),
        limits=dict(type='dict', default={}),
        log=dict(type='dict', default={}),
    )
    return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)


def bridge_of(client, network):
    data = client.api.inspect_network(network)
    return (data.get('Options') or {}).get('com.docker.network.bridge.name') or 'br-' + data['Id'][:12]


def admin_allow(params, lang):
    """([{name, address, port}], errors) for the admin interface the clients may reach."""
    if not params['admin_url']:
        return [], []
    parsed = _render.parse_admin_url(params['admin_url'])
    if parsed is None:
        return [], [msg('admin_url_invalid', lang, url=params['admin_url'])]
    address = params['admin_address'] or parsed[1]
    if _ipplan.parse_ipv4(address) is None:
        return [], [msg('fw_admin_not_address', lang, host=address)]
    return [{'name': 'admin', 'address': address, 'port': parsed[2]}], []


RESOLV_CONF = '/etc/resolv.conf'
RESOLVED_CONF = '/run/systemd/resolve/resolv.conf'


def name_servers(path):
    """IPv4 name servers of a resolv.conf, [] when it cannot be read."""
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        return []
    return [line.split()[1] for line in lines
            if len(line.split()) > 1 and line.split()[0] == 'nameserver' and _ipplan.parse_ipv4(line.split()[1])]


def host_dns_servers():
    """The resolvers the engine hands its containers: the host's, or systemd-resolved's upstreams
    when the host only names its local stub (the engine does the same)."""
    servers = name_servers(RESOLV_CONF)
    if servers and all(server.startswith('127.') for server in servers):
        servers = name_servers(RESOLVED_CONF)
    return [server for server in servers if not server.startswith('127.')]


def resolve(host):
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError):
        return []


def create_container(client, spec):
    binds = ['%s:%s:rw' % (spec['volume'], _fwplan.STATE_DIR)]
    if spec['xtables_lock']:
        # Create the host's lock file if no iptables run made it yet: a missing bind source
        # would become a directory.
        with open(_fwplan.XTABLES_LOCK, 'a'):
            pass
        binds.append('%s:%s:rw' % (_fwplan.XTABLES_LOCK, _fwplan.XTABLES_LOCK))
    host_config = client.api.create_host_config(
        network_mode='host', cap_drop=['ALL'], cap_add=spec['cap_add'], read_only=True,
        tmpfs={'/run': 'rw,nosuid,nodev,noexec,size=1m'}, binds=binds,
        restart_policy={'Name': spec['restart']}, security_opt=['no-new-privileges:true'],
        **_limits.host_config_args(spec['limits'], spec['log']))
    created = client.api.create_container(
        spec['image'], name=spec['name'], host_config=host_config, labels=_fwplan.container_labels(spec),
        environment={'OPT_FIREWALL_BACKEND': spec['backend'], 'OPT_FIREWALL_INTERVAL': str(spec['interval'])})
    return created['Id']


def ensure_running(client, container_id, name, lang):
    failure = _docker.start_and_wait(client, container_id, START_WAIT)
    if failure:
        raise FirewallError(msg('fw_not_running', lang, name=name, state=failure[0], logs=failure[1]))


class FirewallError(Exception):
    """A step failed; the message is rendered for the operator."""


def converge(client, spec, observed, desired_rules, plan, lang):
    """Mutations, in order: volume, container, rule set. Returns the container id."""
    container_id = observed['id'] if observed else None
    if plan['container'] in ('create', 'recreate'):
        try:
            client.api.inspect_volume(spec['volume'])
        except _docker.NotFound:
            client.api.create_volume(spec['volume'], labels=_fwplan.volume_labels())
        if container_id:
            # The kernel keeps the rules while the container is replaced.
            client.api.remove_container(container_id, force=True)
        container_id = create_container(client, spec)
    if plan['container'] != 'none':
        ensure_running(client, container_id, spec['name'], lang)
    if plan['apply']:
        new = os.path.basename(_fwplan.RULES_FILE) + '.new'
        archive = _configapply.build_archive({new: {'content': desired_rules, 'mode': 0o600, 'uid': 0, 'gid': 0}})
        client.api.put_archive(container_id, _fwplan.STATE_DIR, archive)
        code, output = _docker.exec_command(client, container_id,
                                            ['opt-firewall', 'apply', '%s/%s' % (_fwplan.STATE_DIR, new)])
        if code != 0:
            raise FirewallError(msg('fw_apply_failed', lang, error=output or msg('fw_apply_exit', lang, code=code)))
    return container_id


def main():
    module = build_module()
    params = module.params
    lang = params['lang']
    url = params['docker_host']
    _docker.check_requirements(module)
    clients = params['clients']
    sources = params['coaxis_sources']
    errors = _fwplan.validate(params['coaxis_lans'], clients, lang, sources=sources)
    errors += _fwplan.validate_dns_servers(params['dns_servers'], lang)
    allow, allow_errors = admin_allow(params, lang)
    errors += allow_errors
    errors += _limits.validate_limits('firewall', params['limits'], 'limits', lang) + _limits.validate_log(
        params['log'], 'log', lang)
    if not errors:
        named = any(not _ipplan.parse_ipv4(site['host']) for c in clients for site in c.get('sites') or [])
        dns = params['dns_servers'] if params['dns_servers'] is not None else (host_dns_servers() if named else [])
        clients, egress_errors = _fwplan.resolve_egress(clients, resolve, dns, lang)
        errors += egress_errors

    client = _docker.docker_client(module)
    step = msg('step_firewall_inspect', lang)
    try:
        try:
            bridge = bridge_of(client, params['network'])
            errors += _fwplan.validate_bridge(bridge, lang)
        except _docker.NotFound:
            # In check mode the run that would create the network has not; show the rules anyway.
            bridge = params['bridge_name'] or 'br-(%s)' % params['network']
            if not module.check_mode:
                errors.append(msg('fw_network_missing', lang, network=params['network'], url=url))
        try:
            image_id = client.api.inspect_image(params['image'])['Id']
        except _docker.NotFound:
            errors.append(msg('fw_image_missing', lang, image=params['image'], url=url))
            image_id = None
        if not errors:
            errors += _limits.engine_cpus_errors('firewall', params['limits'], client.info().get('NCPU'), 'limits', url, lang)
        if errors:
            module.fail_json(msg='; '.join(errors), errors=errors, changed=False)

        if params['deployed_only']:
            clients = _fwplan.deployed(clients, _naming.managed_client_names(client), params['include'])
        spec = _fwplan.desired_container(params['name'], params['image'], params['volume'], params['backend'],
                                         params['interval'], params['limits'], params['log'])
        desired_rules = _fwplan.render_rules(bridge, params['coaxis_lans'], clients, allow, sources)
        observed = _docker.observe_service(client, params['name'], image_id)
        current_rules = _edgeread.read_rules(client, observed['id']) if observed else ''
        status, status_text = None, msg('fw_status_no_container', lang)
        if observed and observed['running']:
            status, status_text = _docker.exec_command(client, observed['id'], ['opt-firewall', 'check'])
        plan = _fwplan.plan(spec, observed, current_rules, status, desired_rules)

        container_id = observed['id'] if observed else None
        backend = None
        if plan['changed'] and not module.check_mode:
            step = msg('step_firewall_update', lang)
            container_id = converge(client, spec, observed, desired_rules, plan, lang)
            status, status_text = _docker.exec_command(client, container_id, ['opt-firewall', 'check'])
        if container_id and (observed or not module.check_mode):
            step = msg('step_firewall_check', lang)
            running = client.api.inspect_container(container_id)['State'].get('Running')
            backend = _docker.exec_command(client, container_id, ['opt-firewall', 'backend'])[1] if running else None
    except (FirewallError, _docker.DockerException, _docker.RequestException) as exc:
        if isinstance(exc, FirewallError):
            module.fail_json(msg=str(exc), changed=True)
        module.fail_json(msg=_docker.docker_error_message(exc, url, step, lang), exception=traceback.format_exc())

    final_rules = desired_rules if (plan['apply'] or not observed) else current_rules
    result = dict(
        changed=plan['changed'],
        container=dict(name=params['name'], id=container_id, action=plan['container']),
        clients=_fwplan.clients_in(final_rules),
        added=plan['added'], pruned=plan['pruned'],
        rules=_fwplan.rule_lines(final_rules),
        backend=backend or '', status=status_text,
        message=msg('fw_summary', lang, network=params['network'], count=len(_fwplan.clients_in(final_rules)),
                    backend=backend or '?', added=', '.join(plan['added']) or '-',
                    pruned=', '.join(plan['pruned']) or '-'),
    )
    if module._diff:
        result['diff'] = dict(before=current_rules, after=desired_rules,
                              before_header='%s:%s' % (params['name'], _fwplan.RULES_FILE),
                              after_header='%s:%s' % (params['name'], _fwplan.RULES_FILE))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
