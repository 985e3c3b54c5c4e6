# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

from ansible_collections.coaxis.opt.plugins.module_utils._probe import client_result, mast_command

NOW = '2026-11-25T18:00:00Z'
RUNNING = {'name': 'opt-acme', 'id': 'c0ffee', 'state': 'running'}


def status_doc(**sites):
    return {'ok': True, 'config_error': None, 'sites': [
        {'site': name, 'state': state, 'since': '2026-11-25T17:00:00Z', 'last_error': error,
         'operator_stopped': state == 'stopped',
         'printers': [{'name': 'p1', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101}]}
        for name, (state, error) in sites.items()]}


def probe_doc(*names):
    return {'checked_at': '2026-11-25T18:00:05Z', 'config_error': None, 'sites': [
        {'site': name, 'host': '10.130.0.10', 'port': 22,
         'tcp': {'state': 'up', 'ms': 1.5, 'error': None}, 'ping': {'state': 'down', 'ms': None, 'error': 'no reply'},
         'printers': [{'name': 'p1', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101,
                       'state': 'down', 'error': 'connect failed: No route to host'}]} for name in names]}


def run(doc, code=0):
    return (code, json.dumps(doc), '')


def test_mast_command_carries_the_timeouts():
    assert mast_command(3, 2.5, 8) == ['mast', 'probe', '--json', '--tcp-timeout', '3', '--ping-timeout', '2.5',
                                       '--ssh-timeout', '8']


def test_running_client_merges_status_and_probe():
    r = client_result('acme', RUNNING, run(status_doc(lyon=('up', None)), 0), run(probe_doc('lyon')), NOW)
    assert r['service'] == 'up' and r['error'] is None and r['checked_at'] == '2026-11-25T18:00:05Z'
    assert r['container_id'] == 'c0ffee' and r['container_state'] == 'running'
    site = r['sites'][0]
    assert (site['site'], site['state'], site['since'], site['host'], site['port']) == (
        'lyon', 'up', '2026-11-25T17:00:00Z', '10.130.0.10', 22)
    assert site['tcp'] == {'state': 'up', 'ms': 1.5, 'error': None}
    assert site['ping'] == {'state': 'down', 'ms': None, 'error': 'no reply'}
    assert site['printers'] == [{'name': 'p1', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101,
                                 'state': 'down', 'error': 'connect failed: No route to host'}]
    assert r['message'] == 'acme: service up; sites up 1/1; printers up 0/1'


def test_service_degraded_down_and_operator_stopped_sites():
    both = probe_doc('lyon', 'paris')
    degraded = client_result('acme', RUNNING, run(status_doc(lyon=('up', None), paris=('connecting', 'x')), 1),
                             run(both), NOW)
    assert degraded['service'] == 'degraded'
    assert degraded['sites'][1]['last_error'] == 'x'
    down = client_result('acme', RUNNING, run(status_doc(lyon=('down', 'y'), paris=('connecting', 'x')), 1),
                         run(both), NOW, 'fr')
    assert down['service'] == 'down'
    assert down['message'] == 'acme : service en panne ; sites actifs 0/2 ; imprimantes actives 0/2'
    stopped = client_result('acme', RUNNING, run(status_doc(lyon=('up', None), paris=('stopped', None)), 1),
                            run(both), NOW)
    assert stopped['service'] == 'up'


def test_no_container_or_not_running_is_reported_not_failed():
    r = client_result('acme', {'name': 'opt-acme', 'id': None, 'state': 'absent'}, None, None, NOW)
    assert (r['service'], r['sites'], r['checked_at']) == ('absent', [], NOW)  # not deployed, not stopped
    assert r['error'] == 'acme: no container opt-acme on this Docker host'
    assert r['message'].startswith('acme: service absent (not deployed);')
    r = client_result('acme', {'name': 'opt-acme', 'id': 'x', 'state': 'exited'}, None, None, NOW, 'fr')
    assert r['error'] == "acme : le conteneur opt-acme est exited, il ne tourne pas"
    assert r['service'] == 'stopped' and r['message'].startswith('acme : service arrêté ;')


def test_daemon_not_answering_is_down_with_its_message_and_the_probe_still_counts():
    r = client_result('acme', RUNNING, (3, '', 'mast daemon is not running (/run/mast/mast.sock: No such file)\n'),
                      run(probe_doc('lyon')), NOW)
    assert r['service'] == 'down'
    assert r['error'] == ('acme: mast status --json failed (exit 3): mast daemon is not running '
                          '(/run/mast/mast.sock: No such file)')
    assert r['sites'][0]['state'] == 'unknown' and r['sites'][0]['tcp']['state'] == 'up'


def test_sites_only_the_daemon_knows_are_kept_with_unknown_checks():
    r = client_result('acme', RUNNING, run(status_doc(lyon=('up', None))), (None, '', 'engine error'), NOW)
    assert r['sites'][0]['tcp'] == {'state': 'unknown', 'ms': None, 'error': None}
    assert r['sites'][0]['printers'][0]['state'] == 'unknown'
    assert 'mast probe --json failed (exit None): engine error' in r['error']
    assert r['checked_at'] == NOW


def test_config_error_is_shown():
    doc = status_doc()
    doc['config_error'] = ['/etc/mast/sites/x.json: name: bad']
    r = client_result('acme', RUNNING, run(doc, 1), run(probe_doc()), NOW)
    assert r['service'] == 'down' and r['error'] == '/etc/mast/sites/x.json: name: bad'
