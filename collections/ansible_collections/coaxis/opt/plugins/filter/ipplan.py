# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters over the IP plan of coaxis.opt (thin: the logic is in module_utils/_ipplan.py)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils import _inventorycheck, _ipplan, _limits, _proxyplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.plugin_utils.filter_errors import filter_lang, usage_error
from ansible_collections.coaxis.opt.plugins.plugin_utils.readable_vars import ReadableHostvars


def opt_validate_clients(clients, network, engine_used=None, lang='en'):
    """Return ``clients`` unchanged when the plan is valid, else raise with every problem."""
    filter_lang('opt_validate_clients', lang)
    if not _ipplan.HAS_NETADDR:
        raise AnsibleFilterError(msg('netaddr_missing', lang, filter='opt_validate_clients'))
    if not isinstance(clients, list) or not all(isinstance(c, dict) for c in clients):
        raise usage_error('opt_validate_clients: clients must be a list of dicts (name, ip)')
    if not isinstance(network, dict) or 'subnet' not in network:
        raise usage_error('opt_validate_clients: network must be a dict with at least subnet')
    network = dict(network)
    network.setdefault('name', 'network')
    errors = _ipplan.validate_network(network, lang)
    if not errors:
        errors = _ipplan.validate_clients(network, clients, engine_used or {}, lang)
    if errors:
        details = msg('filter_failed', lang, count=len(errors), errors='; '.join(errors))
        raise AnsibleFilterError('opt_validate_clients: ' + details)
    return clients


def subdomain_errors(groups, hostvars, lang='en'):
    """Subdomains (opt_subdomain, the client's name by default) are DNS labels, unique in the
    whole inventory: every Docker host serves the same domain. Where the Docker host serves the
    admin interface (opt_admin_url), opt.<domain> is the back-office's, never a client's."""
    errors, owners = [], {}
    for name in groups.get('opt_clients') or []:
        sub = hostvars[name].get('opt_subdomain') or name
        host = hostvars[name].get('opt_docker_host')
        docker_host = hostvars[host] if host in (groups.get('docker_hosts') or []) else {}
        if not isinstance(sub, str) or not _proxyplan.LABEL_RE.fullmatch(sub):
            errors.append(msg('proxy_subdomain_invalid', lang, client=name, subdomain=sub))
        elif sub in owners:
            errors.append(msg('proxy_subdomain_duplicate', lang, client=name, subdomain=sub, other=owners[sub]))
        elif sub == _proxyplan.ADMIN_SUBDOMAIN and docker_host.get('opt_admin_url'):
            errors.append(msg('proxy_subdomain_backoffice', lang, client=name, subdomain=sub,
                              host='%s.%s' % (sub, docker_host.get('opt_domain'))))
        else:
            owners[sub] = name
    return errors


def address_plan_errors(groups, hostvars, lang='en'):
    """The address plan of every Docker host: its network, its clients' addresses and interfaces."""
    return _address_plan(groups, hostvars, lang)[0]


def _address_plan(groups, hostvars, lang):
    """(errors, {docker host: [client specs]}) of the address plan (no engine)."""
    docker_hosts = list(groups.get('docker_hosts') or [])
    errors = []
    by_host = dict((host, []) for host in docker_hosts)
    for name in groups.get('opt_clients') or []:
        client_vars = hostvars[name]
        host = client_vars.get('opt_docker_host')
        if host not in by_host:
            errors.append(msg('client_docker_host_unknown', lang, client=name, docker_host=host))
            continue
        spec = {'name': name}
        for field, variable in (('ip', 'opt_ip'), ('interface', 'opt_interface')):
            if client_vars.get(variable) not in (None, ''):
                spec[field] = client_vars.get(variable)
        by_host[host].append(spec)
    for host in docker_hosts:
        host_vars = hostvars[host]
        network = dict(host_vars.get('opt_network') or {})
        network.setdefault('name', 'network')
        reserved = list(host_vars.get('opt_reserved_ips') or [])
        problems = _ipplan.validate_network(network, lang, reserved=reserved,
                                            coaxis_lans=list(host_vars.get('opt_coaxis_lans') or []))
        if not problems:
            network['gateway'] = network.get('gateway') or _ipplan.default_gateway(network['subnet'])
            problems = _ipplan.plan_addresses(network, by_host[host], (), lang, reserved=reserved)['errors']
        errors.extend('%s: %s' % (host, problem) for problem in problems)
    errors.extend(fleet_overlap_errors(docker_hosts, hostvars, lang))
    errors.extend(fleet_address_errors(docker_hosts, hostvars, lang))
    return errors, by_host


