# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Docker host's firewall for OPT clients, planned without Docker (coaxis.opt.opt_firewall).

The rule set is an iptables-restore file that only declares and fills two chains of our own:
``COAXIS-OPT`` (jumped to first from DOCKER-USER, so it sees forwarded traffic before Docker's
isolation drops it) and ``COAXIS-OPT-INPUT`` (jumped to first from INPUT). The opt-firewall
container applies it in one transaction and keeps it in place.
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _limits
from ansible_collections.coaxis.opt.plugins.module_utils._clientplan import (
    LABEL_HASH, LABEL_MANAGED_BY, MANAGED_BY)
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

CHAIN = 'COAXIS-OPT'
INPUT_CHAIN = 'COAXIS-OPT-INPUT'
TAG = 'coaxis-opt'
LABEL_ROLE = 'coaxis.opt.role'
ROLE = 'firewall'
STATE_DIR = '/var/lib/opt-firewall'
RULES_FILE = STATE_DIR + '/rules.v4'
XTABLES_LOCK = '/run/xtables.lock'
# iptables' multiport match takes at most 15 ports per rule.
MULTIPORT_MAX = 15
BACKENDS = ('auto', 'nft', 'legacy')


def _port_ok(port):
    return isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535


def validate_bridge(bridge, lang='en'):
    """The client network's bridge, read from the engine, must be usable in a rule."""
    return [] if _ipplan.valid_ifname(bridge) else [msg('fw_bridge_invalid', lang, bridge=bridge)]


def validate(coaxis_lans, clients, lang='en'):
    """Every problem of the request at once (messages in ``lang``); [] when it can be applied."""
    errors = []
    if not coaxis_lans:
        errors.append(msg('fw_no_coaxis_lan', lang))
    for lan in coaxis_lans or []:
        network = _ipplan.parse_ipv4_network(lan, min_prefix=1, max_prefix=32)
        if network is None or str(network.cidr) != lan:
            errors.append(msg('fw_lan_invalid', lang, lan=lan))
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
    return errors


def deployed(clients, with_container, include=()):
    """The clients that get rules: those with a container, and those the run is creating."""
    keep = set(with_container) | set(include)
    return [client for client in clients if client['name'] in keep]


def _comment(text):
    return '-m comment --comment "%s %s"' % (TAG, text)


def client_rules(client, coaxis_lans):
    """The rules one client needs: each Coaxis LAN to its listen ports, and the replies back."""
    name, ip = client['name'], client['ip']
    ports = sorted(set(client.get('ports') or []))
    lines = ['# %s %s: listen ports %s' % (name, ip, ','.join(str(p) for p in ports) or 'none')]
    if not ports:
        return lines
    tag = _comment('client=%s' % name)
    for lan in coaxis_lans:
        for start in range(0, len(ports), MULTIPORT_MAX):
            chunk = ','.join(str(p) for p in ports[start:start + MULTIPORT_MAX])
            lines.append('-A %s -s %s -d %s/32 -p tcp -m multiport --dports %s %s -j ACCEPT'
                         % (CHAIN, lan, ip, chunk, tag))
        lines.append('-A %s -s %s/32 -d %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j ACCEPT'
                     % (CHAIN, ip, lan, tag))
    return lines


def allow_rules(bridge, allow):
    """Services every client container may open connections to across the isolation (the admin
    interface its nginx forwards to), and their replies, which Docker's isolation would drop
    when the service sits behind another Docker bridge."""
    lines = []
    for entry in allow:
        tag = _comment('allow=%s' % entry['name'])
        lines += ['# clients to %s %s:%s' % (entry['name'], entry['address'], entry['port']),
                  '-A %s -i %s -d %s/32 -p tcp -m tcp --dport %s %s -j ACCEPT'
                  % (CHAIN, bridge, entry['address'], entry['port'], tag),
                  '-A %s -s %s/32 -o %s -p tcp -m tcp --sport %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j ACCEPT'
                  % (CHAIN, entry['address'], bridge, entry['port'], tag)]
    return lines


def isolation_rules(bridge, coaxis_lans):
    """What no client container may open: another client, the Coaxis LAN, the Docker host itself."""
    lines = ['# isolation of the client containers (bridge %s)' % bridge,
             '-A %s -i %s -o %s %s -j REJECT' % (CHAIN, bridge, bridge, _comment('isolation=client-to-client'))]
    for lan in coaxis_lans:
        lines.append('-A %s -i %s -d %s -m conntrack --ctstate NEW %s -j REJECT'
                     % (CHAIN, bridge, lan, _comment('isolation=client-to-coaxis-lan')))
    lines += ['-A %s -i %s -m conntrack --ctstate RELATED,ESTABLISHED %s -j RETURN'
              % (INPUT_CHAIN, bridge, _comment('isolation=replies')),
              '-A %s -i %s %s -j REJECT' % (INPUT_CHAIN, bridge, _comment('isolation=client-to-docker-host'))]
    return lines


def render_rules(bridge, coaxis_lans, clients, allow=()):
    """The whole rule set of one Docker host, stable for the same input (clients sorted by name)."""
    lines = ['# Written by coaxis.opt.opt_firewall; applied and kept in place by the opt-firewall container.',
             '# Edit the inventory, not this file.',
             '*filter',
             ':%s - [0:0]' % CHAIN,
             ':%s - [0:0]' % INPUT_CHAIN]
    for client in sorted(clients, key=lambda item: item['name']):
        lines += client_rules(client, coaxis_lans)
    lines += allow_rules(bridge, allow)
    lines += isolation_rules(bridge, coaxis_lans)
    lines.append('COMMIT')
    return '\n'.join(lines) + '\n'


def rule_lines(text):
    """The -A lines of a rule set (what the kernel gets), for diffs and counts."""
    return [line for line in (text or '').splitlines() if line.startswith('-A ')]


def clients_in(text):
    """Names of the clients that have rules in a rule set."""
    names = set()
    for line in rule_lines(text):
        marker = '"%s client=' % TAG
        if marker in line:
            names.add(line.split(marker, 1)[1].split('"', 1)[0])
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
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_ROLE: ROLE}


def container_labels(spec):
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_ROLE: ROLE, LABEL_HASH: spec['hash']}


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
