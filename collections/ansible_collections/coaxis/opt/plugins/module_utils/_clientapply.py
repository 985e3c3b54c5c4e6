# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine side of opt_client: read the state in a few calls, execute a plan.

Nothing here decides anything: decisions are in _clientplan (pure); this file only reads the
engine and executes actions.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.coaxis.opt.plugins.module_utils import _clientplan, _docker, _ipplan, _limits, _naming, _netplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._contract import Refused

IFNAME_MIN_API = '1.48'


class PlanRefused(Refused):
    """An operator error found while reading the engine (message already rendered)."""


def read_state(client, network, image, url, lang):
    """One network inspect, one image get, one filtered container list, one volume list.

    state['network'] is None when the network does not exist.
    """
    try:
        net = _netplan.normalize_network(client.api.inspect_network(network))
    except _docker.NotFound:
        net = None
    if net is not None and net['name'] != network:
        net = None
    if net is not None and not net['subnet']:
        raise PlanRefused(msg('network_no_ipv4', lang, network=network, url=url))
    if net is not None:
        net['gateway'] = net['gateway'] or _ipplan.default_gateway(net['subnet'])
    try:
        image_id = client.api.inspect_image(image)['Id']
    except _docker.NotFound:
        raise PlanRefused(msg('image_missing', lang, image=image, url=url)) from None
    summaries = _naming.managed_containers(client)
    volumes = (client.api.volumes() or {}).get('Volumes') or []
    return {
        'network': net,
        'image_id': image_id,
        'containers': _clientplan.index_containers(summaries, network),
        'volumes': set(volume['Name'] for volume in volumes),
    }


def unmanaged_name_clashes(state, specs, lang):
    """Desired container names already used by an unmanaged container on the network."""
    managed = state['containers']
    errors = []
    attached = (state['network'] or {}).get('attached') or {}
    attached_names = set((e.get('name') or '').lstrip('/') for e in attached.values())
    for spec in specs:
        if spec['name'] in attached_names and spec['name'] not in managed:
            errors.append(msg('container_name_taken', lang, client=spec['client'], container=spec['name']))
    return errors


def interface_errors(client, specs, lang):
    """Per-endpoint interface names need Docker Engine 28.0 (API 1.48)."""
    wanted = [spec for spec in specs if spec.get('interface')]
    if not wanted:
        return []
    engine, api = _docker.engine_versions(client)
    if _docker.api_at_least(api, IFNAME_MIN_API):
        return []
    return [msg('interface_unsupported', lang, client=spec['client'], interface=spec['interface'],
                engine=engine, api=api) for spec in wanted]


def _create_volumes(client, spec, existing):
    for mount in spec['mounts']:
        if mount['source'] not in existing:
            client.api.create_volume(name=mount['source'], driver='local',
                                     labels=_clientplan.volume_labels(spec['client']))


def _create(client, spec, existing_volumes):
    types = _docker.docker.types
    _create_volumes(client, spec, existing_volumes)
    mounts = [types.Mount(target=m['target'], source=m['source'], type='volume', read_only=m['read_only'])
              for m in spec['mounts']]
    host_config = client.api.create_host_config(
        network_mode=spec['network'],
        mounts=mounts,
        restart_policy={'Name': spec['restart_policy'], 'MaximumRetryCount': 0},
        cap_drop=['ALL'],
        cap_add=spec['cap_add'] or None,
        sysctls=spec.get('sysctls') or None,
        security_opt=['no-new-privileges:true'],
        privileged=False,
        read_only=spec['read_only'],
        tmpfs=spec['tmpfs'],
        **_limits.host_config_args(spec['limits'], spec['log'])
    )
    driver_opt = {_clientplan.IFNAME_DRIVER_OPT: spec['interface']} if spec.get('interface') else None
    networking_config = client.api.create_networking_config({
        spec['network']: client.api.create_endpoint_config(ipv4_address=spec['ip'], driver_opt=driver_opt),
    })
    created = client.api.create_container(
        image=spec['image'], name=spec['name'], hostname=spec['hostname'], labels=spec['labels'],
        host_config=host_config, networking_config=networking_config, stop_timeout=spec['stop_timeout'],
        user=spec['user'], detach=True,
    )
    client.api.start(created['Id'])


def _run(step, item, url, lang):
    """Run step(item); return an operator message or None."""
    try:
        step(item)
    except (_docker.DockerException, _docker.RequestException) as exc:
        return msg('apply_failed', lang, client=item['client'], action=item['action'],
                   error=_docker.docker_error_message(exc, url, item['action'], lang))
    return None


def apply_plan(client, plan, state, workers, url, lang):
    """Execute the plan; return the list of operator messages of the steps that failed.

    Removals of recreated containers run first (a swap of two addresses then works), then the
    creates and starts run in a pool of ``workers`` threads.
    """
    volumes = state['volumes']

    def remove(item):
        old = item['observed']
        client.api.stop(old['id'], timeout=item['spec']['stop_timeout'])
        client.api.remove_container(old['id'], v=False)  # never the named volumes

    def converge(item):
        if item['action'] == 'start':
            client.api.start(item['observed']['id'])
        else:
            _create(client, item['spec'], volumes)

    errors = []
    failed = set()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        recreates = [item for item in plan if item['action'] == 'recreate']
        for item, error in zip(recreates, pool.map(lambda i: _run(remove, i, url, lang), recreates)):
            if error:
                errors.append(error)
                failed.add(item['client'])
        todo = [item for item in plan if item['action'] in _clientplan.changed_actions() and item['client'] not in failed]
        errors.extend(error for error in pool.map(lambda i: _run(converge, i, url, lang), todo) if error)
    return errors


def read_containers(client, network):
    return _clientplan.index_containers(_naming.managed_containers(client), network)
