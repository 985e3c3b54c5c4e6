# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the static routes of a Coaxis host: pure functions over plain data, no host access.

``validate_routes()`` checks the request alone; ``plan_routes()`` compares it with the runtime
table (``ip -j route show table main``), the gateways' lookups (``ip -j route get``) and the routes
the unit already persists, and returns the runtime commands, the unit's routes and every conflict;
``render_unit()``/``parse_unit()`` write and read the systemd unit; ``plan_systemd()`` says which
systemctl steps follow. Standard library only: a Coaxis host need not have netaddr.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

MARKER = 'managed by coaxis.opt.opt_route'
UNIT_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,200}$')
EXEC_START = re.compile(r'^ExecStart=-(?P<ip>\S+) route add (?P<dest>\S+) via (?P<via>\S+)\s*$')
ROUTE_COMMENT = re.compile(r'^# route (?P<dest>\S+) via (?P<via>\S+): (?P<comment>.*)$')
# Routes of another kind than a plain unicast route (blackhole, unreachable, ...) carry "type".
UNICAST = 'unicast'


def _network(text):
    return ipaddress.IPv4Network(text, strict=True)


def validate_routes(routes, unit, lang='en'):
    """(normalized routes, errors) of the request alone: addresses, overlaps, the unit's name.

    A normalized route is {dest, via, state, comment} with ``dest`` in canonical CIDR form.
    """
    errors = []
    if not UNIT_NAME.fullmatch(unit or '') or unit.endswith('.service'):
        errors.append(msg('route_unit_invalid', lang, unit=unit))
    normalized = []
    for route in routes:
        dest, via = str(route.get('dest') or ''), str(route.get('via') or '')
        comment = route.get('comment') or ''
        try:
            network = _network(dest)
        except ValueError:
            try:
                loose = ipaddress.IPv4Network(dest, strict=False)
                errors.append(msg('route_dest_host_bits', lang, dest=dest, network=str(loose)))
            except ValueError:
                errors.append(msg('route_dest_invalid', lang, dest=dest))
            continue
        if network.prefixlen == 0:
            errors.append(msg('route_dest_default', lang, dest=dest))
            continue
        try:
            gateway = ipaddress.IPv4Address(via)
        except ValueError:
            errors.append(msg('route_via_invalid', lang, dest=dest, via=via))
            continue
        if gateway in network:
            errors.append(msg('route_via_inside', lang, dest=dest, via=via))
            continue
        if any(not char.isprintable() for char in comment):
            errors.append(msg('route_comment_invalid', lang, dest=dest))
            continue
        normalized.append({'dest': str(network), 'via': str(gateway), 'state': route.get('state') or 'present',
                           'comment': comment})
    seen = {}
    for route in normalized:
        seen.setdefault(route['dest'], []).append(route)
    for dest, same in seen.items():
        if len(same) > 1:
            errors.append(msg('route_duplicate', lang, dest=dest, count=len(same)))
    dests = sorted(seen, key=lambda d: (_network(d).prefixlen, d))
    for index, dest in enumerate(dests):
        for other in dests[index + 1:]:
            if _network(dest).overlaps(_network(other)):
                errors.append(msg('route_overlap', lang, dest=other, other=dest))
    return normalized, errors


def normalize_runtime(entries):
    """The IPv4 routes of ``ip -j route show table main`` as {dest, gateway, dev, type, protocol}."""
    routes = []
    for entry in entries or []:
        dst = entry.get('dst') or ''
        if ':' in dst:
            continue
        if dst == 'default':
            dst = '0.0.0.0/0'
        elif '/' not in dst:
            dst += '/32'
        try:
            dst = str(ipaddress.IPv4Network(dst, strict=False))
        except ValueError:
            continue
        routes.append({'dest': dst, 'gateway': entry.get('gateway'), 'dev': entry.get('dev'),
                       'type': entry.get('type') or UNICAST, 'protocol': entry.get('protocol')})
    return routes


def describe(route):
    """One runtime route the way ``ip route`` shows it (enough to find it again)."""
    words = [] if route.get('type', UNICAST) == UNICAST else [route['type']]
    words.append('default' if route['dest'] == '0.0.0.0/0' else route['dest'])
    if route.get('gateway'):
        words += ['via', route['gateway']]
    if route.get('dev'):
        words += ['dev', route['dev']]
    if route.get('protocol') in ('kernel', 'dhcp', 'static', 'boot') and not route.get('gateway'):
        words += ['proto', route['protocol']]
    return ' '.join(words)


def gateway_problem(lookup, lang='en'):
    """Why the gateway of an ``ip -j route get <via>`` answer is not directly connected, or None.

    lookup: the first entry of the answer, or {'error': text} when the command failed.
    """
    if lookup.get('error'):
        return lookup['error']
    if lookup.get('type') not in (None, UNICAST):
        return msg('route_gateway_type', lang, type=lookup['type'])
    if lookup.get('gateway'):
        return msg('route_gateway_via', lang, gateway=lookup['gateway'], dev=lookup.get('dev'))
    return None


def _is_ours(route, managed):
    return any(route['dest'] == m['dest'] and route.get('gateway') == m['via'] for m in managed)


