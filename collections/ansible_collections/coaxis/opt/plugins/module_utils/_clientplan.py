# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the client containers of one network: pure functions over plain dicts, no Docker.

A container's desired settings are one dict (the *spec*); its SHA-256 over canonical JSON is
stored as a label, so drift is found from ONE filtered container list, without an inspect per
container.
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _limits, _naming
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# Aliases of _naming's, for the modules that still import them from here.
# The address a client holds, read back to keep an allocated address on later runs.

IFNAME_DRIVER_OPT = 'com.docker.network.endpoint.ifname'
# mast probe pings the sites through an unprivileged ICMP socket: allowed for every group of
# the container's own network namespace, instead of granting NET_RAW (containers drop ALL).
# Some engines set it by default, others not; stating it keeps the probe engine-independent.
SYSCTLS = {'net.ipv4.ping_group_range': '0 2147483647'}
UP_STATES = ('running', 'restarting')
# The container runs as mast (the image's user, stated in the create call) on a read-only root
# filesystem; it writes only to its logs volume and to these size-bounded tmpfs: mast's run
# directory (control socket, the sites' forward sockets, nginx's pid and temporary files) and /tmp.
USER = '10001:10001'
TMPFS = {
    '/run/mast': 'rw,nosuid,nodev,noexec,size=64m,uid=10001,gid=10001,mode=0755',
    '/tmp': 'rw,nosuid,nodev,noexec,size=16m,mode=1777',
}

COMMON_DEFAULTS = {
    'container_prefix': 'opt-',
    'volume_prefix': 'opt-',
    'config_mount': '/etc/mast',
    'logs_mount': '/var/log/mast',
    'restart_policy': 'unless-stopped',
    'cap_add': [],
    'stop_timeout': 10,
    'labels': {},
    'limits': None,
    'log': None,
}


def volume_labels(client_name):
    return _naming.managed_labels(**{_naming.LABEL_CLIENT: client_name})


def config_hash(spec):
    """SHA-256 of the canonical JSON of ``spec`` without the hash label itself."""
    data = dict(spec)
    labels = dict(data.get('labels') or {})
    labels.pop(_naming.LABEL_HASH, None)
    data['labels'] = labels
    canonical = json.dumps(data, sort_keys=True, separators=(',', ':'), ensure_ascii=True)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def desired_container(client, common):
    """The spec of one client's container.

    client: dict(name, ip, interface=None, labels=None, config_volume=None, logs_volume=None);
    the volume names default to _naming.volume_names() (the spec, hence the hash, of a client that
    names no volume is the same as before volumes could be named).
    common: dict(network, image_id, and optionally the keys of COMMON_DEFAULTS); limits and log
    are _limits.limits_spec('client', ...) and _limits.log_spec(...) (their defaults when None).
    """
    settings = dict(COMMON_DEFAULTS)
    settings.update(dict((k, v) for k, v in common.items() if v is not None))
    name = client['name']
    default_config, default_logs = _naming.volume_names(name, settings['volume_prefix'])
    config_volume = client.get('config_volume') or default_config
    logs_volume = client.get('logs_volume') or default_logs
    labels = {}
    labels.update(settings.get('labels') or {})
    labels.update(client.get('labels') or {})
    labels[_naming.LABEL_CLIENT] = name
    labels[_naming.LABEL_MANAGED_BY] = _naming.MANAGED_BY
    labels[_naming.LABEL_IP] = client['ip']
    spec = {
        'client': name,
        'name': _naming.container_name(name, settings['container_prefix']),
        'hostname': name,
        'image': settings['image_id'],
        'network': settings['network'],
        'ip': client['ip'],
        'interface': client.get('interface') or None,
        'mounts': [
            {'source': config_volume, 'target': settings['config_mount'], 'read_only': True},
            {'source': logs_volume, 'target': settings['logs_mount'], 'read_only': False},
        ],
        'restart_policy': settings['restart_policy'],
        'cap_add': sorted(settings.get('cap_add') or []),
        'sysctls': dict(SYSCTLS),
        'stop_timeout': settings['stop_timeout'],
        'limits': settings['limits'] or _limits.limits_spec('client', None),
        'log': settings['log'] or _limits.log_spec(None),
        'user': USER,
        'read_only': True,
        'tmpfs': dict(TMPFS),
        'labels': labels,
    }
    spec['labels'][_naming.LABEL_HASH] = config_hash(spec)
    return spec


