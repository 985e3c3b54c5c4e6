# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.inventory import (opt_client_specs, opt_coaxis_sources, opt_firewall_clients,
                                                                     opt_volume_names)

HOSTVARS = {
    'acme': {'opt_docker_host': 'dh1', 'opt_ip': '10.128.0.10', 'opt_volume_migrate': True,
             'opt_logs_volume': {'name': 'opt-acme-logs-2', 'type': 'local'}},
    'globex': {'opt_docker_host': 'dh1', 'opt_ip': '10.128.0.11',
               'opt_config_volume': {'type': 'nfs', 'addr': '10.0.0.5', 'export': '/e'}},
}


def test_specs_carry_volumes_and_migrate():
    specs = opt_client_specs(['acme', 'globex'], HOSTVARS, 'dh1',
                             fields=['ip', 'config_volume', 'logs_volume', 'migrate'])
    assert specs == [
        {'name': 'acme', 'ip': '10.128.0.10', 'logs_volume': {'name': 'opt-acme-logs-2', 'type': 'local'},
         'migrate': True},
        {'name': 'globex', 'ip': '10.128.0.11', 'config_volume': {'type': 'nfs', 'addr': '10.0.0.5', 'export': '/e'}},
    ]


def test_volume_names_for_opt_client():
    specs = opt_client_specs(['acme', 'globex'], HOSTVARS, 'dh1', fields=['ip', 'config_volume', 'logs_volume'])
    assert opt_volume_names(specs) == [
        {'name': 'acme', 'ip': '10.128.0.10', 'logs_volume': 'opt-acme-logs-2'},
        {'name': 'globex', 'ip': '10.128.0.11'},  # no name: the default applies, the key is absent
    ]
    assert opt_volume_names([{'name': 'a', 'config_volume': None, 'logs_volume': ''}]) == [{'name': 'a'}]


def test_volume_names_refuses_a_non_dict_volume():
    with pytest.raises(AnsibleFilterError, match='opt_volume_names: logs_volume of acme must be a dict'):
        opt_volume_names([{'name': 'acme', 'logs_volume': 'opt-acme-logs-2'}])


def test_opt_firewall_clients_collects_every_listen_port_and_site():
    specs = [{'name': 'acme', 'ip': '10.128.0.10', 'sites': [
        {'name': 'lyon', 'host': '10.130.0.10', 'printers': [{'listen_port': 9102}, {'listen_port': 9101}]},
        {'name': 'paris', 'host': 'paris.acme.example', 'port': 2222, 'printers': [{'listen_port': 9201}]},
        {'name': 'empty'}]}]
    assert opt_firewall_clients(specs) == [{
        'name': 'acme', 'ip': '10.128.0.10', 'ports': [9101, 9102, 9201],
        'sites': [{'name': 'lyon', 'host': '10.130.0.10', 'port': 22},
                  {'name': 'paris', 'host': 'paris.acme.example', 'port': 2222}]}]


def test_opt_coaxis_sources_are_the_coaxis_hosts_unless_the_docker_host_names_them():
    groups = {'docker_hosts': ['dh1'], 'coaxis_hosts': ['erp-1', 'rds-1']}
    hostvars = {'dh1': {}, 'erp-1': {'ansible_host': '192.168.2.10'}, 'rds-1': {}}
    assert opt_coaxis_sources(groups, hostvars, 'dh1') == ['192.168.2.10', 'rds-1']
    hostvars['dh1'] = {'opt_coaxis_sources': ['192.168.2.8/29']}
    assert opt_coaxis_sources(groups, hostvars, 'dh1') == ['192.168.2.8/29']
    with pytest.raises(AnsibleFilterError, match='opt_coaxis_sources of dh1 must be a list'):
        opt_coaxis_sources(groups, {'dh1': {'opt_coaxis_sources': '192.168.2.10'}}, 'dh1')
    with pytest.raises(AnsibleFilterError, match='opt_coaxis_sources: expects groups'):
        opt_coaxis_sources(groups, hostvars, 'erp-1')


def test_opt_firewall_clients_needs_an_address():
    with pytest.raises(AnsibleFilterError, match='opt_firewall_clients: acme has no address'):
        opt_firewall_clients([{'name': 'acme', 'sites': []}])
