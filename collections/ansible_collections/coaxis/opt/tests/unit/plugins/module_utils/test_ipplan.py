# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import (
    default_gateway,
    valid_client_name,
    validate_clients,
    validate_network,
)

NET = {'name': 'opt-clients', 'subnet': '10.128.0.0/16'}


def errors_for(clients, network=None, engine_used=None, lang='en'):
    return validate_clients(network or NET, clients, engine_used or {}, lang)


@pytest.mark.parametrize('name', ['ac', 'acme', 'a-b', 'client-42', 'a' * 32, '0x'])
def test_good_names(name):
    assert valid_client_name(name)


@pytest.mark.parametrize('name', ['a', '', '-acme', 'acme-', 'Acme', 'ac_me', 'ac.me', 'a' * 33, 'ac me', 'é', None])
def test_bad_names(name):
    assert not valid_client_name(name)


def test_valid_plan_has_no_error():
    clients = [{'name': 'acme', 'ip': '10.128.0.10'}, {'name': 'globex', 'ip': '10.128.0.11'}]
    assert errors_for(clients) == []


@pytest.mark.parametrize('ip, expected', [
    ('10.128.0.0', 'acme: 10.128.0.0 is the network address of 10.128.0.0/16'),
    ('10.128.255.255', 'acme: 10.128.255.255 is the broadcast address of 10.128.0.0/16'),
    ('10.128.0.1', 'acme: 10.128.0.1 is the gateway of 10.128.0.0/16'),
    ('10.129.0.5', 'acme: 10.129.0.5 is outside the subnet 10.128.0.0/16'),
    ('10.128.0.256', 'acme: 10.128.0.256 is not a valid IPv4 address'),
    ('10.128.0.010', 'acme: 10.128.0.010 is not a valid IPv4 address'),
    ('10.128.10', 'acme: 10.128.10 is not a valid IPv4 address'),
    ('fe80::1', 'acme: fe80::1 is not a valid IPv4 address'),
    ('', 'acme: no ip address given'),
])
def test_one_bad_address(ip, expected):
    assert errors_for([{'name': 'acme', 'ip': ip}]) == [expected]


def test_custom_gateway_and_ip_range():
    network = dict(NET, gateway='10.128.0.254', ip_range='10.128.1.0/24')
    errors = errors_for([
        {'name': 'acme', 'ip': '10.128.0.254'},
        {'name': 'globex', 'ip': '10.128.1.20'},
        {'name': 'initech', 'ip': '10.128.0.1'},
    ], network)
    assert errors == [
        'acme: 10.128.0.254 is the gateway of 10.128.0.0/16',
        'acme: 10.128.0.254 is outside the ip_range 10.128.1.0/24 of 10.128.0.0/16',
        'initech: 10.128.0.1 is outside the ip_range 10.128.1.0/24 of 10.128.0.0/16',
    ]


def test_duplicates_name_both_clients():
    errors = errors_for([{'name': 'acme', 'ip': '10.128.0.10'}, {'name': 'globex', 'ip': '10.128.0.10'}])
    assert errors == ['globex: 10.128.0.10 is also the address of client acme']


def test_duplicate_client_name_reported_once():
    errors = errors_for([{'name': 'acme', 'ip': '10.128.0.10'}, {'name': 'acme', 'ip': '10.128.0.11'}])
    assert errors == ['acme: the client is listed 2 times']


def test_engine_used_address():
    errors = errors_for([{'name': 'acme', 'ip': '10.128.0.10'}], engine_used={'10.128.0.10': 'intruder'})
    assert errors == ['acme: 10.128.0.10 is already used on the engine by container intruder']


def test_all_errors_are_collected():
    errors = errors_for([
        {'name': '-bad', 'ip': '10.128.0.0'},
        {'name': 'globex', 'ip': 'nope'},
        {'name': 'initech', 'ip': '10.128.0.1'},
        {'name': 'hooli', 'ip': '10.128.0.5', 'interface': 'this-name-is-too-long'},
    ])
    assert len(errors) == 5
    assert errors[0].startswith('-bad: invalid client name')
    assert errors[-1].startswith('hooli: invalid interface name this-name-is-too-long')


def test_french_messages():
    errors = errors_for([{'name': 'acme', 'ip': '10.128.0.0'}], lang='fr')
    assert errors == ["acme : 10.128.0.0 est l'adresse de réseau de 10.128.0.0/16"]


def test_default_gateway():
    assert default_gateway('10.128.0.0/16') == '10.128.0.1'


def test_network_ok():
    assert validate_network(dict(NET, gateway='10.128.0.1', ip_range='10.128.4.0/22', bridge_name='br-opt')) == []


def test_network_all_errors():
    errors = validate_network({'name': 'opt', 'subnet': '10.128.0.0/16', 'gateway': '10.1.0.1',
                               'ip_range': '10.200.0.0/24', 'bridge_name': 'a-very-long-bridge-name'})
    assert errors == [
        'network opt: gateway 10.1.0.1 is outside the subnet 10.128.0.0/16',
        'network opt: ip_range 10.200.0.0/24 is not inside the subnet 10.128.0.0/16',
        "network opt: invalid bridge name a-very-long-bridge-name: use 1 to 15 characters, letters, digits, "
        "'-', '_' or '.'",
    ]


@pytest.mark.parametrize('network, start', [
    ({'name': 'opt', 'subnet': '10.128.0.5/16'}, 'network opt: subnet 10.128.0.5/16 is not a network address; did you mean 10.128.0.0/16?'),
    ({'name': 'opt', 'subnet': '10.128.0.0'}, 'network opt: subnet 10.128.0.0 is not a valid IPv4 network'),
    ({'name': 'opt', 'subnet': '10.128.0.0/31'}, 'network opt: subnet 10.128.0.0/31 is not a valid IPv4 network'),
    ({'name': 'opt', 'subnet': '10.128.0.0/16', 'gateway': '10.128.0.0'},
     'network opt: gateway 10.128.0.0 is the network or broadcast address of 10.128.0.0/16'),
    ({'name': 'opt', 'subnet': '10.128.0.0/16', 'ip_range': '10.128.0.7/24'},
     'network opt: ip_range 10.128.0.7/24 is not a valid IPv4 network'),
    ({'name': '-opt', 'subnet': '10.128.0.0/16'}, 'invalid network name -opt'),
])
def test_network_one_error(network, start):
    errors = validate_network(network)
    assert len(errors) == 1 and errors[0].startswith(start)
