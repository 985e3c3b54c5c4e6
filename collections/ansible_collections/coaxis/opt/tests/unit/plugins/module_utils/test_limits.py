# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _clientplan, _fwplan, _limits, _naming, _proxyplan

MIB = 1024 * 1024


def test_defaults_as_the_engine_takes_them():
    assert _limits.limits_spec('client', None) == {'memory': 256 * MIB, 'pids': 256, 'nano_cpus': 10 ** 9}
    assert _limits.limits_spec('edge', {}) == {'memory': 256 * MIB, 'pids': 256, 'nano_cpus': 10 ** 9}
    assert _limits.limits_spec('firewall', {}) == {'memory': 64 * MIB, 'pids': 64, 'nano_cpus': 5 * 10 ** 8}
    assert _limits.log_spec(None) == {'type': 'json-file', 'config': {'max-size': '10m', 'max-file': '3'}}


def test_a_key_left_out_keeps_its_default_and_strings_are_accepted():
    assert _limits.limits_spec('client', {'memory': '1g', 'cpus': '1.5'}) == {
        'memory': 1024 * MIB, 'pids': 256, 'nano_cpus': 1500000000}
    assert _limits.limits_spec('client', {'memory': 300 * MIB, 'pids': '300', 'cpus': 2}) == {
        'memory': 300 * MIB, 'pids': 300, 'nano_cpus': 2 * 10 ** 9}
    assert _limits.log_spec({'driver': 'local', 'max_size': '1024k', 'max_file': '5'}) == {
        'type': 'local', 'config': {'max-size': '1m', 'max-file': '5'}}


def test_host_config_arguments_forbid_swap_beyond_the_memory_limit():
    args = _limits.host_config_args(_limits.limits_spec('edge', {'memory': '128m'}), _limits.log_spec({}))
    assert args == {'mem_limit': 128 * MIB, 'memswap_limit': 128 * MIB, 'pids_limit': 256, 'nano_cpus': 10 ** 9,
                    'log_config': {'type': 'json-file', 'config': {'max-size': '10m', 'max-file': '3'}}}
    assert _limits.helper_host_config_args() == {
        'log_config': {'type': 'json-file', 'config': {'max-size': '1m', 'max-file': '1'}}}


@pytest.mark.parametrize('value', ['256m', '1G', '16m', 64 * 1024 ** 3, ' 512M '])
def test_valid_memory(value):
    assert _limits.validate_limits('client', {'memory': value}, 'opt_client_limits') == []


@pytest.mark.parametrize('given, key', [
    ({'memory': '15m'}, 'memory'), ({'memory': '65g'}, 'memory'), ({'memory': '256 MB'}, 'memory'),
    ({'memory': '-1'}, 'memory'), ({'memory': True}, 'memory'), ({'memory': 1.5}, 'memory'),
    ({'memory': '0256m'}, 'memory'),
    ({'pids': 15}, 'pids'), ({'pids': 70000}, 'pids'), ({'pids': '1e3'}, 'pids'), ({'pids': 2.5}, 'pids'),
    ({'pids': False}, 'pids'),
    ({'cpus': 0}, 'cpus'), ({'cpus': '257'}, 'cpus'), ({'cpus': 'two'}, 'cpus'), ({'cpus': []}, 'cpus'),
])
def test_invalid_limits_are_named_with_their_variable(given, key):
    errors = _limits.validate_limits('client', given, 'opt_client_limits')
    assert len(errors) == 1 and errors[0].startswith('opt_client_limits: %s ' % key), errors


def test_unknown_keys_and_a_non_dict_are_refused_in_both_languages():
    assert _limits.validate_limits('edge', {'mem': '1g'}, 'opt_edge_limits') == [
        'opt_edge_limits: unknown key(s) mem; known: cpus, memory, pids']
    assert _limits.validate_limits('edge', {'mem': '1g'}, 'opt_edge_limits', 'fr') == [
        'opt_edge_limits : clé(s) inconnue(s) mem ; connues : cpus, memory, pids']
    assert _limits.validate_limits('firewall', '64m', 'opt_firewall_limits') == [
        "opt_firewall_limits must be a dict, got '64m'"]
    assert _limits.validate_log(['10m'], 'opt_log', 'fr') == ["opt_log doit être un dictionnaire, reçu ['10m']"]


