# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that turn the inventory model into module inputs, and render messages.

The inventory keeps one host per client (group ``opt_clients``) with ``opt_ip``,
``opt_docker_host`` and friends; modules take one list per Docker host.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils._messages import MESSAGES, msg

# Inventory variable -> opt_client suboption.
_FIELDS = {'opt_ip': 'ip', 'opt_interface': 'interface'}


def opt_client_specs(names, hostvars, docker_host):
    specs = []
    for name in names:
        hv = hostvars[name]
        if hv.get('opt_docker_host') != docker_host:
            continue
        spec = {'name': name}
        for var, field in _FIELDS.items():
            if hv.get(var) not in (None, ''):
                spec[field] = hv[var]
        specs.append(spec)
    return specs


def opt_msg(key, lang='en', **kw):
    """Render the catalog message ``key`` in ``lang`` (playbook-level messages)."""
    if key not in MESSAGES:
        raise AnsibleFilterError('opt_msg: unknown message key %s' % key)
    try:
        return msg(key, lang, **kw)
    except KeyError as exc:
        raise AnsibleFilterError('opt_msg: message %s needs the value %s' % (key, exc))


class FilterModule(object):
    def filters(self):
        return {'opt_client_specs': opt_client_specs, 'opt_msg': opt_msg}
