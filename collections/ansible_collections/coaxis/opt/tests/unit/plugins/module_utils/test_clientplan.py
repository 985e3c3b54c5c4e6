# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils._naming import LABEL_HASH
from ansible_collections.coaxis.opt.plugins.module_utils._clientplan import (
    config_hash,
    desired_container,
    engine_used_addresses,
    index_containers,
    named_volumes,
    plan_clients,
)

COMMON = {'network': 'opt-clients', 'image_id': 'sha256:aaa'}


def spec(name='acme', ip='10.128.0.10', **common):
    return desired_container({'name': name, 'ip': ip}, dict(COMMON, **common))


def summary(s, state='running', ip=None, image=None, labels=None, network='opt-clients'):
    """A container list entry as the engine would return it for a container made from spec s."""
    return {
        'Id': 'id-' + s['name'], 'Names': ['/' + s['name']], 'ImageID': image or s['image'], 'State': state,
        'Labels': labels if labels is not None else dict(s['labels']),
        'NetworkSettings': {'Networks': {network: {
            'IPAMConfig': {'IPv4Address': ip or s['ip']}, 'IPAddress': (ip or s['ip']) if state == 'running' else ''}}},
    }


def observed(*summaries):
    return index_containers(list(summaries), 'opt-clients')


def test_desired_container_defaults():
    s = spec()
    assert s['name'] == 'opt-acme'
    assert s['hostname'] == 'acme'
    assert s['mounts'] == [
        {'source': 'opt-acme-config', 'target': '/etc/mast', 'read_only': True},
        {'source': 'opt-acme-logs', 'target': '/var/log/mast', 'read_only': False},
    ]
    assert s['restart_policy'] == 'unless-stopped'
    assert s['labels']['coaxis.opt.client'] == 'acme'
    assert s['labels']['coaxis.opt.managed-by'] == 'coaxis-opt'
    assert s['labels'][LABEL_HASH] == config_hash(s)
    assert len(s['labels'][LABEL_HASH]) == 64


def test_hash_is_stable_and_sensitive():
    assert spec()['labels'][LABEL_HASH] == spec()['labels'][LABEL_HASH]
    assert spec(cap_add=['NET_RAW', 'CHOWN'])['labels'][LABEL_HASH] == spec(cap_add=['CHOWN', 'NET_RAW'])['labels'][LABEL_HASH]
    assert spec()['labels'][LABEL_HASH] != spec(restart_policy='always')['labels'][LABEL_HASH]
    assert spec()['labels'][LABEL_HASH] != spec(container_prefix='x-')['labels'][LABEL_HASH]


def test_extra_labels_and_interface():
    s = desired_container({'name': 'acme', 'ip': '10.128.0.10', 'interface': 'eth-coaxis', 'labels': {'b': '2'}},
                          dict(COMMON, labels={'a': '1'}))
    assert s['interface'] == 'eth-coaxis'
    assert s['labels']['a'] == '1' and s['labels']['b'] == '2'


def test_create_none_start_skip():
    acme, globex, initech, hooli = spec('acme'), spec('globex', '10.128.0.11'), spec('initech', '10.128.0.12'), spec('hooli', '10.128.0.13')
    plan = plan_clients([acme, globex, initech, hooli],
                        observed(summary(globex), summary(initech, state='exited'), summary(hooli, state='exited')),
                        only=['acme', 'globex', 'initech'])
    assert [(p['client'], p['action']) for p in plan] == [
        ('acme', 'create'), ('globex', 'none'), ('initech', 'start'), ('hooli', 'skip')]


def test_only_none_means_all():
    assert [p['action'] for p in plan_clients([spec()], {}, None)] == ['create']


def test_recreate_ip_changed():
    old = spec(ip='10.128.0.10')
    plan = plan_clients([spec(ip='10.128.0.11')], observed(summary(old)))
    assert plan[0]['action'] == 'recreate'
    assert plan[0]['reasons'] == ['ip 10.128.0.10 -> 10.128.0.11']


