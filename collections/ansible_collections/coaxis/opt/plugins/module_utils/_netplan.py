# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the client network: pure functions over plain dicts, no Docker.

``normalize_network()`` turns a Docker network inspect into the compared fields;
``plan_network()`` decides create / none / recreate / error. Drift is never silently fixed:
a network with containers attached is never recreated, and a network with IPv6 on is refused
(the firewall filters IPv4 only), never recreated.
"""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

MANAGED_BY_LABEL = 'coaxis.opt.managed-by'
MANAGED_BY = 'coaxis-opt'

OPT_BRIDGE_NAME = 'com.docker.network.bridge.name'
OPT_ICC = 'com.docker.network.bridge.enable_icc'
OPT_IFACE_PREFIX = 'com.docker.network.container_iface_prefix'

# The client network as the inventory declares it (opt_network's options, opt_ipplan's
# ``network`` suboptions): one argument spec for both.
NETWORK_OPTIONS = dict(
    name=dict(type='str', required=True),
    subnet=dict(type='str', required=True),
    gateway=dict(type='str'),
    ip_range=dict(type='str'),
    bridge_name=dict(type='str'),
    interface_prefix=dict(type='str'),
)

COMPARED_FIELDS = ('driver', 'subnet', 'gateway', 'ip_range', 'bridge_name', 'icc', 'interface_prefix')


def _docker_bool(value, default):
    if value is None:
        return default
    return str(value).strip().lower() in ('1', 'true', 'yes', 'on')


def normalize_network(inspect):
    """Compared fields of a network inspect dict (first IPv4 IPAM config)."""
    options = inspect.get('Options') or {}
    subnet = gateway = ip_range = None
    for config in (inspect.get('IPAM') or {}).get('Config') or []:
        candidate = config.get('Subnet') or ''
        if '.' in candidate and ':' not in candidate:
            subnet = candidate
            gateway = config.get('Gateway') or None
            ip_range = config.get('IPRange') or None
            break
    containers = inspect.get('Containers') or {}
    attached = {}
    for container_id, endpoint in containers.items():
        address = (endpoint.get('IPv4Address') or '').split('/')[0] or None
        attached[container_id] = {'name': endpoint.get('Name'), 'ip': address}
    return {
        'id': inspect.get('Id'),
        'name': inspect.get('Name'),
        'driver': inspect.get('Driver'),
        'subnet': subnet,
        'gateway': gateway,
        'ip_range': ip_range,
        'bridge_name': options.get(OPT_BRIDGE_NAME) or None,
        # Docker's bridge driver enables ICC unless told otherwise
        'icc': _docker_bool(options.get(OPT_ICC), True),
        'interface_prefix': options.get(OPT_IFACE_PREFIX) or None,
        # The firewall filters IPv4 only: the client network must have IPv6 off.
        'ipv6': bool(inspect.get('EnableIPv6')),
        'labels': dict(inspect.get('Labels') or {}),
        'attached': attached,
    }


def engine_subnets(network_list):
    """{name: first IPv4 subnet} of the engine's networks (from the network list)."""
    subnets = {}
    for network in network_list:
        for config in (network.get('IPAM') or {}).get('Config') or []:
            subnet = config.get('Subnet') or ''
            if '.' in subnet and ':' not in subnet:
                subnets[network.get('Name')] = subnet
                break
    return subnets


def desired_network(params, gateway):
    """The desired dict from module parameters (gateway already defaulted)."""
    labels = dict(params.get('labels') or {})
    return {
        'name': params['name'],
        'driver': 'bridge',
        'subnet': params['subnet'],
        'gateway': gateway,
        'ip_range': params.get('ip_range') or None,
        'bridge_name': params.get('bridge_name') or None,
        'icc': bool(params.get('icc')),
        'interface_prefix': params.get('interface_prefix') or None,
        'ipv6': False,
        'labels': labels,
        'recreate': params.get('recreate') or 'never',
    }


def create_labels(desired):
    """Labels set on create: the inventory's plus the managed-by label."""
    labels = dict(desired.get('labels') or {})
    labels[MANAGED_BY_LABEL] = MANAGED_BY
    return labels


def create_options(desired):
    """Driver options set on create."""
    options = {OPT_ICC: 'true' if desired.get('icc') else 'false'}
    if desired.get('bridge_name'):
        options[OPT_BRIDGE_NAME] = desired['bridge_name']
    if desired.get('interface_prefix'):
        options[OPT_IFACE_PREFIX] = desired['interface_prefix']
    return options


def create_body(desired):
    """The body of the engine's network create call, with IPv6 off explicitly (EnableIPv6 false)."""
    pool = {'Subnet': desired['subnet'], 'Gateway': desired['gateway']}
    if desired.get('ip_range'):
        pool['IPRange'] = desired['ip_range']
    return {
        'Name': desired['name'],
        'Driver': 'bridge',
        'Options': create_options(desired),
        'IPAM': {'Driver': 'default', 'Config': [pool], 'Options': {}},
        'CheckDuplicate': True,
        'EnableIPv6': False,
        'Labels': create_labels(desired),
    }


def network_differences(desired, observed):
    differences = []
    for field in COMPARED_FIELDS:
        if desired.get(field) != observed.get(field):
            differences.append({'field': field, 'before': observed.get(field), 'after': desired.get(field)})
    observed_labels = observed.get('labels') or {}
    for key, value in sorted((desired.get('labels') or {}).items()):
        if observed_labels.get(key) != value:
            differences.append({'field': 'labels.%s' % key, 'before': observed_labels.get(key), 'after': value})
    return differences


def _show(value, lang):
    if value is None:
        return msg('value_unset', lang)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def describe_differences(differences, lang='en'):
    return '; '.join(
        msg('net_difference', lang, field=d['field'], before=_show(d['before'], lang),
            after=_show(d['after'], lang))
        for d in differences
    )


def plan_network(desired, observed, lang='en'):
    """Decide what to do with one network.

    desired: see desired_network(); observed: None (absent) or normalize_network() output.
    Returns dict(action=create|none|recreate|error, differences=[{field, before, after}], message).
    """
    if observed is None:
        return {'action': 'create', 'differences': [], 'message': ''}
    if observed.get('ipv6'):
        # IPv6 on is refused whatever ``recreate`` says: never recreated, never ignored.
        differences = [{'field': 'ipv6', 'before': True, 'after': False}]
        return {'action': 'error', 'differences': differences, 'message': msg('net_ipv6_on', lang, network=desired['name'])}
    differences = network_differences(desired, observed)
    if not differences:
        return {'action': 'none', 'differences': [], 'message': ''}
    described = describe_differences(differences, lang)
    attached = len(observed.get('attached') or {})
    if attached:
        message = msg('net_drift_attached', lang, network=desired['name'], differences=described, count=attached)
        return {'action': 'error', 'differences': differences, 'message': message}
    if desired.get('recreate') == 'when_empty':
        return {'action': 'recreate', 'differences': differences, 'message': ''}
    message = msg('net_drift_never', lang, network=desired['name'], differences=described)
    return {'action': 'error', 'differences': differences, 'message': message}


def network_view(state):
    """The fields shown in diff and in the result."""
    if state is None:
        return {}
    view = dict((field, state.get(field)) for field in ('name',) + COMPARED_FIELDS + ('ipv6',))
    view['labels'] = dict(state.get('labels') or {})
    return view


def result_network(state):
    """The network as a module answers it."""
    keys = ('id', 'name', 'subnet', 'gateway', 'ip_range', 'bridge_name', 'icc', 'ipv6')
    return dict((key, state.get(key)) for key in keys)
