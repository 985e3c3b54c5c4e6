# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Docker host's firewall for OPT clients, planned without Docker (coaxis.opt.opt_firewall).

The rule set is an iptables-restore file that only declares and fills two chains of our own:
``COAXIS-OPT`` (jumped to first from DOCKER-USER, so it sees forwarded traffic before Docker's
isolation drops it) and ``COAXIS-OPT-INPUT`` (jumped to first from INPUT). The opt-firewall
container applies it in one transaction and keeps it in place.

``COAXIS-OPT`` is a default deny on the client bridge: the replies of allowed connections, then
each client's accepts (the Coaxis hosts to its listen ports; it to its sites, DNS when a site is
named by host name), the admin interface, and last a reject of everything else going into or out
of the bridge, so the verdict never depends on Docker's FORWARD policy or version.
"""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _limits, _naming, _configplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._contract import action

CHAIN = 'COAXIS-OPT'
INPUT_CHAIN = 'COAXIS-OPT-INPUT'
TAG = 'coaxis-opt'
ROLE = 'firewall'
STATE_DIR = '/var/lib/opt-firewall'
RULES_FILE = STATE_DIR + '/rules.v4'
XTABLES_LOCK = '/run/xtables.lock'
# iptables' multiport match takes at most 15 ports per rule.
MULTIPORT_MAX = 15
BACKENDS = ('auto', 'nft', 'legacy')


DNS_PORT = 53
SSH_PORT = 22


def _port_ok(port):
    return isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535


def admin_allow(admin_url, admin_address, lang='en'):
    """([{name, address, port}], errors): the admin interface every client may reach."""
    if not admin_url:
        return [], []
    parsed = _configplan.parse_admin_url(admin_url)
    if parsed is None:
        return [], [msg('admin_url_invalid', lang, url=admin_url)]
    address = admin_address or parsed[1]
    if _ipplan.parse_ipv4(address) is None:
        return [], [msg('fw_admin_not_address', lang, host=address)]
    return [{'name': 'admin', 'address': address, 'port': parsed[2]}], []


def names_a_site_by_host_name(clients):
    """Whether a site of one of ``clients`` is named by host name (then DNS is needed)."""
    return any(_ipplan.parse_ipv4(site['host']) is None for client in clients for site in client.get('sites') or [])


def validate_bridge(bridge, lang='en'):
    """The client network's bridge, read from the engine, must be usable in a rule."""
    return [] if _ipplan.valid_ifname(bridge) else [msg('fw_bridge_invalid', lang, bridge=bridge)]


def normalize_source(source):
    """A Coaxis source as a rule takes it (address -> address/32, network unchanged), or None."""
    if _ipplan.parse_ipv4(source) is not None:
        return '%s/32' % source
    network = _ipplan.parse_ipv4_network(source, min_prefix=1, max_prefix=32)
    if network is None or str(network.cidr) != source:
        return None
    return source


def validate_sources(sources, lang='en'):
    """The Coaxis hosts that may print: IPv4 addresses or networks in CIDR form, at least one."""
    if not sources:
        return [msg('fw_no_coaxis_source', lang)]
    return [msg('fw_source_invalid', lang, source=source) for source in sources
            if not isinstance(source, str) or normalize_source(source) is None]


def validate_dns_servers(servers, lang='en'):
    return [msg('fw_dns_invalid', lang, server=server) for server in servers or []
            if _ipplan.parse_ipv4(server) is None]


def valid_host_name(host):
    """A DNS name (not an IPv4 address, not something that looks like one)."""
    return isinstance(host, str) and bool(_configplan.HOST_RE.fullmatch(host)) and not _configplan.IPV4_LIKE_RE.fullmatch(host)


