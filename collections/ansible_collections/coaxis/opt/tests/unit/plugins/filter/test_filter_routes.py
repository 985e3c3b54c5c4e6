# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.routes import opt_coaxis_routes

HOSTVARS = {
    'docker-1': {'opt_network': {'name': 'opt-clients', 'subnet': '172.16.0.0/16'}, 'opt_docker_host_address': '192.168.2.156'},
    'docker-2': {'opt_network': {'name': 'opt-clients', 'subnet': '172.17.0.0/16'}, 'opt_docker_host_address': '192.168.2.157'},
    'bare': {},
    'no-address': {'opt_network': {'subnet': '172.18.0.0/16'}},
}


def test_one_route_per_docker_host_from_groups_or_names():
    groups = {'docker_hosts': ['docker-1', 'docker-2'], 'coaxis_hosts': ['erp-1']}
    expected = [{'dest': '172.16.0.0/16', 'via': '192.168.2.156', 'comment': 'docker-1'},
                {'dest': '172.17.0.0/16', 'via': '192.168.2.157', 'comment': 'docker-2'}]
    assert opt_coaxis_routes(groups, HOSTVARS) == expected
    assert opt_coaxis_routes(['docker-1', 'docker-2'], HOSTVARS) == expected
    assert opt_coaxis_routes({'all': ['x']}, HOSTVARS) == []


def test_a_docker_host_lacking_its_subnet_or_address_is_named():
    with pytest.raises(AnsibleFilterError) as error:
        opt_coaxis_routes(['docker-1', 'bare', 'no-address'], HOSTVARS)
    assert str(error.value).startswith('opt_coaxis_routes: bare lacks opt_network.subnet, opt_docker_host_address; '
                                       'no-address lacks opt_docker_host_address (the route')
    with pytest.raises(AnsibleFilterError) as error:
        opt_coaxis_routes(['bare'], HOSTVARS, lang='fr')
    assert str(error.value).startswith("opt_coaxis_routes: bare : il manque opt_network.subnet, opt_docker_host_address "
                                       "(la route vers les clients d'un hôte Docker")


def test_an_unknown_language_is_refused_even_without_a_problem():
    with pytest.raises(AnsibleFilterError, match="opt_coaxis_routes: unknown language 'de'"):
        opt_coaxis_routes(['docker-1'], HOSTVARS, lang='de')


def test_refuses_other_input():
    with pytest.raises(AnsibleFilterError, match='opt_coaxis_routes: expects'):
        opt_coaxis_routes('docker-1', HOSTVARS)