def normalize_container(summary, network):
    """The fields the plan needs from one entry of the (filtered) container list."""
    labels = dict(summary.get('Labels') or {})
    names = summary.get('Names') or []
    endpoint = (((summary.get('NetworkSettings') or {}).get('Networks') or {}).get(network)) or {}
    ipam = endpoint.get('IPAMConfig') or {}
    ip = ipam.get('IPv4Address') or endpoint.get('IPAddress') or None
    return {
        'id': summary.get('Id'),
        'name': names[0].lstrip('/') if names else None,
        'client': labels.get(_naming.LABEL_CLIENT),
        'image': summary.get('ImageID'),
        'state': summary.get('State'),
        'ip': ip,
        'on_network': bool(endpoint),
        'hash': labels.get(_naming.LABEL_HASH),
        'labels': labels,
    }


def network_endpoints(summaries, network):
    """The addresses held on ``network`` by the listed containers (any, running or stopped).

    summaries: a container list filtered on the network. A managed container's address is its
    label (what coaxis.opt gave it), else its static IPAM address, else its current address.
    Returns [dict(container, client (None when not managed), ip)].
    """
    endpoints = []
    for summary in summaries:
        container = normalize_container(summary, network)
        managed = container['labels'].get(_naming.LABEL_MANAGED_BY) == _naming.MANAGED_BY
        ip = (container['labels'].get(_naming.LABEL_IP) if managed else None) or container['ip']
        if ip:
            endpoints.append(dict(container=container['name'], client=container['client'] if managed else None,
                                  ip=ip))
    return endpoints


def index_containers(summaries, network):
    """{container name: normalized} from the container list."""
    observed = {}
    for summary in summaries:
        container = normalize_container(summary, network)
        if container['name']:
            observed[container['name']] = container
    return observed


def _recreate_reasons(spec, observed):
    reasons = []
    if observed.get('ip') != spec['ip']:
        reasons.append('ip %s -> %s' % (observed.get('ip') or '(none)', spec['ip']))
    if observed.get('image') != spec['image']:
        reasons.append('image changed')
    # Would the container match if only ip and image were as observed? If not, more changed.
    as_observed = dict(spec)
    as_observed['labels'] = dict(spec['labels'])
    as_observed['ip'] = observed.get('ip')
    as_observed['labels'][_naming.LABEL_IP] = observed.get('ip')
    as_observed['image'] = observed.get('image')
    if config_hash(as_observed) != observed.get('hash'):
        reasons.append('settings changed')
    return reasons


def plan_clients(desired_list, observed_containers, only=None):
    """One action per desired client, in input order.

    desired_list: specs from desired_container().
    observed_containers: index_containers() output (managed containers on the engine).
    only: client names that may be touched (None: all); others get action 'skip'.
    Action: create | recreate | start | none | skip, with 'reasons' for recreate.
    """
    selected = None if only is None else set(only)
    plan = []
    for spec in desired_list:
        observed = observed_containers.get(spec['name'])
        item = {'client': spec['client'], 'name': spec['name'], 'spec': spec, 'observed': observed,
                'reasons': []}
        if selected is not None and spec['client'] not in selected:
            item['action'] = 'skip'
        elif observed is None:
            item['action'] = 'create'
        elif (observed.get('hash') != spec['labels'][_naming.LABEL_HASH] or observed.get('ip') != spec['ip']
              or not observed.get('on_network')):
            item['action'] = 'recreate'
            item['reasons'] = _recreate_reasons(spec, observed)
        elif observed.get('state') not in UP_STATES:
            item['action'] = 'start'
        else:
            item['action'] = 'none'
        plan.append(item)
    return plan