def test_recreate_image_changed():
    old = spec(image_id='sha256:old')
    plan = plan_clients([spec()], observed(summary(old)))
    assert plan[0]['reasons'] == ['image changed']


def test_recreate_settings_changed():
    old = spec(restart_policy='always')
    plan = plan_clients([spec()], observed(summary(old)))
    assert plan[0]['reasons'] == ['settings changed']


def test_recreate_all_reasons():
    old = spec(ip='10.128.0.9', image_id='sha256:old', cap_add=['NET_ADMIN'])
    plan = plan_clients([spec()], observed(summary(old)))
    assert plan[0]['reasons'] == ['ip 10.128.0.9 -> 10.128.0.10', 'image changed', 'settings changed']


def test_container_detached_from_network_is_recreated():
    s = spec()
    plan = plan_clients([s], observed(summary(s, network='other')))
    assert plan[0]['action'] == 'recreate'


def test_stopped_container_ip_from_ipam_config():
    s = spec()
    assert plan_clients([s], observed(summary(s, state='exited')))[0]['action'] == 'start'


def test_engine_used_addresses():
    acme, globex = spec('acme'), spec('globex', '10.128.0.11')
    attached = {
        'c1': {'name': 'opt-acme', 'ip': '10.128.0.10'},   # own, same ip
        'c2': {'name': 'opt-globex', 'ip': '10.128.0.50'},  # own, will be recreated when in only
        'c3': {'name': 'intruder', 'ip': '10.128.0.11'},
        'c4': {'name': 'nothing', 'ip': None},
    }
    assert engine_used_addresses(attached, [acme, globex]) == {'10.128.0.11': 'intruder'}
    assert engine_used_addresses(attached, [acme, globex], only=['acme']) == {
        '10.128.0.50': 'opt-globex', '10.128.0.11': 'intruder'}


def test_volume_prefix_and_mount_points():
    s = spec(volume_prefix='devtest-', config_mount='/cfg', logs_mount='/logs')
    assert s['mounts'] == [
        {'source': 'devtest-acme-config', 'target': '/cfg', 'read_only': True},
        {'source': 'devtest-acme-logs', 'target': '/logs', 'read_only': False},
    ]


# Hashes of default specs: a client whose inventory names no volume must keep its container
# (same config hash) across upgrades. Re-pinned once when the ping_group_range sysctl joined
# the spec (mast probe's ICMP echo), and once when the resource limits, the bounded log, the
# read-only root filesystem, its tmpfs and the explicit user joined it: every container is
# recreated once by each of those upgrades.
PINNED_IMAGE = 'sha256:' + 'a' * 64


def test_config_hash_of_a_default_client_is_pinned():
    default = desired_container({'name': 'acme', 'ip': '10.128.0.10'},
                                {'network': 'opt-clients', 'image_id': PINNED_IMAGE})
    assert default['labels']['coaxis.opt.config-hash'] == \
        'f57d666eaaf95338daa904e8f0ca4f66c034ce6a0a593ad650002f8622863cca'
    custom = desired_container(
        {'name': 'acme', 'ip': '10.128.0.10', 'interface': 'eth1', 'labels': {'x': 'y'}},
        {'network': 'opt-clients', 'image_id': PINNED_IMAGE, 'volume_prefix': 'devtest-',
         'container_prefix': 'devtest-', 'cap_add': ['NET_ADMIN'], 'labels': {'team': 'ops'}})
    assert custom['labels']['coaxis.opt.config-hash'] == \
        '3cd7d02cbac1d8573479a91a44ff78018c5b6c5d03f12b8b7e7603aad5e7941c'


