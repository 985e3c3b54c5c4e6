# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _tunnelplan


def site(name, state, stopped=False, error=None):
    return {'site': name, 'state': state, 'pid': 41 if state == 'up' else None, 'autossh_pid': 40,
            'since': '2026-11-25T17:21:07Z', 'last_error': error,
            'limits': {'upload_kbps': 64, 'download_kbps': None},
            'printers': [{'name': 'p1', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101,
                          'connections': 0, 'bytes_up': 0, 'bytes_down': 0}],
            'config_hash': 'fa30', 'operator_stopped': stopped}


UP = {'lyon': site('lyon', 'up'), 'paris': site('paris', 'up')}
ONE_STOPPED = {'lyon': site('lyon', 'stopped', stopped=True), 'paris': site('paris', 'up')}


def test_parse_status_reads_the_documented_json():
    text = json.dumps({'ok': True, 'sites': [site('lyon', 'up')], 'nginx': {}, 'config_error': None})
    assert list(_tunnelplan.parse_status(text)) == ['lyon']


@pytest.mark.parametrize('text', ['', 'mast daemon is not running', '{"ok": false, "error": "x"}', '[]'])
def test_parse_status_refuses_anything_else(text):
    with pytest.raises(ValueError):
        _tunnelplan.parse_status(text)


def test_site_view_keeps_what_the_operator_uses():
    view = _tunnelplan.site_view(site('lyon', 'up'))
    assert view == {'name': 'lyon', 'state': 'up', 'since': '2026-11-25T17:21:07Z', 'pid': 41, 'last_error': None,
                    'limits': {'upload_kbps': 64, 'download_kbps': None}, 'operator_stopped': False,
                    'printers': [{'name': 'p1', 'listen_port': 9101, 'target': '10.131.1.20:9100'}]}


@pytest.mark.parametrize('action, observed, site_name, act, changed', [
    ('stop', UP, None, ['lyon', 'paris'], True),
    ('stop', ONE_STOPPED, None, ['paris'], True),
    ('stop', ONE_STOPPED, 'lyon', [], False),          # stop of a stopped site: nothing to do
    ('start', UP, None, [], False),                    # start of up sites: mast leaves them alone
    ('start', ONE_STOPPED, None, ['lyon'], True),
    ('start', ONE_STOPPED, 'paris', [], False),
    ('restart', UP, 'lyon', ['lyon'], True),           # a restart is always a new session
    ('restart', ONE_STOPPED, None, ['lyon', 'paris'], True),
    ('status', ONE_STOPPED, None, [], False),
])
def test_only_real_changes_are_acted_on(action, observed, site_name, act, changed):
    plan = _tunnelplan.plan(action, observed, site_name)
    assert (plan['act'], plan['changed']) == (act, changed)


def test_a_start_of_a_connecting_site_changes_nothing_but_is_waited_for():
    plan = _tunnelplan.plan('start', {'lyon': site('lyon', 'connecting')})
    assert plan['act'] == [] and plan['wait_for'] == ['lyon']


def test_what_is_waited_for_and_expected():
    assert _tunnelplan.plan('stop', UP)['wait_for'] == []
    assert _tunnelplan.plan('restart', UP, 'paris')['wait_for'] == ['paris']
    status = _tunnelplan.plan('status', ONE_STOPPED)
    assert status['wait_for'] == ['paris'] and status['expected'] == {'lyon': 'stopped', 'paris': 'up'}
    assert _tunnelplan.plan('stop', ONE_STOPPED)['expected'] == {'lyon': 'stopped', 'paris': 'stopped'}
    assert _tunnelplan.plan('start', ONE_STOPPED, 'lyon')['expected'] == {'lyon': 'up'}


def test_up_and_down_end_the_wait_connecting_and_stopped_do_not():
    observed = {'a': site('a', 'up'), 'b': site('b', 'down'), 'c': site('c', 'connecting'),
                'd': site('d', 'stopped')}
    assert _tunnelplan.pending(observed, ['a', 'b', 'c', 'd', 'gone']) == ['c', 'd', 'gone']


def test_not_up_names_the_state_and_the_error():
    observed = {'lyon': site('lyon', 'up'),
                'paris': site('paris', 'down', error='Host key verification failed.'),
                'nice': site('nice', 'stopped', stopped=True, error='old')}
    assert _tunnelplan.not_up(observed, ['lyon', 'paris', 'nice']) == [
        'paris (down: Host key verification failed.)', 'nice (stopped)']


def test_checks_name_the_client_and_the_fix():
    assert _tunnelplan.check_client('acme', 'opt-acme', None, None, None) == [
        'acme: no container opt-acme on this Docker host; add the client first '
        '(playbooks/add_client.yml -e client=acme)']
    assert _tunnelplan.check_client('acme', 'opt-acme', 'exited', None, 'lyon', 'fr') == [
        'acme : le conteneur opt-acme est exited, il ne tourne pas (docker logs opt-acme dit pourquoi) ; remettez-le en place avec '
        'playbooks/add_client.yml -e client=acme']
    assert _tunnelplan.check_client('acme', 'opt-acme', 'running', UP, 'nice') == [
        "acme: unknown site nice; the client's sites are: lyon, paris"]
    assert _tunnelplan.check_client('acme', 'opt-acme', 'running', UP, 'lyon') == []


def test_diff_lists_one_line_per_site():
    assert _tunnelplan.diff({'acme': {'paris': 'up', 'lyon': 'up'}}, {'acme': {'lyon': 'stopped', 'paris': 'up'}}) == {
        'before': 'acme/lyon: up\nacme/paris: up\n', 'after': 'acme/lyon: stopped\nacme/paris: up\n'}
