# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The routes every Coaxis host needs, from the inventory's Docker hosts (coaxis.opt.opt_route's input)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.plugin_utils.filter_errors import filter_lang, usage_error


def _docker_host_names(groups_or_hostnames):
    """The Docker host names out of the filter's input."""
    if isinstance(groups_or_hostnames, Mapping):
        return list(groups_or_hostnames.get('docker_hosts') or [])
    if isinstance(groups_or_hostnames, (list, tuple)):
        return list(groups_or_hostnames)
    raise usage_error('opt_coaxis_routes: expects the groups dict or a list of Docker host names, got %r'
                      % (groups_or_hostnames,))


def opt_coaxis_routes(groups_or_hostnames, hostvars, lang='en'):
    """One route per Docker host: its client subnet via its address on the Coaxis LAN.

    groups_or_hostnames: the ``groups`` dict (its ``docker_hosts`` group is used) or a list of
    Docker host names. lang: the language of the error naming the Docker hosts that lack a value.
    """
    filter_lang('opt_coaxis_routes', lang)
    routes, missing = [], []
    for name in _docker_host_names(groups_or_hostnames):
        host_vars = hostvars[name]
        subnet = (host_vars.get('opt_network') or {}).get('subnet')
        address = host_vars.get('opt_docker_host_address')
        lacks = [var for var, value in (('opt_network.subnet', subnet), ('opt_docker_host_address', address))
                 if value in (None, '')]
        if lacks:
            missing.append(msg('routes_host_lacks', lang, host=name, missing=', '.join(lacks)))
            continue
        routes.append({'dest': str(subnet), 'via': str(address), 'comment': str(name)})
    if missing:
        raise AnsibleFilterError('opt_coaxis_routes: %s'
                                 % msg('routes_inventory_incomplete', lang, problems='; '.join(missing)))
    return routes


class FilterModule(object):
    def filters(self):
        return {'opt_coaxis_routes': opt_coaxis_routes}
