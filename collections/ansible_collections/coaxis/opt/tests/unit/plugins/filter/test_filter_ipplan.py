# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.ipplan import (FilterModule, fleet_address_errors, fleet_overlap_errors,
                                                                  inventory_errors, opt_validate_clients, subdomain_errors)

NET = {'subnet': '10.128.0.0/16'}


def test_registered():
    assert FilterModule().filters()['opt_validate_clients'] is opt_validate_clients


def test_valid_plan_is_returned_unchanged():
    clients = [{'name': 'acme', 'ip': '10.128.0.10'}]
    assert opt_validate_clients(clients, NET) is clients


def test_every_problem_is_listed():
    with pytest.raises(AnsibleFilterError) as info:
        opt_validate_clients([{'name': 'acme', 'ip': '10.128.0.0'}, {'name': 'globex', 'ip': '10.128.0.1'}], NET)
    assert str(info.value) == (
        'opt_validate_clients: 2 problem(s): acme: 10.128.0.0 is the network address of 10.128.0.0/16; '
        'globex: 10.128.0.1 is the gateway of 10.128.0.0/16')


def test_french_keeps_the_filter_prefix_and_engine_used():
    with pytest.raises(AnsibleFilterError) as info:
        opt_validate_clients([{'name': 'acme', 'ip': '10.128.0.7'}], NET, {'10.128.0.7': 'other'}, 'fr')
    assert str(info.value).startswith('opt_validate_clients: 1 problème(s) : acme : 10.128.0.7 est déjà utilisée')


@pytest.mark.parametrize('clients, network', [('nope', NET), ([{'name': 'acme', 'ip': '10.128.0.7'}], {})])
def test_bad_input(clients, network):
    with pytest.raises(AnsibleFilterError, match='^opt_validate_clients: '):
        opt_validate_clients(clients, network)


def test_subdomains_are_dns_labels_unique_in_the_whole_inventory():
    groups = {'opt_clients': ['acme', 'globex', 'initech', 'bad']}
    hostvars = {'acme': {}, 'globex': {'opt_subdomain': 'acme'}, 'initech': {'opt_subdomain': 'initech'},
                'bad': {'opt_subdomain': 'Bad_Sub'}}
    assert subdomain_errors(groups, hostvars) == [
        'globex: subdomain acme is already the subdomain of acme',
        "bad: subdomain 'Bad_Sub' is not a DNS label (1-63 of a-z, 0-9 and -, no dash at either end)"]


def test_the_back_office_subdomain_is_refused_where_the_admin_interface_is_served():
    groups = {'opt_clients': ['opt', 'acme'], 'docker_hosts': ['dh']}
    hostvars = {'opt': {'opt_docker_host': 'dh'}, 'acme': {'opt_docker_host': 'dh'},
                'dh': {'opt_admin_url': 'http://10.129.0.20:8000', 'opt_domain': 'coaxis.test'}}
    errors = subdomain_errors(groups, hostvars)
    assert len(errors) == 1 and errors[0].startswith('opt: ') and 'opt.coaxis.test' in errors[0]
    hostvars['dh'] = {'opt_domain': 'coaxis.test'}  # no admin interface: opt is a subdomain like any
    assert subdomain_errors(groups, hostvars) == []


def fleet(*subnets):
    hosts = ['dh%d' % i for i in range(len(subnets))]
    return hosts, {host: {'opt_network': {'name': 'opt-clients', 'subnet': subnet}, 'opt_coaxis_sources': ['10.129.0.10']}
                   for host, subnet in zip(hosts, subnets)}


def test_docker_hosts_with_their_own_subnets_pass():
    hosts, hostvars = fleet('10.100.0.0/16', '10.101.0.0/16', '10.102.0.0/24')
    assert fleet_overlap_errors(hosts, hostvars) == []


def test_overlapping_subnets_of_two_docker_hosts_are_refused_in_both_languages():
    hosts, hostvars = fleet('10.100.0.0/16', '10.101.0.0/16', '10.100.128.0/17')
    assert fleet_overlap_errors(hosts, hostvars) == [
        'dh2: network opt-clients: subnet 10.100.128.0/17 overlaps the client subnet 10.100.0.0/16 of Docker '
        'host dh0; each Docker host needs a subnet of its own (the Coaxis hosts route each one through its '
        'Docker host)']
    assert "chevauche le sous-réseau client 10.100.0.0/16 de l'hôte Docker dh0" in fleet_overlap_errors(hosts, hostvars, 'fr')[0]


def test_a_subnet_inside_a_wider_one_after_a_third_is_found():
    # Sorted by first address: the wide one must stay the reference past the small one in between.
    hosts, hostvars = fleet('10.0.0.0/8', '10.1.0.0/16', '10.200.0.0/16')
    assert [e.split(':')[0] for e in fleet_overlap_errors(hosts, hostvars)] == ['dh1', 'dh2']


def test_an_invalid_subnet_is_left_to_its_host_checks():
    hosts, hostvars = fleet('10.100.0.0/16', 'nonsense')
    assert fleet_overlap_errors(hosts, hostvars) == []


def test_the_inventory_check_includes_the_fleet_rule():
    hosts, hostvars = fleet('10.100.0.0/16', '10.100.0.0/16')
    errors, host_count, client_count = inventory_errors({'docker_hosts': hosts, 'opt_clients': []}, hostvars)
    assert host_count == 2 and client_count == 0
    assert errors == [e for e in errors if 'overlaps the client subnet 10.100.0.0/16 of Docker host dh0' in e] and errors


def test_two_docker_hosts_with_one_coaxis_lan_address_are_refused():
    hosts, hostvars = fleet('10.100.0.0/16', '10.101.0.0/16', '10.102.0.0/16')
    for host, address in zip(hosts, ('10.170.0.11', '10.170.0.12', '10.170.0.11')):
        hostvars[host]['opt_docker_host_address'] = address
    assert fleet_address_errors(hosts, hostvars) == [
        'dh2: opt_docker_host_address 10.170.0.11 is also the address of dh0: each Docker host needs its own '
        'address on the Coaxis LAN (the Coaxis hosts route its client subnet through it)']
    errors = inventory_errors({'docker_hosts': hosts, 'opt_clients': []}, hostvars)[0]
    assert [e.split(':')[0] for e in errors] == ['dh2']
    del hostvars['dh2']['opt_docker_host_address']
    assert fleet_address_errors(hosts, hostvars) == []
