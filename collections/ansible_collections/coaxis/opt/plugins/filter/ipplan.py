# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters over the IP plan of coaxis.opt (thin: the logic is in module_utils/_ipplan.py)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def opt_validate_clients(clients, network, engine_used=None, lang='en'):
    """Return ``clients`` unchanged when the plan is valid, else raise with every problem."""
    if not _ipplan.HAS_NETADDR:
        raise AnsibleFilterError('opt_validate_clients: the netaddr Python library is required')
    if not isinstance(clients, list) or not all(isinstance(c, dict) for c in clients):
        raise AnsibleFilterError('opt_validate_clients: clients must be a list of dicts (name, ip)')
    if not isinstance(network, dict) or 'subnet' not in network:
        raise AnsibleFilterError('opt_validate_clients: network must be a dict with at least subnet')
    network = dict(network)
    network.setdefault('name', 'network')
    errors = _ipplan.validate_network(network, lang)
    if not errors:
        errors = _ipplan.validate_clients(network, clients, engine_used or {}, lang)
    if errors:
        details = msg('filter_failed', lang, count=len(errors), errors='; '.join(errors))
        raise AnsibleFilterError('opt_validate_clients: ' + details)
    return clients


class FilterModule:
    """coaxis.opt IP plan filters."""

    def filters(self):
        return {'opt_validate_clients': opt_validate_clients}
