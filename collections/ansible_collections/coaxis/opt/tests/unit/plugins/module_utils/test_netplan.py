# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._netplan import (
    create_body,
    create_labels,
    create_options,
    desired_network,
    normalize_network,
    plan_network,
)


def inspect(**over):
    data = {
        'Name': 'opt-clients', 'Id': 'abc123', 'Driver': 'bridge',
        'IPAM': {'Driver': 'default', 'Config': [{'Subnet': '10.128.0.0/16', 'Gateway': '10.128.0.1'}]},
        'Options': {'com.docker.network.bridge.name': 'br-opt', 'com.docker.network.bridge.enable_icc': 'false'},
        'Labels': {'coaxis.opt.managed-by': 'coaxis-opt', 'env': 'lab'},
        'Containers': {},
    }
    data.update(over)
    return data


def desired(**over):
    params = {'name': 'opt-clients', 'subnet': '10.128.0.0/16', 'bridge_name': 'br-opt', 'icc': False,
              'labels': {'env': 'lab'}, 'recreate': 'never'}
    params.update(over)
    return desired_network(params, over.get('gateway', '10.128.0.1'))


def test_normalize():
    observed = normalize_network(inspect(Containers={'c1': {'Name': 'opt-acme', 'IPv4Address': '10.128.0.10/16'}}))
    assert observed['subnet'] == '10.128.0.0/16'
    assert observed['gateway'] == '10.128.0.1'
    assert observed['ip_range'] is None
    assert observed['bridge_name'] == 'br-opt'
    assert observed['icc'] is False
    assert observed['interface_prefix'] is None
    assert observed['attached'] == {'c1': {'name': 'opt-acme', 'ip': '10.128.0.10'}}


def test_normalize_defaults_icc_true_and_skips_ipv6():
    observed = normalize_network(inspect(Options={}, IPAM={'Config': [
        {'Subnet': 'fd00::/64'}, {'Subnet': '10.128.0.0/16', 'Gateway': '10.128.0.1', 'IPRange': '10.128.1.0/24'}]}))
    assert observed['icc'] is True
    assert observed['subnet'] == '10.128.0.0/16'
    assert observed['ip_range'] == '10.128.1.0/24'


def test_absent_is_created():
    assert plan_network(desired(), None)['action'] == 'create'


def test_same_is_none():
    assert plan_network(desired(), normalize_network(inspect())) == {'action': 'none', 'differences': [], 'message': ''}


def test_missing_managed_label_is_fine():
    observed = normalize_network(inspect(Labels={'env': 'lab'}))
    assert plan_network(desired(), observed)['action'] == 'none'


def test_extra_labels_on_engine_are_fine_missing_desired_label_is_drift():
    observed = normalize_network(inspect(Labels={'env': 'lab', 'other': 'x'}))
    assert plan_network(desired(), observed)['action'] == 'none'
    plan = plan_network(desired(labels={'env': 'prod'}), observed)
    assert plan['differences'] == [{'field': 'labels.env', 'before': 'lab', 'after': 'prod'}]


def test_drift_with_containers_is_an_error_never_recreated():
    observed = normalize_network(inspect(Containers={
        'c1': {'Name': 'opt-acme', 'IPv4Address': '10.128.0.10/16'},
        'c2': {'Name': 'opt-globex', 'IPv4Address': '10.128.0.11/16'}}))
    plan = plan_network(desired(subnet='10.128.0.0/17', icc=True, recreate='when_empty'), observed)
    assert plan['action'] == 'error'
    assert plan['differences'] == [
        {'field': 'subnet', 'before': '10.128.0.0/16', 'after': '10.128.0.0/17'},
        {'field': 'icc', 'before': False, 'after': True},
    ]
    assert plan['message'] == (
        'network opt-clients differs from the inventory (subnet: engine 10.128.0.0/16, inventory 10.128.0.0/17; '
        'icc: engine false, inventory true) and 2 container(s) are attached: it is never recreated with '
        'containers on it; fix the inventory or move the containers off')


def test_drift_without_containers_never():
    plan = plan_network(desired(bridge_name=None), normalize_network(inspect()))
    assert plan['action'] == 'error'
    assert 'bridge_name: engine br-opt, inventory (unset)' in plan['message']
    assert 'recreate=when_empty' in plan['message']


def test_drift_without_containers_when_empty():
    plan = plan_network(desired(ip_range='10.128.1.0/24', recreate='when_empty'), normalize_network(inspect()))
    assert plan['action'] == 'recreate'
    assert plan['differences'] == [{'field': 'ip_range', 'before': None, 'after': '10.128.1.0/24'}]


def test_driver_and_prefix_drift_in_french():
    observed = normalize_network(inspect(Driver='macvlan'))
    plan = plan_network(desired(interface_prefix='eth-opt'), observed, lang='fr')
    assert [d['field'] for d in plan['differences']] == ['driver', 'interface_prefix']
    assert plan['message'].startswith("le réseau opt-clients diffère de l'inventaire (driver : moteur macvlan")


def test_create_options_and_labels():
    want = desired(interface_prefix='eth')
    assert create_options(want) == {
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.name': 'br-opt',
        'com.docker.network.container_iface_prefix': 'eth',
    }
    assert create_labels(want) == {'env': 'lab', 'coaxis.opt.managed-by': 'coaxis-opt'}


def test_the_create_call_turns_ipv6_off_explicitly():
    body = create_body(desired(ip_range='10.128.1.0/24'))
    assert body['EnableIPv6'] is False
    assert body['IPAM'] == {'Driver': 'default', 'Options': {}, 'Config': [
        {'Subnet': '10.128.0.0/16', 'Gateway': '10.128.0.1', 'IPRange': '10.128.1.0/24'}]}
    assert body['Options'] == create_options(desired()) and body['Labels'] == create_labels(desired())
    assert 'IPRange' not in create_body(desired())['IPAM']['Config'][0]


@pytest.mark.parametrize('recreate', ['never', 'when_empty'])
@pytest.mark.parametrize('containers', [{}, {'c1': {'Name': 'opt-acme', 'IPv4Address': '10.128.0.10/16'}}])
def test_a_network_with_ipv6_on_is_refused_never_recreated(recreate, containers):
    observed = normalize_network(inspect(EnableIPv6=True, Containers=containers))
    assert observed['ipv6'] is True and normalize_network(inspect())['ipv6'] is False
    plan = plan_network(desired(recreate=recreate), observed)
    assert plan['action'] == 'error'
    assert plan['differences'] == [{'field': 'ipv6', 'before': True, 'after': False}]
    assert plan['message'].startswith('network opt-clients has IPv6 enabled: the client network must be IPv4 only')
    assert plan_network(desired(), observed, lang='fr')['message'].startswith(
        'le réseau opt-clients a IPv6 activé')