def test_default_client_hash_is_unchanged_when_the_names_are_absent_empty_or_default():
    pinned = 'f57d666eaaf95338daa904e8f0ca4f66c034ce6a0a593ad650002f8622863cca'
    common = {'network': 'opt-clients', 'image_id': PINNED_IMAGE}
    for extra in ({}, {'config_volume': None, 'logs_volume': None}, {'config_volume': '', 'logs_volume': ''},
                  {'config_volume': 'opt-acme-config', 'logs_volume': 'opt-acme-logs'}):
        s = desired_container(dict({'name': 'acme', 'ip': '10.128.0.10'}, **extra), common)
        assert s['labels'][LABEL_HASH] == pinned, extra
        assert named_volumes(s) == []


def test_named_volumes_are_mounted_and_recreate_the_container():
    default = spec()
    named = desired_container({'name': 'acme', 'ip': '10.128.0.10', 'logs_volume': 'opt-acme-logs-2'}, COMMON)
    assert named['mounts'] == [
        {'source': 'opt-acme-config', 'target': '/etc/mast', 'read_only': True},
        {'source': 'opt-acme-logs-2', 'target': '/var/log/mast', 'read_only': False},
    ]
    assert named_volumes(named) == ['opt-acme-logs-2']
    both = desired_container({'name': 'acme', 'ip': '10.128.0.10', 'config_volume': 'cfg-2', 'logs_volume': 'logs-2'},
                             dict(COMMON, volume_prefix='devtest-'))
    assert [m['source'] for m in both['mounts']] == ['cfg-2', 'logs-2']
    assert named_volumes(both, 'devtest-') == ['cfg-2', 'logs-2']
    item = plan_clients([named], observed(summary(default)))[0]
    assert (item['action'], item['reasons']) == ('recreate', ['settings changed'])
    assert plan_clients([named], observed(summary(named)))[0]['action'] == 'none'


def test_ping_is_allowed_by_a_sysctl_not_a_capability():
    s = desired_container({'name': 'acme', 'ip': '10.128.0.10'}, {'network': 'opt-clients', 'image_id': PINNED_IMAGE})
    assert s['sysctls'] == {'net.ipv4.ping_group_range': '0 2147483647'}
    assert s['cap_add'] == []


def test_answer_plans_only_the_changes_and_reads_back_the_rest():
    from ansible_collections.coaxis.opt.plugins.module_utils._clientplan import answer, plan_actions
    acme, globex, initech = spec(), spec('globex', '10.128.0.11'), spec('initech', '10.128.0.12')
    found = observed(summary(acme), summary(globex, ip='10.128.0.99'))
    items = plan_clients([acme, globex, initech], found, only=['acme', 'globex'])
    reasons = items[1]['reasons']
    assert reasons[0] == 'ip 10.128.0.99 -> 10.128.0.11'
    assert plan_actions(items) == [{'action': 'recreate', 'target': 'container opt-globex', 'reason': ', '.join(reasons)}]
    net = {'subnet': '10.128.0.0/16', 'gateway': '10.128.0.1'}
    clients, lines, before, after = answer(items, found, net, 'coaxis/docker-opt:lab', check_mode=True, lang='fr')
    assert sorted(clients) == ['acme', 'globex']  # initech is skipped
    assert clients['acme']['container_id'] == 'id-opt-acme' and clients['globex']['container_id'] is None
    assert clients['globex']['ip'] == '10.128.0.11' and clients['globex']['reasons'] == reasons
    assert lines[1] == 'globex : conteneur -, IP 10.128.0.11/16 via 10.128.0.1, running (recreate)'
    assert list(before) == list(after) == ['globex'] and before['globex']['ip'] == '10.128.0.99'


def test_a_check_run_before_the_network_exists_says_so_instead_of_none():
    from ansible_collections.coaxis.opt.plugins.module_utils._clientplan import answer
    acme = spec()
    items = plan_clients([acme], observed(), only=['acme'])
    net = {'name': 'opt-clients', 'subnet': None, 'gateway': None}
    lines = answer(items, observed(), net, 'coaxis/docker-opt:lab', check_mode=True)[1]
    assert lines == ['acme: container -, IP 10.128.0.10 (network opt-clients not created yet), running (create)']