def validate(coaxis_lans, clients, lang='en', sources=None):
    """Every problem of the request at once (messages in ``lang``); [] when it can be applied.

    sources: the Coaxis hosts' addresses (None: not checked, for callers that only render)."""
    errors = []
    if not coaxis_lans:
        errors.append(msg('fw_no_coaxis_lan', lang))
    for lan in coaxis_lans or []:
        network = _ipplan.parse_ipv4_network(lan, min_prefix=1, max_prefix=32)
        if network is None or str(network.cidr) != lan:
            errors.append(msg('fw_lan_invalid', lang, lan=lan))
    if sources is not None:
        errors += validate_sources(sources, lang)
    seen_names, seen_ips = {}, {}
    for client in clients:
        name = client.get('name')
        if not _ipplan.valid_client_name(name):
            errors.append(msg('client_name_invalid', lang, client=name))
            continue
        if name in seen_names:
            errors.append(msg('client_duplicate', lang, client=name, count=2))
            continue
        seen_names[name] = True
        ip = client.get('ip')
        if _ipplan.parse_ipv4(ip) is None:
            errors.append(msg('fw_ip_invalid', lang, client=name, ip=ip))
        elif ip in seen_ips:
            errors.append(msg('fw_ip_duplicate', lang, client=name, other=seen_ips[ip], ip=ip))
        else:
            seen_ips[ip] = name
        bad = [port for port in client.get('ports') or [] if not _port_ok(port)]
        if bad:
            errors.append(msg('fw_port_invalid', lang, client=name, ports=', '.join(str(p) for p in bad)))
        for site in client.get('sites') or []:
            host, port = site.get('host'), site.get('port', SSH_PORT)
            if not _port_ok(port) or not (_ipplan.parse_ipv4(host) is not None or valid_host_name(host)):
                errors.append(msg('fw_site_invalid', lang, client=name, site=site.get('name'), host=host, port=port))
    return errors


def resolve_egress(clients, resolve, dns_servers, lang='en'):
    """(clients, errors): each client with ``egress``, the connections it may open, and ``dns``.

    A site named by address gives TCP to host:port and ICMP echo (the status report's ping) to
    that address. A site named by host name gives the same to every IPv4 address ``resolve(host)``
    returns (what the name resolves to on the Docker host when the firewall converges), and DNS
    (UDP and TCP 53) to ``dns_servers``, the resolvers the engine hands its containers.
    resolve: host name -> [IPv4 addresses] ([] when it does not resolve)."""
    errors, result = [], []
    for client in clients:
        egress, named = set(), False
        for site in client.get('sites') or []:
            host, port = site['host'], site.get('port', SSH_PORT)
            if _ipplan.parse_ipv4(host) is not None:
                addresses = [host]
            else:
                named = True
                addresses = sorted(set(a for a in resolve(host) or [] if _ipplan.parse_ipv4(a) is not None))
                if not addresses:
                    errors.append(msg('fw_site_unresolved', lang, client=client['name'], site=site.get('name'),
                                      host=host))
            for address in addresses:
                egress.add(('tcp', address, port))
                egress.add(('icmp', address, None))
        dns = []
        if named:
            if not dns_servers:
                errors.append(msg('fw_dns_none', lang, client=client['name']))
            dns = sorted(set(dns_servers or []), key=_ipplan.parse_ipv4)
        entry = dict(client, egress=sorted(egress, key=lambda item: (_ipplan.parse_ipv4(item[1]), item[0],
                                                                     item[2] or 0)), dns=dns)
        result.append(entry)
    return result, errors


def deployed(clients, with_container, include=()):
    """The clients that get rules: those with a container, and those the run is creating."""
    keep = set(with_container) | set(include)
    return [client for client in clients if client['name'] in keep]


def _comment(text):
    return '-m comment --comment "%s %s"' % (TAG, text)


# The entry of each client in the rule set, a comment line before its rules (_describe):
# "# <client> <address>: listen ports ...". A client without printers nor sites has no rule of its
# own, only this line: clients_in() reads it as well as the rules' tags.
ENTRY_RE = re.compile(r'# (?P<name>[a-z0-9-]+) (?:\d{1,3}\.){3}\d{1,3}: listen ports .*')


def _describe(client):
    ports = ','.join(str(p) for p in sorted(set(client.get('ports') or []))) or 'none'
    egress = ['%s:%s' % (address, port) for proto, address, port in client.get('egress') or [] if proto == 'tcp']
    text = '# %s %s: listen ports %s; opens %s' % (client['name'], client['ip'], ports, ', '.join(egress) or 'none')
    if client.get('dns'):
        text += '; DNS %s' % ', '.join(client['dns'])
    return text


