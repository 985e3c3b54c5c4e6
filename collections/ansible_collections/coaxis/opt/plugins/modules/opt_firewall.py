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
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Plans the container and rule changes, changes nothing (it reads the rules of the running
      container and asks it to check them, as outside check mode).
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
  description: Clients of the rule set after the run (a client without printers nor sites, which has no
    rule of its own, has its entry there and is one of them).
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
plan:
  description: What was done (in check mode, what would be done).
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(create), V(recreate) or V(start) the container; V(apply) the rule set.", type: str}
    target: {description: What it is done to., type: str}
    reason: {description: "The clients added and pruned, or null.", type: str}
  sample: [{action: apply, target: "rule set opt-firewall:/var/lib/opt-firewall/rules.v4", reason: "added: acme"}]
summary:
  description: The operator's line, what used to be C(message) (clients with rules, backend, added, pruned).
  returned: always
  type: list
  elements: str
  sample: ["firewall of opt-clients: 1 client(s) with rules, backend nft; added: acme; pruned: -"]
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _edgeread, _fwapply, _fwplan, _fwread, _limits, _naming
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner

SPEC = dict(
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


def requested(run):
    """(clients with their egress, admin allow, errors): the request checked, site names resolved."""
    params, lang = run.params, run.lang
    clients = params['clients']
    errors = _fwplan.validate(params['coaxis_lans'], clients, lang, sources=params['coaxis_sources'])
    errors += _fwplan.validate_dns_servers(params['dns_servers'], lang)
    allow, allow_errors = _fwplan.admin_allow(params['admin_url'], params['admin_address'], lang)
    errors += allow_errors + _limits.validate_limits('firewall', params['limits'], 'limits', lang)
    errors += _limits.validate_log(params['log'], 'log', lang)
    if not errors:
        dns = params['dns_servers']
        if dns is None:
            dns = _fwread.host_dns_servers() if _fwplan.names_a_site_by_host_name(clients) else []
        clients, egress_errors = _fwplan.resolve_egress(clients, _fwread.resolve, dns, lang)
        errors += egress_errors
    return clients, allow, errors


def engine_facts(run, errors):
    """(bridge, image id), adding to ``errors`` what the engine lacks."""
    params = run.params
    run.step('step_firewall_inspect')
    try:
        bridge = _fwread.bridge_of(run.client, params['network'])
        errors += _fwplan.validate_bridge(bridge, run.lang)
    except _docker.NotFound:
        # In check mode the run that would create the network has not; show the rules anyway.
        bridge = params['bridge_name'] or 'br-(%s)' % params['network']
        if not run.check_mode:
            errors.append(run.msg('fw_network_missing', network=params['network'], url=run.url))
    try:
        image_id = run.client.api.inspect_image(params['image'])['Id']
    except _docker.NotFound:
        errors.append(run.msg('fw_image_missing', image=params['image'], url=run.url))
        image_id = None
    if not errors:
        errors += _limits.engine_cpus_errors('firewall', params['limits'], run.client.info().get('NCPU'), 'limits',
                                             run.url, run.lang)
    return bridge, image_id


def plan(run):
    params = run.params
    clients, allow, errors = requested(run)
    bridge, image_id = engine_facts(run, errors)
    if errors:
        raise Refused(errors)
    if params['deployed_only']:
        clients = _fwplan.deployed(clients, _naming.managed_client_names(run.client), params['include'])
    spec = _fwplan.desired_container(params['name'], params['image'], params['volume'], params['backend'],
                                     params['interval'], params['limits'], params['log'])
    desired_rules = _fwplan.render_rules(bridge, params['coaxis_lans'], clients, allow, params['coaxis_sources'])
    observed = _docker.observe_service(run.client, params['name'], image_id)
    current_rules = _edgeread.read_rules(run.client, observed['id']) if observed else ''
    running = observed['id'] if observed and observed['running'] else None
    status, status_text = _fwapply.status(run.client, running, run.lang)
    decided = _fwplan.plan(spec, observed, current_rules, status, desired_rules)
    run.step('step_firewall_check')
    backend = _fwapply.backend(run.client, observed['id']) if observed else ''
    final_rules = desired_rules if (decided['apply'] or not observed) else current_rules
    return Plan(_fwplan.plan_actions(params['name'], decided), changed=decided['changed'],
                # No container yet (check mode on a new Docker host): the backend asked for.
                summary=_fwplan.summary(params['network'], final_rules, backend or params['backend'], decided,
                                        run.lang),
                before=current_rules, after=desired_rules, header='%s:%s' % (params['name'], _fwplan.RULES_FILE),
                container=dict(name=params['name'], id=observed['id'] if observed else None,
                               action=decided['container']),
                clients=_fwplan.clients_in(final_rules), added=decided['added'], pruned=decided['pruned'],
                rules=_fwplan.rule_lines(final_rules), backend=backend, status=status_text,
                data=dict(spec=spec, observed=observed, rules=desired_rules, final=final_rules, decided=decided))


def apply(run, planned):
    run.step('step_firewall_update')
    data = planned.data
    container_id = _fwapply.converge(run.client, data['spec'], data['observed'], data['rules'], data['decided'],
                                     run.lang)
    planned.result['container']['id'] = container_id
    planned.result['status'] = _fwapply.status(run.client, container_id, run.lang)[1]
    run.step('step_firewall_check')
    backend = planned.result['backend'] = _fwapply.backend(run.client, container_id)
    planned.summary = [_fwplan.summary(run.params['network'], data['final'], backend, data['decided'], run.lang)]


def main():
    Runner(SPEC, plan, apply).main()


if __name__ == '__main__':
    main()
