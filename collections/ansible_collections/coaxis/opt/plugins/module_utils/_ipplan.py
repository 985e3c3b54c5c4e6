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
    return isinstance(name, str) and bool(CLIENT_NAME_RE.match(name))


def valid_ifname(name):
    return isinstance(name, str) and bool(IFNAME_RE.match(name)) and name not in ('.', '..')


def parse_ipv4(value):
    """Return a netaddr.IPAddress for a canonical dotted quad, else None (no leading zeros, no short forms)."""
    if not isinstance(value, str) or not _DOTTED_QUAD_RE.match(value):
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


def validate_network(network, lang='en'):
    """Check a desired network: dict(name, subnet, gateway=None, ip_range=None, bridge_name=None)."""
    errors = []
    name = network.get('name')
    subnet_text = network.get('subnet')
    if not isinstance(name, str) or not DOCKER_NAME_RE.match(name):
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
    return errors


def validate_clients(network, clients, engine_used=None, lang='en'):
    """Check every client's name and address against ``network`` and the live engine.

    network: dict(name, subnet, gateway=None (first host), ip_range=None), assumed valid
      (see validate_network).
    clients: list of dict(name, ip, ...): the WHOLE plan of the network, not just the clients
      about to change, so that duplicates are caught across the inventory.
    engine_used: {ip: container_name} for addresses held on the engine by containers that are
      not the container of the client with that ip (the caller leaves out the clients' own).
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

        ip_text = client.get('ip')
        if ip_text in (None, ''):
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
            if ip_range is not None and ip not in ip_range:
                errors.append(msg('ip_outside_range', lang, client=shown, ip=ip_text, ip_range=ip_range_text,
                                  subnet=subnet_text))

        if ip_text in owners and owners[ip_text] != name:
            errors.append(msg('ip_duplicate', lang, client=shown, ip=ip_text, other=owners[ip_text]))
        else:
            owners.setdefault(ip_text, name)
        if ip_text in engine_used:
            errors.append(msg('ip_used_on_engine', lang, client=shown, ip=ip_text, container=engine_used[ip_text]))

        interface = client.get('interface')
        if interface is not None and not valid_ifname(interface):
            errors.append(msg('interface_invalid', lang, client=shown, interface=interface))
    return errors