def client_rules(client, sources, bridge):
    """The rules one client needs: each Coaxis source to its listen ports (in), and what it may
    open (out): its sites' SSH port and ping, DNS when a site is named by host name. The
    replies of both are accepted by the state rules at the top of the chain."""
    name, ip = client['name'], client['ip']
    ports = sorted(set(client.get('ports') or []))
    lines = [_describe(client)]
    tag = _comment('client=%s' % name)
    for source in sources:
        for start in range(0, len(ports), MULTIPORT_MAX):
            chunk = ','.join(str(p) for p in ports[start:start + MULTIPORT_MAX])
            lines.append('-A %s -s %s -d %s/32 -o %s -p tcp -m multiport --dports %s %s -j ACCEPT'
                         % (CHAIN, normalize_source(source), ip, bridge, chunk, tag))
    for proto, address, port in client.get('egress') or []:
        if proto == 'icmp':
            lines.append('-A %s -s %s/32 -d %s/32 -i %s -p icmp -m icmp --icmp-type 8 %s -j ACCEPT'
                         % (CHAIN, ip, address, bridge, tag))
        else:
            lines.append('-A %s -s %s/32 -d %s/32 -i %s -p tcp -m tcp --dport %s %s -j ACCEPT'
                         % (CHAIN, ip, address, bridge, port, tag))
    for server in client.get('dns') or []:
        for proto in ('udp', 'tcp'):
            lines.append('-A %s -s %s/32 -d %s/32 -i %s -p %s -m %s --dport %s %s -j ACCEPT'
                         % (CHAIN, ip, server, bridge, proto, proto, DNS_PORT, tag))
    return lines


def state_rules(bridge):
    """Replies of the connections the rules below let through, both ways, first (the busiest)."""
    return ['# replies of the allowed connections (bridge %s)' % bridge,
            '-A %s -o %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j ACCEPT'
            % (CHAIN, bridge, _comment('state=replies-in')),
            '-A %s -i %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j ACCEPT'
            % (CHAIN, bridge, _comment('state=replies-out'))]


def allow_rules(bridge, allow):
    """Services every client container may open connections to (the admin interface its nginx
    forwards to); their replies are accepted by the state rules."""
    lines = []
    for entry in allow:
        tag = _comment('allow=%s' % entry['name'])
        lines += ['# clients to %s %s:%s' % (entry['name'], entry['address'], entry['port']),
                  '-A %s -i %s -d %s/32 -p tcp -m tcp --dport %s %s -j ACCEPT'
                  % (CHAIN, bridge, entry['address'], entry['port'], tag)]
    return lines


def isolation_rules(bridge, coaxis_lans):
    """Default deny on the client network, after every accept: nothing else goes out of the
    client bridge (another client, the Coaxis LAN, other networks, the Internet), nothing else
    comes into it, and the containers cannot open a connection to the Docker host itself. It is
    our chain's own verdict: Docker's FORWARD policy and its engine version do not matter."""
    lines = ['# default deny on the client network (bridge %s)' % bridge,
             '-A %s -i %s -o %s %s -j REJECT' % (CHAIN, bridge, bridge, _comment('isolation=client-to-client'))]
    for lan in coaxis_lans:
        lines.append('-A %s -d %s -i %s %s -j REJECT'
                     % (CHAIN, lan, bridge, _comment('isolation=client-to-coaxis-lan')))
    lines += ['-A %s -i %s %s -j REJECT' % (CHAIN, bridge, _comment('deny=egress')),
              '-A %s -o %s %s -j REJECT' % (CHAIN, bridge, _comment('deny=ingress')),
              '-A %s -i %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j RETURN'
              % (INPUT_CHAIN, bridge, _comment('isolation=replies')),
              '-A %s -i %s %s -j REJECT' % (INPUT_CHAIN, bridge, _comment('isolation=client-to-docker-host'))]
    return lines


