# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole-inventory check, beyond the address plan: every field of every client and the
client-independent variables of every Docker host, with the modules' own validators.

Each family is ``f(groups, hostvars, lang) -> [messages]``; the filter
coaxis.opt.opt_inventory_errors (filter/ipplan.py, INVENTORY_CHECKS) runs them all before
any playbook changes anything. ``hostvars`` is Ansible's (each variable templated when read,
vaulted values decrypted) or plain dicts in the unit tests. Values are read the way the
modules receive them: what a module's argument spec would convert ("22" to 22, "yes" to true)
is converted here first, so the check refuses exactly what a module would refuse later.
"""

from __future__ import annotations

from ansible.module_utils.common.validation import check_type_bool, check_type_int

from ansible_collections.coaxis.opt.plugins.module_utils import (
    _clientsig, _docker, _fwplan, _ipplan, _proxyplan, _configplan, _routeplan, _siteschema, _volplan)
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# Site fields that opt_config's argument spec converts (its SITE_OPTIONS): the integers and the flag.
SITE_INT_FIELDS = tuple(_siteschema.SITE_INTS)
SITE_BOOL_FIELDS = ('compression',)
# opt_route's unit (its default, what routes.yml and site.yml use).
ROUTES_UNIT = 'coaxis-opt-routes'
# opt_volume's volume roles and the inventory variable of each.
VOLUME_VARIABLES = {'config': 'opt_config_volume', 'logs': 'opt_logs_volume'}


def clients(groups):
    """The clients whose fields are checked here; an invalid name is the address plan's message."""
    return [name for name in groups.get('opt_clients') or [] if _ipplan.valid_client_name(name)]


def docker_hosts(groups):
    return list(groups.get('docker_hosts') or [])


def plain(value):
    """A vaulted or tagged string as a plain str (what a module receives); other values unchanged."""
    if value is None or isinstance(value, (bool, int, float, list, dict)):
        return value
    if isinstance(value, str):
        return str(value)
    try:
        return str(value)  # AnsibleVaultEncryptedUnicode and friends decrypt on str()
    except Exception:  # pylint: disable=broad-except
        return value


def _converted(value, check):
    try:
        return check(value)
    except (TypeError, ValueError):
        return value  # left as it is: the validator names the wrong value


def module_site(site):
    """A site as opt_config receives it: its integer and boolean fields converted, the rest as is."""
    if not isinstance(site, dict):
        return site
    result = dict(site)
    for field in SITE_INT_FIELDS:
        if result.get(field) is not None and not isinstance(result[field], bool):
            result[field] = _converted(result[field], check_type_int)
    for field in SITE_BOOL_FIELDS:
        if result.get(field) is not None:
            result[field] = _converted(result[field], check_type_bool)
    return result


def client_config(name, client_vars):
    """The client as coaxis.opt.opt_config receives it (name, sites, private key)."""
    sites = client_vars.get('opt_sites')
    if isinstance(sites, list):
        sites = [module_site(site) for site in sites]
    return {'name': name, 'sites': sites, 'private_key': plain(client_vars.get('opt_private_key'))}


def client_field_errors(groups, hostvars, lang='en'):
    """Sites, printers, limits, host keys and the private key of every client (opt_config's rules)."""
    errors = []
    for name in clients(groups):
        errors.extend(_configplan.validate_client(client_config(name, hostvars[name]), lang))
    return errors


def volume_errors(groups, hostvars, lang='en'):
    """opt_config_volume, opt_logs_volume, opt_volume_migrate (opt_volume's rules), per Docker host:
    two clients of one engine cannot share a volume."""
    errors, by_host = [], {}
    for name in clients(groups):
        client_vars = hostvars[name]
        spec = {'name': name}
        for role, variable in VOLUME_VARIABLES.items():
            value = client_vars.get(variable)
            if value in (None, ''):
                continue
            if not isinstance(value, dict):
                errors.append(msg('inventory_volume_not_dict', lang, client=name, variable=variable))
                continue
            spec['%s_volume' % role] = dict((key, plain(item)) for key, item in value.items())
        migrate = client_vars.get('opt_volume_migrate')
        if migrate is not None and not isinstance(_converted(migrate, check_type_bool), bool):
            errors.append(msg('inventory_migrate_invalid', lang, client=name, value=migrate))
        by_host.setdefault(client_vars.get('opt_docker_host'), []).append(spec)
    for host in sorted(by_host, key=str):
        errors.extend(_volplan.validate_clients(by_host[host], lang))
    return errors


