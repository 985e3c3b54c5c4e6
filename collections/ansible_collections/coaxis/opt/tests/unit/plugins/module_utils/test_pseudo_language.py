# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plans, the refusals and the status report rendered in a pseudo-language whose every
message is its key in brackets: once those are taken out, only the values given remain. An
English word left over is a text written in the code instead of the catalog (the static scan of
test_operator_texts.py cannot follow a text returned by a function; this follows it to the end)."""

from __future__ import annotations

import copy
import html
import re
import string
from html.parser import HTMLParser

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import (
    _fwplan, _ipplan, _lock, _messages, _netplan, _probe, _proxyplan, _removeplan, _configplan, _report, _routeplan,
    _tunnelplan, _volplan)

PSEUDO = 'xx'
MARKER = re.compile(r'\[\[[a-z0-9_]+\]\]')
WORD = re.compile(r'[^\W\d_]{2,}')


@pytest.fixture(autouse=True)
def pseudo(monkeypatch):
    """The catalog with one more language: '[[key]]' followed by the key's placeholders."""
    catalog = copy.deepcopy(_messages.MESSAGES)
    for key, entry in catalog.items():
        fields = sorted(set(f for _t, f, _s, _c in string.Formatter().parse(entry['en']) if f))
        entry[PSEUDO] = '[[%s]]' % key + ''.join(' {%s}' % field for field in fields)
    monkeypatch.setattr(_messages, 'MESSAGES', catalog)
    monkeypatch.setattr(_messages, 'LANGS', _messages.LANGS + (PSEUDO,))


def words(*values):
    found = set()
    for value in values:
        if isinstance(value, dict):
            found |= words(*value.keys()) | words(*value.values())
        elif isinstance(value, (list, tuple, set)):
            found |= words(*value)
        elif value is not None:
            found |= set(WORD.findall(str(value)))
    return found


def leftover(texts, *given):
    """The words of ``texts`` that are neither a message marker nor a word of the values given."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    assert texts and all(MARKER.search(text) for text in texts), texts
    return sorted(words(*(MARKER.sub(' ', text) for text in texts)) - words(*given))


NETWORK = {'name': 'opt-clients', 'subnet': '10.128.0.0/16', 'gateway': '10.128.0.1'}


def test_address_plan_refusals():
    clients = [{'name': 'acme', 'ip': '10.128.0.0'}, {'name': 'globex', 'ip': '10.200.0.5'},
               {'name': 'Bad_Name', 'ip': 'x'}, {'name': 'initech', 'ip': '10.128.0.9'}]
    errors = _ipplan.validate_clients(NETWORK, clients, {'10.128.0.9': 'stranger'}, PSEUDO)
    assert len(errors) == 5 and leftover(errors, clients, NETWORK, 'stranger') == []
    bad = {'name': 'opt-clients', 'subnet': '10.128.0.1/16', 'gateway': '10.129.0.1', 'ip_range': '10.0.0.0/8'}
    errors = _ipplan.validate_network(bad, PSEUDO, reserved=['10.200.0.1'], coaxis_lans=['10.128.0.0/24'])
    assert errors and leftover(errors, bad, '10.128.0.0/16', '10.200.0.1', '10.128.0.0/24') == []


def test_network_drift():
    desired = dict(NETWORK, ip_range=None, bridge_name='br-opt', icc=False, interface_prefix=None, labels={},
                   recreate='never')
    observed = dict(desired, bridge_name=None, id='x', attached={})
    plan = _netplan.plan_network(desired, observed, PSEUDO)
    assert plan['action'] == 'error' and leftover(plan['message'], desired, 'bridge_name') == []


def test_volume_drift_and_copy_check():
    desired = _volplan.desired_volumes({'name': 'acme', 'config_volume': {'type': 'nfs', 'addr': '10.0.0.5',
                                                                          'export': '/exports/acme'}})
    observed = {desired[0]['name']: {'name': desired[0]['name'], 'driver': 'local', 'options': {}}}
    item = _volplan.plan_volumes(desired, observed, PSEUDO)[0]
    assert item['action'] == 'drift'
    assert leftover(item['message'], desired, [d['option'] for d in item['differences']]) == []
    problems = _volplan.compare_listings({'a': ('f', 9), 'b': ('l', 0), 'c': ('f', 9), 'd': ('d', 0), 'e': ('d', 0),
                                          'f': ('d', 0), 'g': ('d', 0)}, {'b': ('f', 3), 'c': ('f', 1)}, PSEUDO)
    assert leftover(problems, 'a b c') == []
    assert leftover(_volplan.describe_problems(problems, PSEUDO), 'a b c') == []
    errors = _volplan.validate_clients([{'name': 'acme', 'config_volume': {'type': 'cifs'}}], PSEUDO)
    assert errors and leftover(errors, 'acme config cifs share username password') == []


def test_site_config_refusals():
    clients = [{'name': 'acme', 'private_key': 'nope', 'sites': [
        {'name': 'Lyon!', 'host': 'bad host', 'port': 'x', 'host_key': 'junk', 'upload_kbps': 0,
         'keepalive_interval': 0, 'printers': [{'name': 'p', 'listen_port': 80, 'port': 'y', 'colour': 1}]}]}]
    errors = _configplan.validate_clients(clients, PSEUDO)
    assert len(errors) > 5
    assert leftover(errors, clients, 'port upload_kbps keepalive_interval listen_port colour',
                    _configplan.HOST_KEY_TYPES) == []


def test_firewall_proxy_and_route_refusals():
    errors = _fwplan.validate(['10.0.0.1/8'], [{'name': 'acme', 'ip': 'x', 'ports': [0]}], PSEUDO)
    errors += _fwplan.validate([], [], PSEUDO) + _fwplan.validate_bridge('a bridge name too long', PSEUDO)
    errors += _proxyplan.validate('nodomain', [{'name': 'acme', 'subdomain': '-x', 'ip': '1.2.3', 'extra': ['x']}],
                                  '', '', PSEUDO)
    assert leftover(errors, '10.0.0.1/8 acme x 0 a bridge name too long nodomain 1.2.3') == []
    assert leftover(_proxyplan.parse_check('fail acme\n', PSEUDO)['acme']) == []
    routes, errors = _routeplan.validate_routes([{'dest': '10.128.0.1/16', 'via': '10.129.0.1'}], 'x.service', PSEUDO)
    assert leftover(errors, '10.128.0.1/16 x.service') == []
    route = {'dest': '10.128.0.0/16', 'via': '10.129.0.1', 'state': 'present', 'comment': ''}
    for gateways in ({}, {'10.129.0.1': {'type': 'local'}}, {'10.129.0.1': {'gateway': '10.139.0.1', 'dev': 'eth1'}}):
        plan = _routeplan.plan_routes([route], [], gateways, [], PSEUDO)
        assert leftover(plan['errors'], route, gateways) == []


def test_lock_tunnels_probe_and_removal_lines():
    holder = _lock.holder_view(None, 1000.0, 60, 1030.0)
    assert leftover(_lock.busy_message(_lock.LockBusy('/run/x.lock', holder, 3.0), PSEUDO),
                    '/run/x.lock', holder['since'], 'json') == []
    for state, status in ((None, None), ('exited', None), ('running', {'lyon': {}})):
        errors = _tunnelplan.check_client('acme', 'opt-acme', state, status, 'nice', PSEUDO)
        assert leftover(errors, 'acme opt-acme exited nice lyon') == []
    absent = _probe.client_result('acme', {'name': 'opt-acme', 'state': 'absent'}, None, None, 'now', PSEUDO)
    assert leftover([absent['error'], absent['message']], 'acme opt-acme absent now stopped') == []
    broken = _probe.client_result('acme', {'name': 'opt-acme', 'id': 'i', 'state': 'running'},
                                  (3, '', 'no daemon'), (3, '', 'no daemon'), 'now', PSEUDO)
    assert leftover(broken['message'], 'acme no daemon mast status probe json down') == []
    item = {'client': 'acme', 'containers': [], 'remove_volumes': [], 'keep_volumes': ['opt-acme-config']}
    assert leftover(_removeplan.summary(item, PSEUDO), item) == []


def test_config_diff_headers():
    files = {'sites/lyon.json': {'content': '{}', 'mode': 0o644, 'uid': 1, 'gid': 1}}
    diffs = _configplan.file_diffs('acme', _configplan.plan_files({}, files), {}, files, PSEUDO)
    assert leftover(diffs[0]['after_header'], 'acme sites/lyon.json') == []


class Text(HTMLParser):
    """The text an operator sees on a page: no markup, no style sheet."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], False

    def handle_starttag(self, tag, attrs):
        self.skip = tag == 'style'

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(html.unescape(data))


