# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _fwplan

LANS = ['192.168.2.0/24']
ACME = {'name': 'acme', 'ip': '172.16.1.10', 'ports': [9102, 9101, 9101]}
GLOBEX = {'name': 'globex', 'ip': '172.16.1.11', 'ports': [9101]}


def test_each_client_gets_its_listen_ports_and_the_replies_tagged_with_its_name():
    text = _fwplan.render_rules('br-opt', LANS, [GLOBEX, ACME])
    assert _fwplan.rule_lines(text)[:2] == [
        '-A COAXIS-OPT -s 192.168.2.0/24 -d 172.16.1.10/32 -p tcp -m multiport --dports 9101,9102 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 192.168.2.0/24 -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
    ]
    assert _fwplan.clients_in(text) == ['acme', 'globex']


def test_the_rule_set_only_touches_our_chains_and_is_stable():
    text = _fwplan.render_rules('br-opt', LANS, [ACME, GLOBEX])
    assert text == _fwplan.render_rules('br-opt', LANS, [GLOBEX, ACME])
    body = [line for line in text.splitlines() if line and not line.startswith('#')]
    assert body[:3] == ['*filter', ':COAXIS-OPT - [0:0]', ':COAXIS-OPT-INPUT - [0:0]'] and body[-1] == 'COMMIT'
    assert all(line.split()[1] in ('COAXIS-OPT', 'COAXIS-OPT-INPUT') for line in _fwplan.rule_lines(text))


def test_isolation_rules_follow_the_client_rules():
    lines = _fwplan.rule_lines(_fwplan.render_rules('br-opt', LANS, [ACME]))
    assert lines[2:] == [
        '-A COAXIS-OPT -i br-opt -o br-opt -m comment --comment "coaxis-opt isolation=client-to-client" -j REJECT',
        '-A COAXIS-OPT -i br-opt -d 192.168.2.0/24 -m conntrack --ctstate NEW '
        '-m comment --comment "coaxis-opt isolation=client-to-coaxis-lan" -j REJECT',
        '-A COAXIS-OPT-INPUT -i br-opt -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt isolation=replies" -j RETURN',
        '-A COAXIS-OPT-INPUT -i br-opt -m comment --comment "coaxis-opt isolation=client-to-docker-host" -j REJECT',
    ]


def test_many_ports_are_split_by_fifteen_and_every_lan_gets_rules():
    client = {'name': 'big', 'ip': '172.16.1.12', 'ports': list(range(9100, 9131))}
    lines = [line for line in _fwplan.client_rules(client, ['10.0.0.0/8', '192.168.2.0/24']) if '--dports' in line]
    assert len(lines) == 6
    assert all(len(line.split('--dports ')[1].split()[0].split(',')) <= 15 for line in lines)


def test_a_client_without_printers_has_no_rule():
    assert _fwplan.client_rules({'name': 'empty', 'ip': '172.16.1.13', 'ports': []}, LANS) == [
        '# empty 172.16.1.13: listen ports none']


@pytest.mark.parametrize('lans, clients, expected', [
    ([], [], ['no Coaxis LAN given (opt_coaxis_lans): nobody could print through the firewall']),
    (['192.168.2.1/24'], [], ["Coaxis LAN '192.168.2.1/24': expected an IPv4 network in CIDR form (e.g. 192.168.2.0/24)"]),
    (LANS, [{'name': 'Acme', 'ip': '172.16.1.10'}], None),
    (LANS, [{'name': 'acme', 'ip': '172.16.1.300'}], ["acme: no valid IPv4 address for its firewall rules ('172.16.1.300')"]),
    (LANS, [ACME, {'name': 'copy', 'ip': '172.16.1.10'}], ['copy: address 172.16.1.10 is also the address of acme']),
    (LANS, [ACME, dict(ACME)], ['acme: the client is listed 2 times']),
    (LANS, [{'name': 'acme', 'ip': '172.16.1.10', 'ports': [0, 70000]}], ['acme: invalid listen port(s) 0, 70000 (1-65535)']),
])
def test_bad_requests_are_refused_with_every_reason(lans, clients, expected):
    errors = _fwplan.validate(lans, clients)
    if expected is None:
        assert len(errors) == 1 and errors[0].startswith('Acme: invalid client name')
    else:
        assert errors == expected


def test_messages_in_french():
    assert _fwplan.validate([], [], lang='fr') == [
        "aucun LAN Coaxis indiqué (opt_coaxis_lans) : personne ne pourrait imprimer à travers le pare-feu"]
    assert _fwplan.validate_bridge('a-bridge-name-too-long', 'fr')[0].startswith('pont du réseau client')


def spec(**over):
    values = dict(name='opt-firewall', image='opt-firewall:1', volume='opt-firewall', backend='auto', interval=5)
    values.update(over)
    return _fwplan.desired_container(**values)


def test_the_container_hash_changes_with_its_settings_only():
    assert spec()['hash'] == spec()['hash']
    assert spec(backend='legacy')['hash'] != spec()['hash']
    assert spec(backend='legacy')['xtables_lock'] is True and spec()['xtables_lock'] is False


def observed(**over):
    values = {'id': 'c1', 'running': True, 'hash': spec()['hash'], 'image_stale': False}
    values.update(over)
    return values


RULES = _fwplan.render_rules('br-opt', LANS, [ACME, GLOBEX])


@pytest.mark.parametrize('seen, current, status, container, apply_rules', [
    (None, '', None, 'create', True),
    (observed(), RULES, 0, 'none', False),
    (observed(), RULES, 1, 'none', True),          # drifted in the kernel: re-applied, reported
    (observed(running=False), RULES, None, 'start', True),
    (observed(hash='old'), RULES, 0, 'recreate', True),
    (observed(image_stale=True), RULES, 0, 'recreate', True),
])
def test_plan(seen, current, status, container, apply_rules):
    plan = _fwplan.plan(spec(), seen, current, status, RULES)
    assert (plan['container'], plan['apply'], plan['changed']) == (container, apply_rules, container != 'none' or apply_rules)


def test_plan_names_added_and_pruned_clients():
    before = _fwplan.render_rules('br-opt', LANS, [ACME])
    plan = _fwplan.plan(spec(), observed(), before, 0, _fwplan.render_rules('br-opt', LANS, [GLOBEX]))
    assert (plan['added'], plan['pruned']) == (['globex'], ['acme'])


def test_only_clients_with_a_container_or_being_added_get_rules():
    clients = [ACME, GLOBEX, {'name': 'initech', 'ip': '172.16.1.12', 'ports': [9101]}]
    assert [c['name'] for c in _fwplan.deployed(clients, {'globex', 'other'}, ['initech'])] == ['globex', 'initech']


def test_clients_may_reach_the_admin_interface_and_its_replies_come_back():
    allow = [{'name': 'admin', 'address': '192.168.2.20', 'port': 8000}]
    lines = _fwplan.rule_lines(_fwplan.render_rules('br-opt', LANS, [], allow))
    assert lines[:2] == [
        '-A COAXIS-OPT -i br-opt -d 192.168.2.20/32 -p tcp -m tcp --dport 8000 -m comment --comment "coaxis-opt allow=admin" -j ACCEPT',
        '-A COAXIS-OPT -s 192.168.2.20/32 -o br-opt -p tcp -m tcp --sport 8000 -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt allow=admin" -j ACCEPT',
    ]
    assert 'isolation=client-to-coaxis-lan' in lines[3]  # after the allowance
