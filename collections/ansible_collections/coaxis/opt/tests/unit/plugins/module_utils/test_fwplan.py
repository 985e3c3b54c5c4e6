# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _fwplan

LANS = ['192.168.2.0/24']
ACME = {'name': 'acme', 'ip': '172.16.1.10', 'ports': [9102, 9101, 9101]}
GLOBEX = {'name': 'globex', 'ip': '172.16.1.11', 'ports': [9101]}


SOURCES = ['192.168.2.10', '192.168.2.8/29']


def test_each_coaxis_host_gets_the_listen_ports_tagged_with_the_client_name():
    text = _fwplan.render_rules('br-opt', LANS, [GLOBEX, ACME], sources=SOURCES)
    assert [line for line in _fwplan.rule_lines(text) if 'client=acme' in line] == [
        '-A COAXIS-OPT -s 192.168.2.10/32 -d 172.16.1.10/32 -o br-opt -p tcp -m multiport --dports 9101,9102 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 192.168.2.8/29 -d 172.16.1.10/32 -o br-opt -p tcp -m multiport --dports 9101,9102 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
    ]
    assert _fwplan.clients_in(text) == ['acme', 'globex']
    # Not the whole Coaxis LAN: the Docker hosts live there too.
    assert '-s 192.168.2.0/24' not in text


def test_the_replies_are_accepted_first_both_ways():
    lines = _fwplan.rule_lines(_fwplan.render_rules('br-opt', LANS, [ACME], sources=SOURCES))
    assert lines[:2] == [
        '-A COAXIS-OPT -o br-opt -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt state=replies-in" -j ACCEPT',
        '-A COAXIS-OPT -i br-opt -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt state=replies-out" -j ACCEPT',
    ]


def test_without_sources_the_coaxis_lans_are_the_sources():
    text = _fwplan.render_rules('br-opt', LANS, [ACME])
    assert '-A COAXIS-OPT -s 192.168.2.0/24 -d 172.16.1.10/32 -o br-opt -p tcp' in text


def test_the_rule_set_only_touches_our_chains_and_is_stable():
    text = _fwplan.render_rules('br-opt', LANS, [ACME, GLOBEX], sources=SOURCES)
    assert text == _fwplan.render_rules('br-opt', LANS, [GLOBEX, ACME], sources=SOURCES)
    body = [line for line in text.splitlines() if line and not line.startswith('#')]
    assert body[:3] == ['*filter', ':COAXIS-OPT - [0:0]', ':COAXIS-OPT-INPUT - [0:0]'] and body[-1] == 'COMMIT'
    assert all(line.split()[1] in ('COAXIS-OPT', 'COAXIS-OPT-INPUT') for line in _fwplan.rule_lines(text))


def test_default_deny_closes_the_chain_after_every_accept():
    allow = [{'name': 'admin', 'address': '192.168.2.20', 'port': 8000}]
    lines = _fwplan.rule_lines(_fwplan.render_rules('br-opt', LANS, [ACME], allow, sources=SOURCES))
    assert lines[-6:] == [
        '-A COAXIS-OPT -i br-opt -o br-opt -m comment --comment "coaxis-opt isolation=client-to-client" -j REJECT',
        '-A COAXIS-OPT -d 192.168.2.0/24 -i br-opt -m comment --comment "coaxis-opt isolation=client-to-coaxis-lan" '
        '-j REJECT',
        '-A COAXIS-OPT -i br-opt -m comment --comment "coaxis-opt deny=egress" -j REJECT',
        '-A COAXIS-OPT -o br-opt -m comment --comment "coaxis-opt deny=ingress" -j REJECT',
        '-A COAXIS-OPT-INPUT -i br-opt -m conntrack --ctstate RELATED,ESTABLISHED '
        '-m comment --comment "coaxis-opt isolation=replies" -j RETURN',
        '-A COAXIS-OPT-INPUT -i br-opt -m comment --comment "coaxis-opt isolation=client-to-docker-host" -j REJECT',
    ]
    chain = [line for line in lines if line.startswith('-A COAXIS-OPT ')]
    accepts = [i for i, line in enumerate(chain) if line.endswith('-j ACCEPT')]
    rejects = [i for i, line in enumerate(chain) if line.endswith('-j REJECT')]
    # Every accept before the first reject; the last word on the bridge is ours, both ways.
    assert max(accepts) < min(rejects) and chain[-2:] == lines[-4:-2]


