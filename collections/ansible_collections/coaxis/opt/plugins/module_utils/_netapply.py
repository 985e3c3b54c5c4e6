# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client network on the engine: read it as ``_netplan`` compares it, make it, remove it."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _netplan


def inspect(client, name):
    """The network as _netplan.normalize_network() sees it, or None when there is none by that name."""
    try:
        data = client.api.inspect_network(name)
    except _docker.NotFound:
        return None
    observed = _netplan.normalize_network(data)
    return observed if observed['name'] == name else None


def create(client, desired):
    """POST /networks/create with the body of _netplan.create_body(): the SDK's create_network leaves
    EnableIPv6 out when it is false, and an engine may then default it on (daemon options)."""
    api = client.api
    response = api._post_json(api._url('/networks/create'), data=_netplan.create_body(desired))
    api._result(response, json=True)
    return inspect(client, desired['name'])


def remove(client, network_id):
    client.api.remove_network(network_id)
