# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IP plan of one client network: pure checks over netaddr, no Docker.

Every function returns the list of ALL problems found (operator messages naming the client,
the address and the reason); an empty list means the plan is valid.
"""

from __future__ import annotations

import re
import traceback

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

try:
    import netaddr
    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None
except ImportError:
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()

# 2-32 chars, lowercase alnum and dashes, no leading/trailing dash: safe as a Docker name part,
# an nginx server name label, an iptables comment and a file name.
CLIENT_NAME_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])$')
# Linux interface names (IFNAMSIZ - 1), restricted to characters that need no quoting anywhere.
IFNAME_RE = re.compile(r'^[A-Za-z0-9_.-]{1,15}$')
# Docker object names.
DOCKER_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')
_DOTTED_QUAD_RE = re.compile(r'^\d{1,3}(?:\.\d{1,3}){3}$')


def valid_client_name(name):
    return isinstance(name, str) and bool(CLIENT_NAME_RE.fullmatch(name))


def valid_ifname(name):
    return isinstance(name, str) and bool(IFNAME_RE.fullmatch(name)) and name not in ('.', '..')


def parse_ipv4(value):
    """Return a netaddr.IPAddress for a canonical dotted quad, else None (no leading zeros, no short forms)."""
    if not isinstance(value, str) or not _DOTTED_QUAD_RE.fullmatch(value):
        return None
    try:
        address = netaddr.IPAddress(value, version=4)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None
    return address if str(address) == value else None


def parse_ipv4_network(value, min_prefix=8, max_prefix=30):
    """Return a netaddr.IPNetwork for 'a.b.c.d/n' (prefix within bounds), else None."""
    if not isinstance(value, str) or '/' not in value:
        return None
    address, _sep, prefix = value.partition('/')
    if parse_ipv4(address) is None or not prefix.isdigit():
        return None
    if not min_prefix <= int(prefix) <= max_prefix:
        return None
    try:
        return netaddr.IPNetwork(value, version=4)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def default_gateway(subnet):
    """The first host address of ``subnet`` (Docker's own default)."""
    return str(netaddr.IPAddress(netaddr.IPNetwork(subnet).first + 1))


def prefix_length(subnet):
    return netaddr.IPNetwork(subnet).prefixlen


def validate_network(network, lang='en', reserved=None, coaxis_lans=None, other_networks=None):
    """Check a desired network: dict(name, subnet, gateway=None, ip_range=None, bridge_name=None).

    reserved: addresses of the plan no client may take (opt_reserved_ips), checked to be inside
    the subnet. coaxis_lans: CIDRs of the Coaxis LAN(s) the subnet must not overlap.
    other_networks: {name: subnet} of the engine's other networks, which it must not overlap.
    """
    errors = []
    name = network.get('name')
    subnet_text = network.get('subnet')
    if not isinstance(name, str) or not DOCKER_NAME_RE.fullmatch(name):
        errors.append(msg('net_name_invalid', lang, network=name))
    subnet = parse_ipv4_network(subnet_text)
    if subnet is None:
        errors.append(msg('net_subnet_invalid', lang, network=name, subnet=subnet_text))
    elif str(subnet.cidr) != subnet_text:
        errors.append(msg('net_subnet_not_network', lang, network=name, subnet=subnet_text, expected=str(subnet.cidr)))
        subnet = None

    gateway_text = network.get('gateway')
    if gateway_text is not None:
        gateway = parse_ipv4(gateway_text)
        if gateway is None:
            errors.append(msg('net_gateway_invalid', lang, network=name, gateway=gateway_text))
        elif subnet is not None:
            if gateway not in subnet:
                errors.append(msg('net_gateway_outside', lang, network=name, gateway=gateway_text, subnet=subnet_text))
            elif gateway in (subnet.network, subnet.broadcast):
                errors.append(msg('net_gateway_reserved', lang, network=name, gateway=gateway_text, subnet=subnet_text))

    ip_range_text = network.get('ip_range')
    if ip_range_text is not None:
        ip_range = parse_ipv4_network(ip_range_text, min_prefix=8, max_prefix=32)
        if ip_range is None or str(ip_range.cidr) != ip_range_text:
            errors.append(msg('net_ip_range_invalid', lang, network=name, ip_range=ip_range_text))
        elif subnet is not None and ip_range not in subnet:
            errors.append(msg('net_ip_range_outside', lang, network=name, ip_range=ip_range_text, subnet=subnet_text))

    bridge_name = network.get('bridge_name')
    if bridge_name is not None and not valid_ifname(bridge_name):
        errors.append(msg('net_bridge_name_invalid', lang, network=name, bridge_name=bridge_name))

    for ip_text in reserved or []:
        ip = parse_ipv4(ip_text)
        if ip is None:
            errors.append(msg('net_reserved_invalid', lang, network=name, ip=ip_text))
        elif subnet is not None and ip not in subnet:
            errors.append(msg('net_reserved_outside', lang, network=name, ip=ip_text, subnet=subnet_text))
    if subnet is not None:
        for lan_text in coaxis_lans or []:
            lan = parse_ipv4_network(lan_text, min_prefix=0, max_prefix=32)
            if lan is None:
                errors.append(msg('net_coaxis_lan_invalid', lang, network=name, lan=lan_text))
            elif _overlaps(subnet, lan):
                errors.append(msg('net_overlap_coaxis', lang, network=name, subnet=subnet_text, other=lan_text))
        for other, other_text in sorted((other_networks or {}).items()):
            other_net = parse_ipv4_network(other_text or '', min_prefix=0, max_prefix=32)
            if other != name and other_net is not None and _overlaps(subnet, other_net):
                errors.append(msg('net_overlap_engine', lang, network=name, subnet=subnet_text, other=other,
                                  other_subnet=other_text))
    return errors


def _overlaps(one, other):
    return one.first <= other.last and other.first <= one.last


def address_pool(network, reserved=()):
    """The addresses clients may hold: ip_range (or the subnet) minus the network, broadcast and
    gateway addresses and the reserved ones, as a netaddr.IPSet. ``network`` is assumed valid."""
    subnet = netaddr.IPNetwork(network['subnet'])
    pool = netaddr.IPSet([network.get('ip_range') or subnet]) & netaddr.IPSet([subnet])
    excluded = [subnet.network, subnet.broadcast, network.get('gateway') or default_gateway(network['subnet'])]
    excluded += [ip for ip in (parse_ipv4(r) for r in reserved or []) if ip is not None]
    return pool - netaddr.IPSet(excluded)


def _pool_text(network):
    return network.get('ip_range') or network['subnet']


def duplicate_clients(clients, lang='en'):
    """One message per client name listed more than once (every module's ``clients`` option)."""
    counts = {}
    for client in clients:
        counts[client.get('name')] = counts.get(client.get('name'), 0) + 1
    return [msg('client_duplicate', lang, client=name, count=count)
            for name, count in sorted((n, c) for n, c in counts.items() if c > 1 and n is not None)]


def validate_clients(network, clients, engine_used=None, lang='en', reserved=None, allow_missing=False):
    """Check every client's name and address against ``network`` and the live engine.

    network: dict(name, subnet, gateway=None (first host), ip_range=None), assumed valid
      (see validate_network).
    clients: list of dict(name, ip, ...): the WHOLE plan of the network, not just the clients
      about to change, so that duplicates are caught across the inventory.
    engine_used: {ip: container_name} for addresses held on the engine by containers that are
      not the container of the client with that ip (the caller leaves out the clients' own).
    reserved: addresses of the plan no client may take.
    allow_missing: a client without an ip is fine (it gets one from allocate()).
    Returns a list of messages, one per problem, all problems of all clients.
    """
    errors = []
    engine_used = engine_used or {}
    subnet_text = network['subnet']
    subnet = netaddr.IPNetwork(subnet_text)
    gateway_text = network.get('gateway') or default_gateway(subnet_text)
    gateway = netaddr.IPAddress(gateway_text)
    ip_range_text = network.get('ip_range')
    ip_range = netaddr.IPNetwork(ip_range_text) if ip_range_text else None

    reserved_set = set(reserved or [])
    counts = {}
    for client in clients:
        counts[client.get('name')] = counts.get(client.get('name'), 0) + 1
    reported_duplicates = set()
    owners = {}  # ip -> first client name that claimed it

    for client in clients:
        name = client.get('name')
        shown = name if isinstance(name, str) and name else repr(name)
        if not valid_client_name(name):
            errors.append(msg('client_name_invalid', lang, client=shown))
        if counts[name] > 1 and name not in reported_duplicates:
            reported_duplicates.add(name)
            errors.append(msg('client_duplicate', lang, client=shown, count=counts[name]))

        interface = client.get('interface')
        if interface is not None and not valid_ifname(interface):
            errors.append(msg('interface_invalid', lang, client=shown, interface=interface))

        ip_text = client.get('ip')
        if ip_text in (None, ''):
            if not allow_missing:
                errors.append(msg('ip_missing', lang, client=shown))
            continue
        ip = parse_ipv4(ip_text)
        if ip is None:
            errors.append(msg('ip_invalid', lang, client=shown, ip=ip_text))
            continue
        if ip not in subnet:
            errors.append(msg('ip_outside_subnet', lang, client=shown, ip=ip_text, subnet=subnet_text))
        else:
            if ip == subnet.network:
                errors.append(msg('ip_network_address', lang, client=shown, ip=ip_text, subnet=subnet_text))
            elif ip == subnet.broadcast:
                errors.append(msg('ip_broadcast_address', lang, client=shown, ip=ip_text, subnet=subnet_text))
            elif ip == gateway:
                errors.append(msg('ip_gateway', lang, client=shown, ip=ip_text, subnet=subnet_text))
            elif ip_text in reserved_set:
                errors.append(msg('ip_reserved', lang, client=shown, ip=ip_text, network=network.get('name')))
            if ip_range is not None and ip not in ip_range:
                errors.append(msg('ip_outside_range', lang, client=shown, ip=ip_text, ip_range=ip_range_text,
                                  subnet=subnet_text))

        if ip_text in owners and owners[ip_text] != name:
            errors.append(msg('ip_duplicate', lang, client=shown, ip=ip_text, other=owners[ip_text]))
        else:
            owners.setdefault(ip_text, name)
        if ip_text in engine_used:
            errors.append(msg('ip_used_on_engine', lang, client=shown, ip=ip_text, container=engine_used[ip_text]))

    return errors


def allocate(network, wanted, taken_by, reserved=(), sticky=None):
    """Addresses for the clients of ``wanted`` (names without an ip), deterministically.

    taken_by(ip_text, name) -> bool: whether someone other than client ``name`` holds the address.
    sticky: {name: ip} the address a client's existing container has; it is kept when still in
    the pool and held by nobody else. The others get the lowest free addresses, in name order.
    Returns ({name: ip}, [names left without an address: the pool is exhausted]).
    """
    pool = address_pool(network, reserved)
    sticky = sticky or {}
    given = {}
    for name in sorted(wanted):
        ip_text = sticky.get(name)
        ip = parse_ipv4(ip_text) if ip_text else None
        if ip is not None and ip in pool and not taken_by(ip_text, name) and ip_text not in given.values():
            given[name] = ip_text
    claimed = set(given.values())
    left = [name for name in sorted(wanted) if name not in given]
    candidates = _lowest_first(pool)
    for name in list(left):
        for ip in candidates:
            ip_text = str(ip)
            if ip_text not in claimed and not taken_by(ip_text, name):
                given[name] = ip_text
                claimed.add(ip_text)
                left.remove(name)
                break
        else:
            break
    return given, left


def _lowest_first(pool):
    for cidr in pool.iter_cidrs():
        yield from cidr


def plan_addresses(network, clients, endpoints=(), lang='en', reserved=(), only=None):
    """The address plan of one network: validate every client, allocate the missing addresses.

    network: dict(name, subnet, gateway=None, ip_range=None), assumed valid (validate_network).
    clients: [dict(name, ip=None, ...)] every client of the network in the inventory, whatever
      subset the run converges.
    endpoints: [dict(container, client=None, ip)] the addresses live on the engine's network
      (managed containers carry their client's name, others None), stopped containers included.
    only: the clients converged in this run (None: all); a container of one of them that is
      about to move to another address frees its old one.
    Returns dict(clients=[copies with 'ip' set], allocated=[dict(client, ip, kept)], errors=[...]).
    """
    selected = None if only is None else set(only)
    desired = dict((c.get('name'), c.get('ip') or None) for c in clients)

    def moving(endpoint):
        owner = endpoint.get('client')
        return (owner in desired and desired[owner] is not None and desired[owner] != endpoint['ip']
                and (selected is None or owner in selected))

    holders = {}  # ip -> endpoint holding it that the plan cannot take over
    for endpoint in endpoints:
        if endpoint.get('ip') and not moving(endpoint):
            holders.setdefault(endpoint['ip'], endpoint)
    engine_used = dict((ip, e['container']) for ip, e in holders.items()
                       if not (e.get('client') and desired.get(e['client']) == ip))
    errors = validate_clients(network, clients, engine_used, lang, reserved=reserved, allow_missing=True)

    pool = address_pool(network, reserved)
    if len(clients) > pool.size:
        errors.append(msg('net_too_small', lang, network=network.get('name'), pool=_pool_text(network),
                          free=pool.size, count=len(clients)))
    pinned = dict((ip, name) for name, ip in desired.items() if ip)

    def taken_by(ip_text, name):
        holder = holders.get(ip_text)
        return (pinned.get(ip_text, name) != name
                or (holder is not None and holder.get('client') != name))

    wanted = [name for name, ip in desired.items() if not ip and valid_client_name(name)]
    # A client with several containers (a leftover) keeps its lowest address, whatever the order.
    sticky = {}
    for endpoint in sorted((e for e in endpoints if e.get('client') in wanted and e.get('ip')),
                           key=lambda e: netaddr.IPAddress(e['ip'])):
        sticky.setdefault(endpoint['client'], endpoint['ip'])
    given, left = allocate(network, wanted, taken_by, reserved, sticky)
    errors += [msg('ip_pool_exhausted', lang, client=name, pool=_pool_text(network), count=len(wanted))
               for name in left]
    planned = []
    for client in clients:
        entry = dict(client)
        if not entry.get('ip') and entry.get('name') in given:
            entry['ip'] = given[entry['name']]
        planned.append(entry)
    allocated = [dict(client=name, ip=ip, kept=sticky.get(name) == ip) for name, ip in sorted(given.items())]
    return dict(clients=planned, allocated=allocated, errors=errors)
