# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _removeplan

CONTAINERS = [
    {'Id': 'c1', 'Names': ['/opt-acme'], 'State': 'running', 'Labels': {'coaxis.opt.client': 'acme'}},
    {'Id': 'c2', 'Names': ['/opt-globex'], 'State': 'exited', 'Labels': {'coaxis.opt.client': 'globex'}},
    {'Id': 'fw', 'Names': ['/opt-firewall'], 'State': 'running', 'Labels': {'coaxis.opt.role': 'firewall'}},
]
VOLUMES = [
    {'Name': 'opt-acme-logs', 'Labels': {'coaxis.opt.client': 'acme'}},
    {'Name': 'opt-acme-config', 'Labels': {'coaxis.opt.client': 'acme'}},
    {'Name': 'opt-acme-logs-old', 'Labels': {'coaxis.opt.client': 'acme'}},
    {'Name': 'opt-globex-logs', 'Labels': {'coaxis.opt.client': 'globex'}},
    {'Name': 'opt-firewall', 'Labels': None},
]


def test_the_container_goes_and_every_volume_of_the_client_stays():
    [item] = _removeplan.plan(['acme'], CONTAINERS, VOLUMES, purge=False)
    assert item['containers'] == [{'id': 'c1', 'name': 'opt-acme', 'state': 'running'}]
    assert item['remove_volumes'] == [] and item['keep_volumes'] == ['opt-acme-config', 'opt-acme-logs', 'opt-acme-logs-old']
    assert _removeplan.changed([item])
    assert _removeplan.summary(item) == ('acme: removed container(s) opt-acme; volumes removed: -; '
                                         'volumes kept: opt-acme-config, opt-acme-logs, opt-acme-logs-old')


def test_purge_removes_the_volumes_too_and_nothing_of_another_client():
    [item] = _removeplan.plan(['acme'], CONTAINERS, VOLUMES, purge=True)
    assert item['remove_volumes'] == ['opt-acme-config', 'opt-acme-logs', 'opt-acme-logs-old']
    assert item['keep_volumes'] == []


def test_nothing_there_is_not_a_change():
    items = _removeplan.plan(['initech'], CONTAINERS, VOLUMES, purge=True)
    assert not _removeplan.changed(items)
    assert _removeplan.summary(items[0], 'fr') == ('initech : aucun conteneur sur cet hôte Docker, rien à supprimer '
                                                   '(volumes conservés : -)')


def test_a_second_run_after_removal_keeping_data_is_not_a_change():
    items = _removeplan.plan(['acme'], [], VOLUMES, purge=False)
    assert not _removeplan.changed(items) and items[0]['keep_volumes']


def test_bad_names_are_refused():
    assert _removeplan.validate(['acme', 'acme', 'Bad_Name']) == [
        'Bad_Name: invalid client name: use 2 to 32 characters, lowercase letters, digits and dashes, '
        'not starting or ending with a dash',
        'acme: the client is listed 2 times']


def test_diff():
    before, after = _removeplan.diff(_removeplan.plan(['acme'], CONTAINERS, VOLUMES, purge=False))
    assert before['acme']['containers'] == ['opt-acme'] and after['acme']['containers'] == []
    assert after['acme']['volumes'] == before['acme']['volumes']


def test_the_plan_names_each_container_and_each_purged_volume():
    items = _removeplan.plan(['acme', 'initech'], CONTAINERS, VOLUMES, purge=True)
    assert _removeplan.actions(items) == [
        {'action': 'remove', 'target': 'container opt-acme', 'reason': None},
        {'action': 'remove', 'target': 'volume opt-acme-config', 'reason': 'purge'},
        {'action': 'remove', 'target': 'volume opt-acme-logs', 'reason': 'purge'},
        {'action': 'remove', 'target': 'volume opt-acme-logs-old', 'reason': 'purge'}]
    assert _removeplan.client_results(items)['initech'] == {'containers': [], 'volumes_removed': [],
                                                            'volumes_kept': []}
    kept = _removeplan.plan(['acme'], CONTAINERS, VOLUMES, purge=False)
    assert [a['target'] for a in _removeplan.actions(kept)] == ['container opt-acme']
