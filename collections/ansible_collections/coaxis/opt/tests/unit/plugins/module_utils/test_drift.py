# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drift of a Docker host against the inventory: the comparison and the operator's lines."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _drift


def test_nothing_differs():
    found = _drift.compare(['acme', 'globex'], {'acme': 'running', 'globex': 'running'}, [], ['acme', 'globex'],
                           ['acme', 'globex'])
    assert found['drift'] is False
    assert _drift.summary('docker-1', 'opt-clients', found) == [
        'docker-1: no drift (containers, firewall rules and vhosts as the inventory declares)']


def test_undeclared_missing_stopped_and_unmanaged():
    found = _drift.compare(['acme', 'globex', 'initech'], {'acme': 'exited', 'globex': 'running', 'old': 'running'},
                           ['by-hand'], ['acme', 'old'], ['old'])
    assert found['containers'] == {'undeclared': ['old'], 'missing': ['initech']}
    # Rules and vhosts are expected only for the declared clients that have a container.
    assert found['rules'] == {'undeclared': ['old'], 'missing': ['globex']}
    assert found['vhosts'] == {'undeclared': ['old'], 'missing': ['acme', 'globex']}
    assert found['stopped'] == ['acme'] and found['unmanaged'] == ['by-hand'] and found['drift'] is True
    assert _drift.summary('docker-1', 'opt-clients', found) == [
        'docker-1: client containers that the inventory does not declare: old',
        'docker-1: client containers that the inventory declares and that are missing: initech',
        'docker-1: firewall rules of clients that the inventory does not declare: old',
        'docker-1: firewall rules of clients that the inventory declares and that are missing: globex',
        'docker-1: vhosts of clients that the inventory does not declare: old',
        'docker-1: vhosts of clients that the inventory declares and that are missing: acme, globex',
        'docker-1: declared clients whose container is not running: acme',
        'docker-1: containers on opt-clients that coaxis-opt does not manage (never removed): by-hand',
    ]


def test_vhosts_not_checked_without_the_proxy():
    found = _drift.compare(['acme'], {'acme': 'running'}, [], ['acme'], None)
    assert found['vhosts'] == {'undeclared': [], 'missing': []} and found['drift'] is False


def test_french_lines():
    found = _drift.compare([], {'old': 'running'}, [], [], [])
    assert _drift.summary('docker-1', 'opt-clients', found, 'fr') == [
        "docker-1 : conteneurs de clients que l'inventaire ne déclare pas : old"]