def test_many_ports_are_split_by_fifteen_and_every_source_gets_rules():
    client = {'name': 'big', 'ip': '172.16.1.12', 'ports': list(range(9100, 9131))}
    lines = [line for line in _fwplan.client_rules(client, ['10.0.0.0/8', '192.168.2.10'], 'br-opt')
             if '--dports' in line]
    assert len(lines) == 6
    assert all(len(line.split('--dports ')[1].split()[0].split(',')) <= 15 for line in lines)


def test_a_client_without_printers_nor_sites_has_no_rule():
    assert _fwplan.client_rules({'name': 'empty', 'ip': '172.16.1.13', 'ports': []}, SOURCES, 'br-opt') == [
        '# empty 172.16.1.13: listen ports none; opens none']


def resolver(table):
    return lambda host: table.get(host, [])


def test_each_client_may_open_its_sites_ssh_port_and_ping_them_only():
    acme = dict(ACME, sites=[{'name': 'lyon', 'host': '203.0.113.10'},
                             {'name': 'paris', 'host': '203.0.113.11', 'port': 2222}])
    clients, errors = _fwplan.resolve_egress([acme], resolver({}), ['192.168.2.53'])
    assert errors == [] and clients[0]['dns'] == []
    lines = _fwplan.client_rules(clients[0], ['192.168.2.10'], 'br-opt')
    assert lines[0] == '# acme 172.16.1.10: listen ports 9101,9102; opens 203.0.113.10:22, 203.0.113.11:2222'
    assert lines[2:] == [
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 203.0.113.10/32 -i br-opt -p icmp -m icmp --icmp-type 8 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 203.0.113.10/32 -i br-opt -p tcp -m tcp --dport 22 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 203.0.113.11/32 -i br-opt -p icmp -m icmp --icmp-type 8 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 203.0.113.11/32 -i br-opt -p tcp -m tcp --dport 2222 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
    ]


def test_a_site_named_by_host_name_gets_its_addresses_and_dns_to_the_resolvers():
    acme = dict(ACME, sites=[{'name': 'lyon', 'host': 'lyon.acme.example', 'port': 22}])
    table = {'lyon.acme.example': ['203.0.113.20', '203.0.113.10', '203.0.113.20']}
    clients, errors = _fwplan.resolve_egress([acme], resolver(table), ['192.168.2.54', '192.168.2.53'])
    assert errors == []
    assert clients[0]['egress'] == [('icmp', '203.0.113.10', None), ('tcp', '203.0.113.10', 22),
                                    ('icmp', '203.0.113.20', None), ('tcp', '203.0.113.20', 22)]
    assert clients[0]['dns'] == ['192.168.2.53', '192.168.2.54']
    lines = _fwplan.client_rules(clients[0], ['192.168.2.10'], 'br-opt')
    assert lines[0].endswith('; DNS 192.168.2.53, 192.168.2.54')
    assert lines[-4:] == [
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 192.168.2.53/32 -i br-opt -p udp -m udp --dport 53 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 192.168.2.53/32 -i br-opt -p tcp -m tcp --dport 53 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 192.168.2.54/32 -i br-opt -p udp -m udp --dport 53 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
        '-A COAXIS-OPT -s 172.16.1.10/32 -d 192.168.2.54/32 -i br-opt -p tcp -m tcp --dport 53 '
        '-m comment --comment "coaxis-opt client=acme" -j ACCEPT',
    ]
    # A client whose sites are all addresses gets no DNS.
    globex = dict(GLOBEX, sites=[{'name': 'lyon', 'host': '203.0.113.10', 'port': 22}])
    assert _fwplan.resolve_egress([globex], resolver({}), ['192.168.2.53'])[0][0]['dns'] == []


