# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The routes every Coaxis host needs, from the inventory's Docker hosts (coaxis.opt.opt_route's input)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def opt_coaxis_routes(groups_or_hostnames, hostvars):
    """One route per Docker host: its client subnet via its address on the Coaxis LAN.

    groups_or_hostnames: the ``groups`` dict (its ``docker_hosts`` group is used) or a list of
    Docker host names.
    """
    if isinstance(groups_or_hostnames, Mapping):
        names = list(groups_or_hostnames.get('docker_hosts') or [])
    elif isinstance(groups_or_hostnames, (list, tuple)):
        names = list(groups_or_hostnames)
    else:
        raise AnsibleFilterError('opt_coaxis_routes: expects the groups dict or a list of Docker host names, got %r'
                                 % (groups_or_hostnames,))
    routes, missing = [], []
    for name in names:
        host_vars = hostvars[name]
        subnet = (host_vars.get('opt_network') or {}).get('subnet')
        address = host_vars.get('opt_docker_host_address')
        lacks = [var for var, value in (('opt_network.subnet', subnet), ('opt_docker_host_address', address))
                 if value in (None, '')]
        if lacks:
            missing.append('%s lacks %s' % (name, ' and '.join(lacks)))
            continue
        routes.append({'dest': str(subnet), 'via': str(address), 'comment': str(name)})
    if missing:
        raise AnsibleFilterError('opt_coaxis_routes: %s (the route to a Docker host\'s clients needs its client '
                                 'subnet and its address on the Coaxis LAN)' % '; '.join(missing))
    return routes


class FilterModule(object):
    def filters(self):
        return {'opt_coaxis_routes': opt_coaxis_routes}
