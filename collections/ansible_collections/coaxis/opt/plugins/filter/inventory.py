# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters that turn the inventory model into module inputs, and render messages.

The inventory keeps one host per client (group ``opt_clients``) with ``opt_ip``,
``opt_docker_host`` and friends; modules take one list per Docker host.
"""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _inventorycheck
from ansible_collections.coaxis.opt.plugins.module_utils._messages import MESSAGES, msg
from ansible_collections.coaxis.opt.plugins.plugin_utils.filter_errors import filter_lang, usage_error

# Module field -> inventory variable of a client.
FIELDS = {
    'ip': 'opt_ip',
    'interface': 'opt_interface',
    'sites': 'opt_sites',
    'private_key': 'opt_private_key',
    'config_volume': 'opt_config_volume',
    'logs_volume': 'opt_logs_volume',
    'migrate': 'opt_volume_migrate',
    'subdomain': 'opt_subdomain',
    'extra': 'opt_vhost_extra',
}
# The volume dicts whose name the container and config modules take.
VOLUME_FIELDS = ('config_volume', 'logs_volume')
DEFAULT_FIELDS = ('ip', 'interface')


def opt_client_specs(names, hostvars, docker_host, fields=DEFAULT_FIELDS, planned=None):
    """One dict per client of ``docker_host``: its name and the inventory values of ``fields``.

    planned: [{name, ip}] from coaxis.opt.opt_ipplan; their addresses (allocated ones included)
    replace the inventory's.
    """
    unknown = [field for field in fields if field not in FIELDS]
    if unknown:
        raise usage_error('opt_client_specs: unknown field(s) %s; known: %s'
                          % (', '.join(unknown), ', '.join(sorted(FIELDS))))
    addresses = dict((entry['name'], entry.get('ip')) for entry in planned or [])
    specs = []
    for name in names:
        hv = hostvars[name]
        if hv.get('opt_docker_host') != docker_host:
            continue
        spec = {'name': name}
        for field in fields:
            value = addresses.get(name) if field == 'ip' and name in addresses else hv.get(FIELDS[field])
            if value not in (None, ''):
                spec[field] = value
        specs.append(spec)
    return specs


def opt_select(items, keys):
    """Keep only ``keys`` of each dict (the fields one module takes)."""
    return [dict((k, item[k]) for k in keys if k in item) for item in items]


def opt_volume_names(items):
    """Replace each client's volume dicts (config_volume, logs_volume) by their ``name``.

    opt_volume takes the dicts (driver settings and name); opt_client and opt_config take only
    the name, and no key when the inventory names no volume (the default name then applies).
    """
    result = []
    for item in items:
        if not isinstance(item, dict):
            raise usage_error('opt_volume_names: each client must be a dict, got %r' % (item,))
        entry = dict((k, v) for k, v in item.items() if k not in VOLUME_FIELDS)
        for field in VOLUME_FIELDS:
            volume = item.get(field)
            if volume in (None, ''):
                continue
            if not isinstance(volume, dict):
                raise usage_error('opt_volume_names: %s of %s must be a dict, got %r'
                                  % (field, item.get('name'), volume))
            if volume.get('name'):
                entry[field] = volume['name']
        result.append(entry)
    return result


def opt_firewall_clients(items):
    """[{name, ip, ports, sites}] for coaxis.opt.opt_firewall out of client specs with ``ip`` and ``sites``.

    ports are the printers' listen ports of every site of the client; sites are the
    ``{name, host, port}`` of each site (port 22 unless the site names one): the only places the
    client's container may open connections to, with the admin interface.
    """
    result = []
    for item in items:
        if not isinstance(item, dict) or not item.get('name'):
            raise usage_error('opt_firewall_clients: each client must be a dict with a name, got %r' % (item,))
        if not item.get('ip'):
            raise usage_error('opt_firewall_clients: %s has no address (plan it with coaxis.opt.opt_ipplan first)'
                              % item['name'])
        ports, sites = [], []
        for site in item.get('sites') or []:
            site = site or {}
            for printer in site.get('printers') or []:
                port = (printer or {}).get('listen_port')
                if port is not None:
                    ports.append(int(port))
            if site.get('host'):
                sites.append({'name': site.get('name'), 'host': site['host'], 'port': int(site.get('port') or 22)})
        result.append({'name': item['name'], 'ip': item['ip'], 'ports': sorted(set(ports)), 'sites': sites})
    return result


def opt_coaxis_sources(groups, hostvars, docker_host):
    """The Coaxis hosts allowed to print to ``docker_host``'s clients: its ``opt_coaxis_sources``
    when set, else the address of every host of the ``coaxis_hosts`` group (``ansible_host``, or
    its inventory name). Never the whole Coaxis LAN: the Docker hosts live there too."""
    if not isinstance(groups, dict) or docker_host not in groups.get('docker_hosts', []):
        raise usage_error('opt_coaxis_sources: expects groups (with docker_hosts holding %r)' % (docker_host,))
    declared = _inventorycheck.coaxis_sources(groups, hostvars, docker_host)
    if not isinstance(declared, (list, tuple)):
        raise usage_error('opt_coaxis_sources of %s must be a list, got %r' % (docker_host, declared))
    return list(declared)


def opt_msg(key, lang='en', **kw):
    """Render the catalog message ``key`` in ``lang`` (playbook-level messages)."""
    filter_lang('opt_msg', lang)
    if key not in MESSAGES:
        raise usage_error('opt_msg: unknown message key %s' % key)
    try:
        return msg(key, lang, **kw)
    except KeyError as exc:
        raise usage_error('opt_msg: message %s needs the value %s' % (key, exc))


class FilterModule(object):
    def filters(self):
        return {'opt_client_specs': opt_client_specs, 'opt_coaxis_sources': opt_coaxis_sources,
                'opt_firewall_clients': opt_firewall_clients,
                'opt_msg': opt_msg, 'opt_select': opt_select, 'opt_volume_names': opt_volume_names}