def test_a_host_name_that_does_not_resolve_or_no_resolver_is_refused():
    acme = dict(ACME, sites=[{'name': 'lyon', 'host': 'lyon.acme.example', 'port': 22}])
    assert _fwplan.resolve_egress([acme], resolver({}), ['192.168.2.53'])[1] == [
        'acme: site lyon: lyon.acme.example resolves to no IPv4 address on the Docker host, and its firewall rule '
        'needs one; fix the DNS or name the site by its address']
    errors = _fwplan.resolve_egress([acme], resolver({'lyon.acme.example': ['203.0.113.10']}), [])[1]
    assert errors == ['acme: a site is named by host name, but no DNS server is known to allow its container to ask '
                      '(set opt_dns_servers, or name the site by its address)']


@pytest.mark.parametrize('sources, expected', [
    ([], ['no Coaxis host address given (opt_coaxis_sources, by default the addresses of the coaxis_hosts group): '
          'nobody could print through the firewall']),
    (['erp-1.coaxis.lan', '192.168.2.1/24', '192.168.2.10'], [
        "Coaxis host 'erp-1.coaxis.lan': expected an IPv4 address or network (e.g. 192.168.2.10 or 192.168.2.8/29); "
        "set opt_coaxis_sources to the Coaxis hosts' addresses",
        "Coaxis host '192.168.2.1/24': expected an IPv4 address or network (e.g. 192.168.2.10 or 192.168.2.8/29); "
        "set opt_coaxis_sources to the Coaxis hosts' addresses"]),
])
def test_coaxis_sources_must_be_addresses(sources, expected):
    assert _fwplan.validate(LANS, [], sources=sources) == expected


@pytest.mark.parametrize('site', [
    {'name': 'lyon', 'host': '10.0.0.010', 'port': 22},
    {'name': 'lyon', 'host': 'bad host', 'port': 22},
    {'name': 'lyon', 'host': '203.0.113.10', 'port': 0},
])
def test_a_site_that_cannot_make_a_rule_is_refused(site):
    errors = _fwplan.validate(LANS, [dict(ACME, sites=[site])], sources=SOURCES)
    assert len(errors) == 1 and errors[0].startswith('acme: site lyon: host ') and 'cannot make a firewall rule' in errors[0]


def test_dns_servers_must_be_addresses():
    assert _fwplan.validate_dns_servers(['192.168.2.53', 'dns.coaxis.lan']) == [
        "DNS server 'dns.coaxis.lan': expected an IPv4 address (opt_dns_servers)"]


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


# A new client as the guide declares it (opt_sites: []): no printer, no site, so no rule of its own.
EMPTY = {'name': 'nova', 'ip': '172.16.1.14', 'ports': []}


def test_a_client_without_printers_nor_sites_is_in_the_rule_set_all_the_same():
    """Its entry (the comment line the diff shows) names it: the summary, the answer's clients and
    the drift check read the clients of a rule set from the same text as the diff."""
    text = _fwplan.render_rules('br-opt', LANS, [ACME, EMPTY], sources=SOURCES)
    assert _fwplan.clients_in(text) == ['acme', 'nova']
    assert _fwplan.clients_in(_fwplan.render_rules('br-opt', LANS, [dict(EMPTY, name='n-2')])) == ['n-2']
    # The other comments of a rule set name no client.
    assert _fwplan.clients_in(_fwplan.render_rules('br-opt', LANS, [], [{'name': 'admin', 'address': '192.168.2.20',
                                                                         'port': 8000}])) == []


