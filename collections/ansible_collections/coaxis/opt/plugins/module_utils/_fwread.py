# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the firewall's plan reads (coaxis.opt.opt_firewall), reads only: the client network's
bridge on the engine, and on the Docker host its resolvers and what the sites' names resolve to."""

from __future__ import annotations

import socket

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan

RESOLV_CONF = '/etc/resolv.conf'
RESOLVED_CONF = '/run/systemd/resolve/resolv.conf'


def bridge_of(client, network):
    """The Linux bridge of ``network`` (raises NotFound when there is no such network)."""
    data = client.api.inspect_network(network)
    return (data.get('Options') or {}).get('com.docker.network.bridge.name') or 'br-' + data['Id'][:12]


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
    """The IPv4 addresses ``host`` resolves to on the Docker host, [] when it does not."""
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError):
        return []