def plan_routes(routes, runtime, gateways, managed, lang='en'):
    """Compare the validated request with the host.

    routes: validate_routes() output; runtime: normalize_runtime() output; gateways:
    {via: lookup} for every present route's gateway (see gateway_problem()); managed: the unit's
    routes (parse_unit()). Returns dict(errors, results, commands, unit_routes): ``results`` is one
    {dest, via, state, comment, action} per requested route (action added|removed|none),
    ``commands`` the ``ip route`` argument lists in order (deletions first), ``unit_routes``
    the routes the unit must hold: the ones it holds that the request does not name, plus the
    present ones of the request.
    """
    errors, results, deletions, additions = [], [], [], []
    for route in routes:
        dest, via = route['dest'], route['via']
        network = _network(dest)
        same = [r for r in runtime if r['dest'] == dest]
        exact = [r for r in same if r['type'] == UNICAST and r.get('gateway') == via]
        action = 'none'
        if route['state'] == 'absent':
            if exact:
                action = 'removed'
                deletions.append(['route', 'del', dest, 'via', via])
        else:
            problem = gateway_problem(gateways.get(via) or {'error': msg('route_lookup_missing', lang)}, lang)
            if problem:
                errors.append(msg('route_gateway_unreachable', lang, dest=dest, via=via, detail=problem))
            for other in same:
                if other in exact:
                    continue
                if _is_ours(other, managed):
                    # The unit put it there with the gateway the inventory had then: follow the inventory.
                    deletions.append(['route', 'del', dest, 'via', other['gateway']])
                    continue
                errors.append(msg('route_conflict_same', lang, dest=dest, via=via, existing=describe(other)))
            for other in runtime:
                inner = _network(other['dest'])
                if inner != network and inner.subnet_of(network) and not _is_ours(other, managed):
                    errors.append(msg('route_conflict_inside', lang, dest=dest, via=via, existing=describe(other)))
            if not exact:
                action = 'added'
                additions.append(['route', 'add', dest, 'via', via])
        results.append(dict(route, action=action))
    named = set(r['dest'] for r in routes)
    unit_routes = [m for m in managed if m['dest'] not in named]
    unit_routes += [dict((k, r[k]) for k in ('dest', 'via', 'comment')) for r in routes if r['state'] == 'present']
    unit_routes.sort(key=lambda r: (ipaddress.IPv4Network(r['dest']).network_address, r['dest']))
    if errors:
        # Refused as a whole: nothing is done for any route.
        results = [dict(r, action='none') for r in results]
        return {'errors': errors, 'results': results, 'commands': [], 'unit_routes': unit_routes}
    return {'errors': [], 'results': results, 'commands': deletions + additions, 'unit_routes': unit_routes}


def undeclared(routes, managed):
    """The unit's routes (dest, via, comment) whose destination the request does not name."""
    named = set(r['dest'] for r in routes)
    return [dict((k, m.get(k)) for k in ('dest', 'via', 'comment')) for m in managed if m['dest'] not in named]


def runtime_after(runtime, commands):
    """The runtime routes (described) once ``commands`` ran: for the diff."""
    lines = [describe(r) for r in runtime]
    for command in commands:
        dest, via = command[2], command[4]
        if command[1] == 'del':
            lines = [line for line in lines if not line.startswith('%s via %s ' % (dest, via))
                     and line != '%s via %s' % (dest, via)]
        else:
            lines.append('%s via %s' % (dest, via))
    return lines


def render_unit(unit_routes, ip_path, unit):
    """The unit file holding ``unit_routes``, or None when there are none (the unit goes)."""
    if not unit_routes:
        return None
    lines = [
        '# %s: edit the inventory and run playbooks/routes.yml, not this file.' % MARKER,
        '# A failed "ip route add" (route already there) does not fail the unit: the "-" prefix.',
        '[Unit]',
        'Description=Coaxis OPT static routes to the client networks (%s)' % unit,
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        'RemainAfterExit=yes',
    ]
    for route in unit_routes:
        lines.append('# route %s via %s: %s' % (route['dest'], route['via'], route.get('comment') or ''))
        lines.append('ExecStart=-%s route add %s via %s' % (ip_path, route['dest'], route['via']))
        lines.append('ExecStop=-%s route del %s via %s' % (ip_path, route['dest'], route['via']))
    lines += ['', '[Install]', 'WantedBy=multi-user.target', '']
    return '\n'.join(lines)


def unit_is_ours(text):
    """Whether an existing unit file (None: no file) is one this module wrote."""
    if text is None:
        return True
    first = text.splitlines()[:1]
    return bool(first) and MARKER in first[0]


def parse_unit(text):
    """The routes of a unit this module wrote: [{dest, via, comment}]."""
    routes, comments = [], {}
    for line in (text or '').splitlines():
        found = ROUTE_COMMENT.match(line)
        if found:
            comments[(found.group('dest'), found.group('via'))] = found.group('comment')
            continue
        found = EXEC_START.match(line)
        if found:
            key = (found.group('dest'), found.group('via'))
            routes.append({'dest': key[0], 'via': key[1], 'comment': comments.get(key, '')})
    return routes


def plan_systemd(before, after, enabled, active):
    """The systemctl steps that bring the unit from ``before`` to ``after`` (texts or None)."""
    if after is None:
        if before is None:
            return []
        steps = ['disable'] if enabled else []
        steps += ['stop'] if active else []
        return steps + ['remove', 'daemon-reload']
    steps = ['write', 'daemon-reload'] if after != before else []
    steps += [] if enabled else ['enable']
    # Starting an active unit is a no-op, restarting it would run ExecStop and drop the routes.
    steps += [] if active else ['start']
    return steps
