# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inputs of coaxis.opt.opt_state: digests of the variables and of the code."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.state import opt_code_digest, opt_host_inputs
from ansible_collections.coaxis.opt.plugins.module_utils._hoststate import digest

GROUPS = {'docker_hosts': ['docker-1', 'docker-2'], 'opt_clients': ['acme', 'globex', 'initech']}


def hostvars(**changes):
    result = {
        'docker-1': {'opt_image': 'img:1', 'opt_network': {'name': 'opt-clients'}, 'ansible_host': 'x',
                     'inventory_hostname': 'docker-1'},
        'docker-2': {'opt_image': 'img:1'},
        'acme': {'opt_docker_host': 'docker-1', 'opt_ip': '10.0.0.1', 'opt_private_key': 'secret', 'other': 1},
        'globex': {'opt_docker_host': 'docker-1', 'opt_ip': '10.0.0.2'},
        'initech': {'opt_docker_host': 'docker-2', 'opt_ip': '10.0.0.3'},
    }
    for name, values in changes.items():
        result[name] = dict(result.get(name, {}), **values)
    return result


def test_digests_of_the_hosts_and_its_clients_variables_only():
    inputs = opt_host_inputs(GROUPS, hostvars(), 'docker-1')
    assert sorted(inputs) == ['client.acme', 'client.globex', 'firewall.coaxis_sources', 'host.opt_image',
                              'host.opt_network']
    assert inputs['host.opt_image'] == digest('img:1')
    assert 'secret' not in repr(inputs)
    # Only opt_* variables count; another client's change does not touch this host's inputs.
    assert opt_host_inputs(GROUPS, hostvars(acme={'other': 2}, initech={'opt_ip': '10.0.0.9'}), 'docker-1') == inputs
    assert opt_host_inputs(GROUPS, hostvars(acme={'opt_ip': '10.0.0.7'}), 'docker-1')['client.acme'] \
        != inputs['client.acme']


def test_a_coaxis_host_moving_changes_the_inputs_of_the_docker_hosts():
    groups = dict(GROUPS, coaxis_hosts=['erp-1'])
    before = opt_host_inputs(groups, hostvars(**{'erp-1': {'ansible_host': '192.168.2.10'}}), 'docker-1')
    after = opt_host_inputs(groups, hostvars(**{'erp-1': {'ansible_host': '192.168.2.11'}}), 'docker-1')
    assert before['firewall.coaxis_sources'] != after['firewall.coaxis_sources']
    assert dict(before, **{'firewall.coaxis_sources': None}) == dict(after, **{'firewall.coaxis_sources': None})


def test_not_a_docker_host_is_a_usage_error():
    with pytest.raises(AnsibleFilterError, match='opt_host_inputs: expects groups'):
        opt_host_inputs(GROUPS, hostvars(), 'acme')


def test_code_digest_follows_the_files(tmp_path):
    (tmp_path / 'a.yml').write_text('one')
    first = opt_code_digest([str(tmp_path)])
    (tmp_path / '__pycache__').mkdir()
    (tmp_path / '__pycache__' / 'x.pyc').write_bytes(b'cache')
    assert opt_code_digest([str(tmp_path)]) == first
    (tmp_path / 'a.yml').write_text('two')
    assert opt_code_digest([str(tmp_path)]) != first
    with pytest.raises(AnsibleFilterError, match='is not a directory'):
        opt_code_digest([str(tmp_path / 'nothing')])