def test_a_client_without_printers_nor_sites_is_added_and_pruned_as_the_diff_shows():
    before = _fwplan.render_rules('br-opt', LANS, [ACME], sources=SOURCES)
    after = _fwplan.render_rules('br-opt', LANS, [ACME, EMPTY], sources=SOURCES)
    added = _fwplan.plan(spec(), None, '', None, after)
    assert added['added'] == ['acme', 'nova']
    added = _fwplan.plan(spec(), observed(), before, 0, after)
    assert (added['apply'], added['added'], added['pruned']) == (True, ['nova'], [])
    assert _fwplan.summary('opt-clients', after, 'nft', added) == (
        'firewall of opt-clients: 2 client(s) with rules, backend nft; added: nova; pruned: -')
    pruned = _fwplan.plan(spec(), observed(), after, 0, before)
    assert (pruned['added'], pruned['pruned']) == ([], ['nova'])


def test_only_clients_with_a_container_or_being_added_get_rules():
    clients = [ACME, GLOBEX, {'name': 'initech', 'ip': '172.16.1.12', 'ports': [9101]}]
    assert [c['name'] for c in _fwplan.deployed(clients, {'globex', 'other'}, ['initech'])] == ['globex', 'initech']


def test_clients_may_reach_the_admin_interface():
    allow = [{'name': 'admin', 'address': '192.168.2.20', 'port': 8000}]
    lines = _fwplan.rule_lines(_fwplan.render_rules('br-opt', LANS, [], allow))
    assert lines[2:4] == [
        '-A COAXIS-OPT -i br-opt -d 192.168.2.20/32 -p tcp -m tcp --dport 8000 -m comment --comment "coaxis-opt allow=admin" -j ACCEPT',
        '-A COAXIS-OPT -i br-opt -o br-opt -m comment --comment "coaxis-opt isolation=client-to-client" -j REJECT',
    ]


DECIDED = {'container': 'none', 'apply': True, 'added': ['acme'], 'pruned': ['globex', 'initech'], 'changed': True}


def test_the_plan_names_the_container_and_the_rule_set_with_who_is_added_and_pruned():
    assert _fwplan.plan_actions('opt-firewall', DECIDED) == [
        {'action': 'apply', 'target': 'rule set opt-firewall:/var/lib/opt-firewall/rules.v4',
         'reason': 'added: acme; pruned: globex, initech'}]
    started = dict(DECIDED, container='start', added=[], pruned=[])
    assert [(item['action'], item['reason']) for item in _fwplan.plan_actions('fw', started)] == [
        ('start', None), ('apply', None)]
    assert _fwplan.plan_actions('fw', dict(DECIDED, apply=False)) == []


@pytest.mark.parametrize('lang, expected', [
    ('en', 'firewall of opt-clients: 2 client(s) with rules, backend ?; added: acme; pruned: globex, initech'),
    ('fr', 'pare-feu de opt-clients : 2 client(s) avec règles, backend ? ; ajoutés : acme ; retirés : globex, initech'),
])
def test_the_summary_is_the_operator_s_one_line(lang, expected):
    rules = _fwplan.render_rules('br-opt', LANS, [ACME, GLOBEX], sources=SOURCES)
    assert _fwplan.summary('opt-clients', rules, '', DECIDED, lang) == expected


def test_the_admin_interface_must_be_an_address():
    assert _fwplan.admin_allow('', None) == ([], [])
    assert _fwplan.admin_allow('http://10.129.0.20:8000', None) == (
        [{'name': 'admin', 'address': '10.129.0.20', 'port': 8000}], [])
    assert _fwplan.admin_allow('http://admin.coaxis.test:8000', '10.129.0.21')[0][0]['address'] == '10.129.0.21'
    allow, errors = _fwplan.admin_allow('http://admin.coaxis.test:8000', None)
    assert allow == [] and len(errors) == 1 and 'admin.coaxis.test' in errors[0]


def test_dns_is_needed_only_when_a_site_is_named_by_host_name():
    assert not _fwplan.names_a_site_by_host_name([dict(ACME, sites=[{'host': '10.131.1.10'}])])
    assert _fwplan.names_a_site_by_host_name([ACME, dict(GLOBEX, sites=[{'host': 'lyon.acme.test'}])])
