# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._report import COLOURS, render_html, render_json


def check(state, ms=None, error=None):
    return {'state': state, 'ms': ms, 'error': error}


CLIENTS = [
    {'client': 'acme', 'container': 'opt-acme', 'container_id': 'abc', 'container_state': 'running',
     'service': 'degraded', 'error': None, 'checked_at': '2026-11-25T18:00:05Z', 'message': 'm',
     'sites': [
         {'site': 'lyon', 'host': '10.130.0.10', 'port': 22, 'state': 'up', 'since': '2026-11-25T17:00:00Z',
          'last_error': None, 'operator_stopped': False, 'tcp': check('up', 1.5), 'ping': check('up', 0.3),
          'printers': [
              {'name': 'accueil', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101, 'state': 'up',
               'error': None},
              {'name': 'compta', 'address': '10.131.1.21', 'port': 9100, 'listen_port': 9102, 'state': 'down',
               'error': 'connect failed: No route to host'}]},
         {'site': 'paris', 'host': '10.130.0.11', 'port': 22, 'state': 'connecting', 'since': None,
          'last_error': 'ssh: connect to host 10.130.0.11 port 22: Connection timed out <&>',
          'operator_stopped': False, 'tcp': check('down', error='timed out after 3 s'),
          'ping': check('down', error='no reply after 3 s'),
          'printers': [{'name': 'atelier', 'address': '10.131.2.20', 'port': 9100, 'listen_port': 9201,
                        'state': 'unknown', 'error': 'ssh: connect to host 10.130.0.11 port 22: Connection timed out'}]}]},
    {'client': 'globex', 'container': 'opt-globex', 'container_id': None, 'container_state': 'absent',
     'service': 'absent', 'error': 'globex: no container opt-globex on this Docker host',
     'checked_at': '2026-11-25T18:00:01Z', 'message': 'm', 'sites': []},
]


def test_json_keeps_the_results_and_counts_printer_states():
    doc = json.loads(render_json(CLIENTS, 'fr'))
    assert doc['checked_at'] == '2026-11-25T18:00:05Z' and doc['lang'] == 'fr'
    assert doc['printer_states'] == {'up': 1, 'down': 1, 'unknown': 1}
    assert doc['clients'] == CLIENTS
    assert doc['state_labels']['down'] == 'en panne' and sorted(doc['state_labels']) == sorted(COLOURS)
    assert json.loads(render_json(CLIENTS))['state_labels']['down'] == 'down'


def badges(page):
    return re.findall(r'<span class="state state-([a-z]+)" data-state="([a-z]+)">([^<]+)</span>', page)


def test_html_is_self_contained_and_coloured():
    page = render_html(CLIENTS, 'en')
    assert page.startswith('<!DOCTYPE html>') and '<style>' in page
    assert not re.search(r'<script|<link|src=|url\(|@import|https?://', page)
    for state, colour in COLOURS.items():
        assert '.state-%s{background:%s;' % (state, colour) in page
    assert COLOURS['up'] != COLOURS['down'] and COLOURS['unknown'] == COLOURS['degraded']
    found = badges(page)
    assert ('degraded', 'degraded', 'degraded') in found and ('stopped', 'stopped', 'stopped') in found
    # A client without a container is not deployed: its own state and colour, not stopped's grey.
    assert ('absent', 'absent', 'absent (not deployed)') in found and COLOURS['absent'] != COLOURS['stopped']
    printer_rows = re.findall(r'<tr class="printer" data-printer="([^"]+)">.*?</tr>', page)
    assert printer_rows == ['lyon/accueil', 'lyon/compta', 'paris/atelier']
    compta = re.search(r'data-printer="lyon/compta">(.*?)</tr>', page).group(1)
    assert 'state-down' in compta and 'connect failed: No route to host' in compta and '9102' in compta
    assert 'Connection timed out &lt;&amp;&gt;' in page  # escaped, never markup
    assert 'Checked at 2026-11-25T18:00:05Z' in page and 'globex: no container opt-globex' in page
    assert '<html lang="en">' in page and 'Listen port' in page


def test_html_in_french():
    page = render_html(CLIENTS, 'fr')
    assert '<html lang="fr">' in page and 'État OPT' in page and 'Vérifié le 2026-11-25T18:00:05Z' in page
    for label in ("Port d'écoute", 'Dernière erreur', 'Site / Imprimante', 'depuis 2026-11-25T17:00:00Z'):
        assert label.replace("'", '&#x27;') in page
    texts = dict((state, text) for state, _raw, text in badges(page))
    assert texts['up'] == 'actif' and texts['down'] == 'en panne' and texts['unknown'] == 'inconnu'
    assert texts['stopped'] == 'arrêté' and texts['degraded'] == 'dégradé'
    assert texts['absent'] == 'absent (non déployé)'
    assert 'Last error' not in page
    assert 'TCP : timed out after 3 s' in page and 'Ping : no reply after 3 s' in page and '1.5 ms' in page


@pytest.mark.parametrize('lang, text', [('en', 'no client probed'), ('fr', 'aucun client vérifié')])
def test_html_without_clients(lang, text):
    assert text in render_html([], lang)


def test_an_unexpected_state_is_shown_amber_with_its_own_name():
    client = dict(CLIENTS[1], service='weird')
    assert '<span class="state state-unknown" data-state="weird">weird</span>' in render_html([client])
