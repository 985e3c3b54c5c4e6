# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What opt_drift reads on a Docker host (``_drift`` compares it with the inventory)."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _edgeread, _fwplan, _naming, _proxyplan


def read_host(client, params):
    """One container list, one network inspect, at most two archive reads: (client containers
    {client: state}, names of the other containers on the network, clients with rules, clients
    with a vhost or None without the proxy)."""
    containers, ours = {}, set()
    for summary in _naming.managed_containers(client):
        ours.add(summary['Id'])
        if _naming.client_of(summary):
            containers[_naming.client_of(summary)] = summary.get('State')
    try:
        endpoints = client.api.inspect_network(params['network']).get('Containers') or {}
    except _docker.NotFound:
        endpoints = {}
    attached = [e.get('Name') or cid[:12] for cid, e in endpoints.items() if cid not in ours]
    firewall = _docker.observe_service(client, params['firewall'], None)
    rules = _fwplan.clients_in(_edgeread.read_rules(client, firewall['id'])) if firewall else []
    vhosts = None
    if params['proxy']:
        edge = _docker.observe_service(client, params['edge'], None)
        files = _edgeread.read_edge_files(client, edge['id']) if edge else {}
        vhosts = [name for name in (_proxyplan.client_of(path) for path in files) if name]
    return containers, attached, rules, vhosts