def check(state, ms=None, error=None):
    return {'state': state, 'ms': ms, 'error': error}


# Every part of the page: a site up and one down with its checks' errors, printers, a client without a container.
CLIENTS = [
    {'client': 'acme', 'container': 'opt-acme', 'container_id': 'abc', 'container_state': 'running',
     'service': 'degraded', 'error': None, 'checked_at': '2026-11-25T18:00:05Z', 'message': 'm',
     'sites': [
         {'site': 'lyon', 'host': '10.130.0.10', 'port': 22, 'state': 'up', 'since': '2026-11-25T17:00:00Z',
          'last_error': None, 'operator_stopped': False, 'tcp': check('up', 1.5), 'ping': check('up', 0.3),
          'printers': [{'name': 'accueil', 'address': '10.131.1.20', 'port': 9100, 'listen_port': 9101,
                        'state': 'up', 'error': None}]},
         {'site': 'paris', 'host': '10.130.0.11', 'port': 22, 'state': 'connecting', 'since': None,
          'last_error': 'ssh: Connection timed out', 'operator_stopped': False,
          'tcp': check('down', error='timed out after 3 s'), 'ping': check('down', error='no reply after 3 s'),
          'printers': [{'name': 'atelier', 'address': '10.131.2.20', 'port': 9100, 'listen_port': 9201,
                        'state': 'weird', 'error': 'ssh: unreachable'}]}]},
    {'client': 'globex', 'container': 'opt-globex', 'container_id': None, 'container_state': 'absent',
     'service': 'stopped', 'error': 'globex: no container', 'checked_at': '2026-11-25T18:00:01Z', 'message': 'm',
     'sites': []},
]


def test_the_status_report_says_nothing_outside_the_catalog():
    page = Text()
    page.feed(_report.render_html(CLIENTS, PSEUDO))
    assert leftover(' '.join(page.parts), CLIENTS) == []
    empty = Text()
    empty.feed(_report.render_html([], PSEUDO))
    assert leftover(' '.join(empty.parts)) == []
    labels = _report.document(CLIENTS, PSEUDO)['state_labels']
    assert sorted(labels) == sorted(_report.COLOURS) and leftover(list(labels.values())) == []