def inventory_errors(groups, hostvars, lang='en'):
    """Every problem of the whole inventory, one message each: (errors, Docker hosts, clients). A
    variable that cannot be read (its template names an undefined variable) is one of them, first."""
    readable = ReadableHostvars(hostvars)
    errors, by_host = _address_plan(groups, readable, lang)
    for check in INVENTORY_CHECKS:
        errors.extend(check(groups, readable, lang))
    unreadable = [msg('inventory_private_key_unreadable' if variable == 'opt_private_key' else 'inventory_unreadable',
                      lang, host=host, variable=variable, error=error)
                  for (host, variable), error in readable.unreadable.items()]
    return unreadable + errors, len(by_host), sum(len(clients) for clients in by_host.values())


def fleet_overlap_errors(docker_hosts, hostvars, lang='en'):
    """Client subnets of two Docker hosts must not overlap: a Coaxis host routes each subnet
    through its own Docker host. Sorted by first address, so a fleet costs n log n, not n²."""
    subnets = []
    for host in docker_hosts:
        network = hostvars[host].get('opt_network') or {}
        try:
            subnets.append((_ipplan.netaddr.IPNetwork(network.get('subnet')), host, network))
        except (_ipplan.netaddr.AddrFormatError, ValueError, TypeError):  # reported by the host's own checks
            continue
    subnets.sort(key=lambda item: (item[0].first, -item[0].last))
    errors = []
    widest_net = widest_host = None
    for net, host, network in subnets:
        if widest_net is not None and net.first <= widest_net.last:
            problem = msg('net_overlap_docker_host', lang, network=network.get('name', 'network'), subnet=net,
                          other_subnet=widest_net, other_host=widest_host)
            errors.append('%s: %s' % (host, problem))
        if widest_net is None or net.last > widest_net.last:
            widest_net, widest_host = net, host
    return errors


def fleet_address_errors(docker_hosts, hostvars, lang='en'):
    """Two Docker hosts with one address on the Coaxis LAN would get each other's clients' routes."""
    errors, owners = [], {}
    for host in docker_hosts:
        address = hostvars[host].get('opt_docker_host_address')
        if address in (None, ''):
            continue
        if str(address) in owners:
            errors.append('%s: %s' % (host, msg('docker_host_address_duplicate', lang, address=address,
                                                other=owners[str(address)])))
        else:
            owners[str(address)] = host
    return errors


# The whole-inventory check after the address plan (addresses, interfaces, networks, overlaps):
# one line per family of variables, each f(groups, hostvars, lang) -> [messages], in the order
# their messages are shown. Every playbook that changes a Docker host runs them all first.
INVENTORY_CHECKS = (
    subdomain_errors,                         # opt_subdomain
    _inventorycheck.client_field_errors,      # opt_sites (sites, printers, limits, host keys), opt_private_key
    _inventorycheck.volume_errors,            # opt_config_volume, opt_logs_volume, opt_volume_migrate
    _inventorycheck.vhost_extra_errors,       # opt_vhost_extra
    _inventorycheck.docker_host_errors,       # opt_docker_url/_tls/_insecure, opt_admin_url, opt_domain, TLS
    _inventorycheck.route_errors,             # opt_docker_host_address (the Coaxis hosts' routes)
    _limits.inventory_errors,                 # opt_client_limits, opt_edge_limits, opt_firewall_limits, opt_log
    _inventorycheck.signing_errors,           # opt_admin_signing_secret (with opt_admin_url)
    _inventorycheck.source_errors,            # opt_coaxis_sources (the Coaxis hosts that print)
)


def opt_inventory_errors(groups, hostvars, lang='en'):
    """Every problem of the whole inventory, one message each (empty: valid)."""
    filter_lang('opt_inventory_errors', lang)
    if not _ipplan.HAS_NETADDR:
        raise AnsibleFilterError(msg('netaddr_missing', lang, filter='opt_inventory_errors'))
    return inventory_errors(groups, hostvars, lang)[0]


class FilterModule:
    """coaxis.opt IP plan filters."""

    def filters(self):
        return {'opt_validate_clients': opt_validate_clients, 'opt_inventory_errors': opt_inventory_errors}