def vhost_extra_errors(groups, hostvars, lang='en'):
    """opt_vhost_extra of every client (opt_proxy's rules: the allowed directives only)."""
    errors = []
    for name in clients(groups):
        extra = hostvars[name].get('opt_vhost_extra')
        if extra not in (None, ''):
            errors.extend(_proxyplan.extra_errors(name, extra, lang))
    return errors


def docker_host_errors(groups, hostvars, lang='en'):
    """The client-independent variables of every Docker host: its engine's URL (and the opt-in of
    an unencrypted one), the admin interface, the domain of the subdomains and its certificate."""
    errors = []
    for host in docker_hosts(groups):
        host_vars = hostvars[host]
        url = plain(host_vars.get('opt_docker_url'))
        problems = [] if url is None else _docker.url_errors(url, host_vars.get('opt_docker_tls'),
                                                             host_vars.get('opt_docker_insecure'), lang)
        admin_url = plain(host_vars.get('opt_admin_url'))
        if admin_url not in (None, '') and _configplan.parse_admin_url(admin_url) is None:
            problems.append(msg('admin_url_invalid', lang, url=admin_url))
        domain = plain(host_vars.get('opt_domain'))
        if domain is not None:
            if not isinstance(domain, str) or not _proxyplan.valid_domain(domain):
                problems.append(msg('proxy_domain_invalid', lang, domain=domain))
            problems.extend(_proxyplan.tls_errors(plain(host_vars.get('opt_tls_cert')),
                                                  plain(host_vars.get('opt_tls_key')), lang))
        errors.extend('%s: %s' % (host, problem) for problem in problems)
    return errors


def route_errors(groups, hostvars, lang='en'):
    """The route every Coaxis host gets to each Docker host's client subnet (opt_route's rules):
    opt_docker_host_address must be an IPv4 address outside that subnet. site.yml converges the
    routes last: a bad address found there would come after every Docker host changed."""
    errors = []
    for host in docker_hosts(groups):
        host_vars = hostvars[host]
        address = plain(host_vars.get('opt_docker_host_address'))
        subnet = (host_vars.get('opt_network') or {}).get('subnet')
        if address in (None, '') or _ipplan.parse_ipv4_network(subnet) is None:
            continue  # no route to check, or a subnet the address plan already refuses
        problems = _routeplan.validate_routes([{'dest': subnet, 'via': str(address)}], ROUTES_UNIT, lang)[1]
        errors.extend('%s: %s' % (host, problem) for problem in problems)
    return errors


def coaxis_sources(groups, hostvars, host):
    """The Coaxis hosts allowed to print to ``host``'s clients: its ``opt_coaxis_sources`` when set,
    else the address of every host of the ``coaxis_hosts`` group (``ansible_host``, or its name)."""
    declared = hostvars[host].get('opt_coaxis_sources')
    if declared not in (None, ''):
        return declared
    return [plain(hostvars[name].get('ansible_host')) or name for name in groups.get('coaxis_hosts') or []]


def source_errors(groups, hostvars, lang='en'):
    """opt_coaxis_sources (or the coaxis_hosts group's addresses) of every Docker host."""
    errors = []
    for host in docker_hosts(groups):
        sources = coaxis_sources(groups, hostvars, host)
        if not isinstance(sources, (list, tuple)):
            sources = [sources]
        errors.extend('%s: %s' % (host, e) for e in _fwplan.validate_sources([plain(s) for s in sources], lang))
    return errors


def signing_errors(groups, hostvars, lang='en'):
    """opt_admin_signing_secret of every Docker host that has an opt_admin_url."""
    hosts = docker_hosts(groups)
    plain_vars = dict((host, {'opt_admin_url': plain(hostvars[host].get('opt_admin_url')),
                              'opt_admin_signing_secret': plain(hostvars[host].get('opt_admin_signing_secret'))})
                      for host in hosts)
    return _clientsig.inventory_signing_errors(hosts, plain_vars, lang)