def render_rules(bridge, coaxis_lans, clients, allow=(), sources=None):
    """The whole rule set of one Docker host, stable for the same input (clients sorted by name).

    sources: the Coaxis hosts allowed to print (addresses or networks); None keeps the Coaxis
    LANs as sources (callers that predate opt_coaxis_sources)."""
    sources = list(coaxis_lans if sources is None else sources)
    lines = ['# Written by coaxis.opt.opt_firewall; applied and kept in place by the opt-firewall container.',
             '# Edit the inventory, not this file.',
             '*filter',
             ':%s - [0:0]' % CHAIN,
             ':%s - [0:0]' % INPUT_CHAIN]
    lines += state_rules(bridge)
    for client in sorted(clients, key=lambda item: item['name']):
        lines += client_rules(client, sources, bridge)
    lines += allow_rules(bridge, allow)
    lines += isolation_rules(bridge, coaxis_lans)
    lines.append('COMMIT')
    return '\n'.join(lines) + '\n'


def rule_lines(text):
    """The -A lines of a rule set (what the kernel gets), for diffs and counts."""
    return [line for line in (text or '').splitlines() if line.startswith('-A ')]


def clients_in(text):
    """Names of the clients of a rule set: those its rules are tagged with, and those it has an
    entry for (a client without printers nor sites has no rule of its own). What the diff of the
    rule set shows is what the summary counts, adds and prunes."""
    names = set()
    for line in rule_lines(text):
        marker = '"%s client=' % TAG
        if marker in line:
            names.add(line.split(marker, 1)[1].split('"', 1)[0])
    for line in (text or '').splitlines():
        entry = ENTRY_RE.fullmatch(line)
        if entry:
            names.add(entry.group('name'))
    return sorted(names)


def desired_container(name, image, volume, backend, interval, limits=None, log=None):
    """The firewall container: host network, NET_ADMIN/NET_RAW only, no-new-privileges, read-only
    root, restart always, bounded resources and log (``limits``/``log``: the inventory's, VALID)."""
    spec = {
        'name': name,
        'image': image,
        'volume': volume,
        'backend': backend,
        'interval': interval,
        'network_mode': 'host',
        'cap_add': ['NET_ADMIN', 'NET_RAW'],
        'restart': 'always',
        # A legacy-backend host serialises iptables writers with this lock file; share it.
        'xtables_lock': backend == 'legacy',
        'no_new_privileges': True,
        'limits': _limits.limits_spec('firewall', limits),
        'log': _limits.log_spec(log),
    }
    spec['hash'] = hashlib.sha256(json.dumps(spec, sort_keys=True).encode('utf-8')).hexdigest()
    return spec


def volume_labels():
    return _naming.managed_labels(**{_naming.LABEL_ROLE: ROLE})


def container_labels(spec):
    return _naming.managed_labels(**{_naming.LABEL_ROLE: ROLE, _naming.LABEL_HASH: spec['hash']})


def plan(spec, observed, current_rules, status, desired_rules):
    """What to do. observed: {'id', 'running', 'hash', 'image_id'} or None; status: the container's
    `opt-firewall check` exit code (0 in place) or None when it could not be asked."""
    if observed is None:
        container = 'create'
    elif observed['hash'] != spec['hash'] or observed.get('image_stale'):
        container = 'recreate'
    elif not observed['running']:
        container = 'start'
    else:
        container = 'none'
    apply_rules = container in ('create', 'recreate') or current_rules != desired_rules or status != 0
    before, after = set(clients_in(current_rules)), set(clients_in(desired_rules))
    return {
        'container': container,
        'apply': apply_rules,
        'added': sorted(after - before),
        'pruned': sorted(before - after),
        'changed': container != 'none' or apply_rules,
    }


def plan_actions(name, decided):
    """The items of the answer's ``plan`` for a decision of plan(): the container, then the rule set."""
    actions = []
    if decided['container'] != 'none':
        actions.append(action(decided['container'], 'container %s' % name, None))
    if decided['apply']:
        changes = ['added: %s' % ', '.join(decided['added'])] if decided['added'] else []
        changes += ['pruned: %s' % ', '.join(decided['pruned'])] if decided['pruned'] else []
        actions.append(action('apply', 'rule set %s:%s' % (name, RULES_FILE), '; '.join(changes) or None))
    return actions


def summary(network, rules, backend, decided, lang='en'):
    """The operator's line: how many clients have rules, the backend, who was added and pruned."""
    return msg('fw_summary', lang, network=network, count=len(clients_in(rules)), backend=backend or '?',
               added=', '.join(decided['added']) or '-', pruned=', '.join(decided['pruned']) or '-')
