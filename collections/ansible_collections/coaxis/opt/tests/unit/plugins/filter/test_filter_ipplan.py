# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.ipplan import FilterModule, opt_validate_clients, subdomain_errors

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