@pytest.mark.parametrize('given, key', [
    ({'driver': 'syslog'}, 'log driver'), ({'driver': 'none'}, 'log driver'),
    ({'max_size': '8k'}, 'max_size'), ({'max_size': '2g'}, 'max_size'), ({'max_size': '10mb'}, 'max_size'),
    ({'max_file': 0}, 'max_file'), ({'max_file': 101}, 'max_file'), ({'max_file': 'three'}, 'max_file'),
])
def test_invalid_log_settings(given, key):
    errors = _limits.validate_log(given, 'opt_log')
    assert len(errors) == 1 and errors[0].startswith('opt_log: %s ' % key), errors
    assert _limits.validate_log({}, 'opt_log') == [] and _limits.validate_log(None, 'opt_log') == []


def test_the_whole_inventory_check_names_the_docker_host():
    groups = {'docker_hosts': ['dh1', 'dh2'], 'opt_clients': []}
    hostvars = {'dh1': {'opt_client_limits': {'memory': '1x'}, 'opt_log': {'max_file': 0}},
                'dh2': {'opt_edge_limits': {'pids': 8}, 'opt_firewall_limits': {'cpus': -1}}}
    errors = _limits.inventory_errors(groups, hostvars)
    assert [e.split(':')[0:2] for e in errors] == [
        ['dh1', ' opt_client_limits'], ['dh1', ' opt_log'], ['dh2', ' opt_edge_limits'], ['dh2', ' opt_firewall_limits']]
    assert _limits.inventory_errors({'docker_hosts': ['dh1']}, {'dh1': {}}) == []


def test_the_inventory_filter_reports_the_limits():
    from ansible_collections.coaxis.opt.plugins.filter import ipplan
    groups = {'docker_hosts': ['dh1'], 'opt_clients': []}
    hostvars = {'dh1': {'opt_network': {'name': 'opt-clients', 'subnet': '10.128.0.0/16'},
                        'opt_client_limits': {'pids': 'lots'}, 'opt_coaxis_sources': ['10.129.0.10']}}
    assert ipplan.inventory_errors(groups, hostvars)[0] == [
        "dh1: opt_client_limits: pids 'lots' is not a whole number in 16..65536"]


def test_client_spec_carries_limits_log_and_hardening_and_a_change_recreates():
    common = {'network': 'opt-clients', 'image_id': 'sha256:' + 'a' * 64}
    spec = _clientplan.desired_container({'name': 'acme', 'ip': '10.128.0.10'}, common)
    assert spec['limits'] == _limits.limits_spec('client', None) and spec['log'] == _limits.log_spec(None)
    assert spec['user'] == '10001:10001' and spec['read_only'] is True
    assert sorted(spec['tmpfs']) == ['/run/mast', '/tmp']
    assert all('size=' in options and 'nosuid' in options for options in spec['tmpfs'].values())
    other = _clientplan.desired_container({'name': 'acme', 'ip': '10.128.0.10'},
                                          dict(common, limits=_limits.limits_spec('client', {'pids': 512})))
    logs = _clientplan.desired_container({'name': 'acme', 'ip': '10.128.0.10'},
                                         dict(common, log=_limits.log_spec({'max_file': 5})))
    hashes = set(s['labels'][_naming.LABEL_HASH] for s in (spec, other, logs))
    assert len(hashes) == 3


def test_edge_and_firewall_specs_carry_limits_and_no_new_privileges():
    edge = _proxyplan.desired_container('opt-edge', 'img', 'opt-edge')
    assert edge['no_new_privileges'] is True and edge['limits'] == _limits.limits_spec('edge', None)
    assert edge['hash'] != _proxyplan.desired_container('opt-edge', 'img', 'opt-edge', {'cpus': 2})['hash']
    assert edge['hash'] != _proxyplan.desired_container('opt-edge', 'img', 'opt-edge', None, {'max_file': 2})['hash']
    fw = _fwplan.desired_container('opt-firewall', 'img', 'opt-firewall', 'auto', 5)
    assert fw['no_new_privileges'] is True and fw['limits'] == _limits.limits_spec('firewall', None)
    assert fw['cap_add'] == ['NET_ADMIN', 'NET_RAW']
    assert fw['hash'] != _fwplan.desired_container('opt-firewall', 'img', 'opt-firewall', 'auto', 5,
                                                   {'memory': '128m'})['hash']


def test_a_cpu_share_above_the_engine_cpus_is_refused_before_the_engine_does():
    url = 'unix:///var/run/docker.sock'
    assert _limits.engine_cpus_errors('client', {'cpus': 2}, 2, 'limits', url) == []
    assert _limits.engine_cpus_errors('client', {}, 1, 'limits', url) == []
    assert _limits.engine_cpus_errors('edge', {'cpus': '4'}, None, 'limits', url) == []  # unknown: the engine says
    assert _limits.engine_cpus_errors('edge', {'cpus': '4'}, 2, 'limits', url, 'fr') == [
        'limits : cpus 4 dépasse les 2 processeur(s) du moteur unix:///var/run/docker.sock']