def engine_used_addresses(attached, desired_list, only=None):
    """{ip: container name} for addresses on the network that the plan cannot take over.

    attached: normalize_network()['attached']. A client's own container does not count when it
    already has the desired ip, or when it is in ``only`` (it will be recreated, which frees its
    old address first). Any other container (unmanaged, a skipped client's, a client no longer
    in the inventory) holds its address.
    """
    selected = None if only is None else set(only)
    own = dict((spec['name'], spec) for spec in desired_list)
    used = {}
    for endpoint in attached.values():
        ip = endpoint.get('ip')
        name = (endpoint.get('name') or '').lstrip('/')
        if not ip:
            continue
        spec = own.get(name)
        if spec is not None and (spec['ip'] == ip or selected is None or spec['client'] in selected):
            continue
        used[ip] = name
    return used


def diff_view(spec, observed, state):
    """The per-client fields shown in diff."""
    if spec is None:
        return {'ip': observed.get('ip'), 'image': observed.get('image'), 'state': observed.get('state')}
    return {'ip': spec['ip'], 'image': spec['image'], 'state': state}


def named_volumes(spec, prefix='opt-'):
    """The volumes of a spec that the inventory named (not the default names)."""
    defaults = _naming.volume_names(spec['client'], prefix)
    return [m['source'] for m in spec['mounts'] if m['source'] not in defaults]


def changed_actions():
    return ('create', 'recreate', 'start')


def client_result(item, observed, net, image, check_mode):
    """The answer's entry of one client: read back from the engine (``observed``: index_containers()'s
    entry), or planned in check mode."""
    spec = item['spec']
    if check_mode and item['action'] in changed_actions():
        keep = item['action'] == 'start'
        observed = {'id': item['observed']['id'] if keep else None, 'ip': spec['ip'], 'image': spec['image'],
                    'state': 'running'}
    observed = observed or {}
    return {
        'container_id': observed.get('id'),
        'container_name': spec['name'],
        'ip': observed.get('ip'),
        'prefix': _ipplan.prefix_length(net['subnet']) if net['subnet'] else None,
        'gateway': net['gateway'],
        'image': image,
        'image_id': observed.get('image'),
        'state': observed.get('state'),
        'action': item['action'],
        'reasons': item['reasons'],
    }


def plan_actions(plan):
    """The module's plan: one item per client that changes (create, recreate, start)."""
    return [{'action': item['action'], 'target': 'container %s' % item['name'],
             'reason': ', '.join(item['reasons']) or None}
            for item in plan if item['action'] in changed_actions()]


def answer(plan, final, net, image, check_mode, lang='en'):
    """(clients, summary lines, diff before, diff after) of the answer, from the plan and the
    containers as found after it (``final``: index_containers(); the planned values in check mode)."""
    results, before, after = {}, {}, {}
    for item in plan:
        if item['action'] == 'skip':
            continue
        entry = results[item['client']] = client_result(item, final.get(item['name']), net, image, check_mode)
        if item['action'] in changed_actions():
            before[item['client']] = diff_view(None, item['observed'], None) if item['observed'] else {}
            after[item['client']] = {'ip': entry['ip'], 'image': entry['image_id'], 'state': entry['state']}
    # A check run on a new Docker host: its network is only planned, its prefix and gateway unknown here.
    key = 'client_summary' if net['subnet'] else 'client_summary_no_network'
    lines = [msg(key, lang, client=name, container_id=entry['container_id'] or '-', ip=entry['ip'],
                 prefix=entry['prefix'], gateway=entry['gateway'], network=net.get('name'), state=entry['state'],
                 action=entry['action'])
             for name, entry in results.items()]
    return results, lines, before, after
