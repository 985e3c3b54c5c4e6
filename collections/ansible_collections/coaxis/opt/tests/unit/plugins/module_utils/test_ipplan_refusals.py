# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every way an address plan is refused, with the exact operator message.

Each case goes through the same path as the modules and the inventory filter: validate_network
first; only when the network is valid, plan_addresses with the gateway defaulted.
"""

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import (
    default_gateway,
    plan_addresses,
    validate_network,
)

NET = {'name': 'opt-clients', 'subnet': '10.128.0.0/16'}
NAME_RULE_EN = ('invalid client name: use 2 to 32 characters, lowercase letters, digits and dashes, '
                'not starting or ending with a dash')
NAME_RULE_FR = ('nom de client invalide : 2 à 32 caractères, minuscules, chiffres et tirets, '
                'sans tiret au début ni à la fin')
IFNAME_RULE = "use 1 to 15 characters, letters, digits, '-', '_' or '.'"


def refusals(network=None, clients=(), endpoints=(), lang='en', reserved=(), coaxis_lans=(),
             other_networks=None, only=None):
    """The error list of a plan, computed as the modules compute it."""
    network = dict(network if network is not None else NET)
    errors = validate_network(network, lang, reserved=list(reserved), coaxis_lans=list(coaxis_lans),
                              other_networks=other_networks)
    if errors:
        return errors
    network['gateway'] = network.get('gateway') or default_gateway(network['subnet'])
    return plan_addresses(network, [dict(c) for c in clients], list(endpoints), lang,
                          reserved=list(reserved), only=only)['errors']


def one(name, ip=None, **extra):
    client = dict(name=name, **extra)
    if ip is not None:
        client['ip'] = ip
    return client


def case(case_id, expected, marks=(), **inputs):
    return pytest.param(inputs, expected, id=case_id, marks=marks)


REFUSALS = [
    # --- not an IPv4 address --------------------------------------------------------------
    case('ip-abc', ['acme: abc is not a valid IPv4 address'], clients=[one('acme', 'abc')]),
    case('ip-three-octets', ['acme: 10.128.0 is not a valid IPv4 address'], clients=[one('acme', '10.128.0')]),
    case('ip-octet-256', ['acme: 10.128.0.256 is not a valid IPv4 address'],
         clients=[one('acme', '10.128.0.256')]),
    case('ip-leading-zero', ['acme: 010.128.0.5 is not a valid IPv4 address'],
         clients=[one('acme', '010.128.0.5')]),
    case('ip-with-prefix', ['acme: 10.128.0.5/16 is not a valid IPv4 address'],
         clients=[one('acme', '10.128.0.5/16')]),
    case('ip-leading-space', ['acme:  10.128.0.5 is not a valid IPv4 address'],
         clients=[one('acme', ' 10.128.0.5')]),
    case('ip-trailing-newline', ['acme: 10.128.0.5\n is not a valid IPv4 address'],
         clients=[one('acme', '10.128.0.5\n')]),
    case('ip-ipv6', ['acme: fd00::1 is not a valid IPv4 address'], clients=[one('acme', 'fd00::1')]),
    case('ip-hex', ['acme: 0x0a800005 is not a valid IPv4 address'], clients=[one('acme', '0x0a800005')]),
    # --- address inside the plan but not usable ---------------------------------------------
    case('ip-outside-subnet', ['acme: 10.129.0.5 is outside the subnet 10.128.0.0/16'],
         clients=[one('acme', '10.129.0.5')]),
    case('ip-outside-ip-range', ['acme: 10.128.2.5 is outside the ip_range 10.128.1.0/24 of 10.128.0.0/16'],
         network=dict(NET, ip_range='10.128.1.0/24'), clients=[one('acme', '10.128.2.5')]),
    case('ip-network-address', ['acme: 10.128.0.0 is the network address of 10.128.0.0/16'],
         clients=[one('acme', '10.128.0.0')]),
    case('ip-broadcast-address', ['acme: 10.128.255.255 is the broadcast address of 10.128.0.0/16'],
         clients=[one('acme', '10.128.255.255')]),
    case('ip-default-gateway', ['acme: 10.128.0.1 is the gateway of 10.128.0.0/16'],
         clients=[one('acme', '10.128.0.1')]),
    case('ip-explicit-gateway', ['acme: 10.128.0.254 is the gateway of 10.128.0.0/16'],
         network=dict(NET, gateway='10.128.0.254'), clients=[one('acme', '10.128.0.254')]),
    case('ip-reserved', ['acme: 10.128.0.5 is reserved in the plan of opt-clients (opt_reserved_ips)'],
         reserved=['10.128.0.4', '10.128.0.5'], clients=[one('acme', '10.128.0.5')]),
    case('ip-duplicate-names-both', ['globex: 10.128.0.10 is also the address of client acme'],
         clients=[one('acme', '10.128.0.10'), one('globex', '10.128.0.10')]),
    case('ip-used-by-unmanaged-container',
         ['acme: 10.128.0.10 is already used on the engine by container intruder'],
         clients=[one('acme', '10.128.0.10')],
         endpoints=[dict(container='intruder', client=None, ip='10.128.0.10')]),
    case('ip-used-by-other-client-not-converged',
         ['acme: 10.128.0.10 is already used on the engine by container opt-globex'],
         clients=[one('acme', '10.128.0.10'), one('globex', '10.128.0.11')],
         endpoints=[dict(container='opt-globex', client='globex', ip='10.128.0.10')], only=['acme']),
    case('ip-used-by-unpinned-client-container',
         ['acme: 10.128.0.10 is already used on the engine by container opt-globex'],
         clients=[one('acme', '10.128.0.10'), one('globex')],
         endpoints=[dict(container='opt-globex', client='globex', ip='10.128.0.10')]),
    case('ip-used-by-client-gone-from-inventory',
         ['acme: 10.128.0.10 is already used on the engine by container opt-oldco'],
         clients=[one('acme', '10.128.0.10')],
         endpoints=[dict(container='opt-oldco', client='oldco', ip='10.128.0.10')]),
    # --- reserved addresses -----------------------------------------------------------------
    case('reserved-invalid', ['network opt-clients: reserved address 10.128.0 is not a valid IPv4 address'],
         reserved=['10.128.0'], clients=[one('acme', '10.128.0.10')]),
    case('reserved-outside-subnet',
         ['network opt-clients: reserved address 10.129.0.5 is outside the subnet 10.128.0.0/16'],
         reserved=['10.129.0.5'], clients=[one('acme', '10.128.0.10')]),
    # --- the network itself -----------------------------------------------------------------
    case('subnet-overlaps-coaxis-lan',
         ['network opt-clients: subnet 10.128.0.0/16 overlaps the Coaxis LAN 10.0.0.0/8'],
         coaxis_lans=['192.168.1.0/24', '10.0.0.0/8']),
    case('subnet-contains-coaxis-lan',
         ['network opt-clients: subnet 10.128.0.0/16 overlaps the Coaxis LAN 10.128.200.0/24'],
         coaxis_lans=['10.128.200.0/24']),
    case('subnet-overlaps-engine-network',
         ['network opt-clients: subnet 10.128.0.0/16 overlaps the network legacy (10.128.128.0/17) of the engine'],
         other_networks={'bridge': '172.17.0.0/16', 'legacy': '10.128.128.0/17', 'opt-clients': '10.128.0.0/16'}),
    case('coaxis-lan-invalid',
         ['network opt-clients: Coaxis LAN 192.168.1.0/33 (opt_coaxis_lans) is not a valid IPv4 network (a.b.c.d/n)',
          'network opt-clients: Coaxis LAN lan (opt_coaxis_lans) is not a valid IPv4 network (a.b.c.d/n)'],
         coaxis_lans=['192.168.1.0/33', 'lan']),
    case('gateway-outside-subnet', ['network opt-clients: gateway 10.1.0.1 is outside the subnet 10.128.0.0/16'],
         network=dict(NET, gateway='10.1.0.1')),
    case('gateway-network-address',
         ['network opt-clients: gateway 10.128.0.0 is the network or broadcast address of 10.128.0.0/16'],
         network=dict(NET, gateway='10.128.0.0')),
    case('gateway-broadcast-address',
         ['network opt-clients: gateway 10.128.255.255 is the network or broadcast address of 10.128.0.0/16'],
         network=dict(NET, gateway='10.128.255.255')),
    case('gateway-invalid', ['network opt-clients: gateway 10.128.0.300 is not a valid IPv4 address'],
         network=dict(NET, gateway='10.128.0.300')),
    case('ip-range-outside-subnet',
         ['network opt-clients: ip_range 10.200.0.0/24 is not inside the subnet 10.128.0.0/16'],
         network=dict(NET, ip_range='10.200.0.0/24')),
    case('ip-range-wider-than-subnet',
         ['network opt-clients: ip_range 10.128.0.0/15 is not inside the subnet 10.128.0.0/16'],
         network=dict(NET, ip_range='10.128.0.0/15')),
    case('ip-range-not-network-address',
         ['network opt-clients: ip_range 10.128.1.7/24 is not a valid IPv4 network'],
         network=dict(NET, ip_range='10.128.1.7/24')),
    case('ip-range-garbage', ['network opt-clients: ip_range 10.128.1.0/abc is not a valid IPv4 network'],
         network=dict(NET, ip_range='10.128.1.0/abc')),
    case('subnet-not-network-address',
         ['network opt-clients: subnet 10.128.0.1/16 is not a network address; did you mean 10.128.0.0/16?'],
         network=dict(NET, subnet='10.128.0.1/16')),
    case('subnet-prefix-31',
         ['network opt-clients: subnet 10.128.0.0/31 is not a valid IPv4 network (a.b.c.d/n, n from 8 to 30)'],
         network=dict(NET, subnet='10.128.0.0/31')),
    case('subnet-prefix-7',
         ['network opt-clients: subnet 10.0.0.0/7 is not a valid IPv4 network (a.b.c.d/n, n from 8 to 30)'],
         network=dict(NET, subnet='10.0.0.0/7')),
    case('subnet-no-prefix',
         ['network opt-clients: subnet 10.128.0.0 is not a valid IPv4 network (a.b.c.d/n, n from 8 to 30)'],
         network=dict(NET, subnet='10.128.0.0')),
    case('network-name-invalid',
         ["invalid network name -opt: use letters, digits, '-', '_' or '.', starting with a letter or digit"],
         network=dict(NET, name='-opt')),
    case('network-name-trailing-newline',
         ["invalid network name opt\n: use letters, digits, '-', '_' or '.', starting with a letter or digit"],
         network=dict(NET, name='opt\n')),
    case('bridge-name-16-chars',
         ['network opt-clients: invalid bridge name br-opt-clients-x: ' + IFNAME_RULE],
         network=dict(NET, bridge_name='br-opt-clients-x')),
    case('bridge-name-slash', ['network opt-clients: invalid bridge name br/opt: ' + IFNAME_RULE],
         network=dict(NET, bridge_name='br/opt')),
    case('bridge-name-trailing-newline', ['network opt-clients: invalid bridge name br0\n: ' + IFNAME_RULE],
         network=dict(NET, bridge_name='br0\n')),
    # --- size of the plan -------------------------------------------------------------------
    case('net-too-small',
         ['network opt-clients: 10.128.0.0/29 has 5 usable address(es) for 6 client(s); use a shorter prefix',
          'ffff: no free address left in 10.128.0.0/29 to allocate (6 client(s) without an ip)'],
         network=dict(NET, subnet='10.128.0.0/29'),
         clients=[one(n) for n in ('ffff', 'aaaa', 'bbbb', 'cccc', 'dddd', 'eeee')]),
    case('net-too-small-ip-range-and-reserved',
         ['network opt-clients: 10.128.1.0/30 has 3 usable address(es) for 4 client(s); use a shorter prefix',
          'dddd: no free address left in 10.128.1.0/30 to allocate (3 client(s) without an ip)'],
         network=dict(NET, ip_range='10.128.1.0/30'), reserved=['10.128.1.0'],
         clients=[one('aaaa', '10.128.1.1'), one('bbbb'), one('cccc'), one('dddd')]),
    case('pool-exhausted-by-engine',
         ['cccc: no free address left in 10.128.0.0/29 to allocate (2 client(s) without an ip)'],
         network=dict(NET, subnet='10.128.0.0/29'),
         clients=[one('aaaa', '10.128.0.2'), one('cccc'), one('bbbb')],
         endpoints=[dict(container='web', client=None, ip='10.128.0.3'),
                    dict(container='db', client=None, ip='10.128.0.4'),
                    dict(container='opt-oldco', client='oldco', ip='10.128.0.5')]),
    # --- client names -----------------------------------------------------------------------
    case('name-uppercase', ['Acme: ' + NAME_RULE_EN], clients=[one('Acme', '10.128.0.10')]),
    case('name-underscore', ['ac_me: ' + NAME_RULE_EN], clients=[one('ac_me', '10.128.0.10')]),
    case('name-dot', ['ac.me: ' + NAME_RULE_EN], clients=[one('ac.me', '10.128.0.10')]),
    case('name-slash', ['ac/me: ' + NAME_RULE_EN], clients=[one('ac/me', '10.128.0.10')]),
    case('name-dotdot-path', ['../x: ' + NAME_RULE_EN], clients=[one('../x')]),
    case('name-space', ['ac me: ' + NAME_RULE_EN], clients=[one('ac me', '10.128.0.10')]),
    case('name-leading-dash', ['-acme: ' + NAME_RULE_EN], clients=[one('-acme', '10.128.0.10')]),
    case('name-trailing-dash', ['acme-: ' + NAME_RULE_EN], clients=[one('acme-')]),
    case('name-one-char', ['a: ' + NAME_RULE_EN], clients=[one('a', '10.128.0.10')]),
    case('name-33-chars', ['a' * 33 + ': ' + NAME_RULE_EN], clients=[one('a' * 33, '10.128.0.10')]),
    case('name-unicode', ['café: ' + NAME_RULE_EN], clients=[one('café', '10.128.0.10')]),
    case('name-empty', ["'': " + NAME_RULE_EN], clients=[one('', '10.128.0.10')]),
    case('name-missing', ['None: ' + NAME_RULE_EN], clients=[{'ip': '10.128.0.10'}]),
    case('name-semicolon', ['ac;me: ' + NAME_RULE_EN], clients=[one('ac;me', '10.128.0.10')]),
    case('name-quote', ["ac'me: " + NAME_RULE_EN], clients=[one("ac'me", '10.128.0.10')]),
    case('name-dollar', ['$(id): ' + NAME_RULE_EN], clients=[one('$(id)')]),
    case('name-trailing-newline', ['acme\n: ' + NAME_RULE_EN], clients=[one('acme\n', '10.128.0.10')]),
    case('name-duplicate', ['acme: the client is listed 3 times'],
         clients=[one('acme', '10.128.0.10'), one('acme', '10.128.0.11'), one('acme', '10.128.0.12')]),
    case('interface-too-long', ['acme: invalid interface name eth-opt-clients0: ' + IFNAME_RULE],
         clients=[one('acme', '10.128.0.10', interface='eth-opt-clients0')]),
    case('interface-space', ['acme: invalid interface name eth 0: ' + IFNAME_RULE],
         clients=[one('acme', '10.128.0.10', interface='eth 0')]),
    case('interface-dotdot', ['acme: invalid interface name ..: ' + IFNAME_RULE],
         clients=[one('acme', '10.128.0.10', interface='..')]),
    # --- several problems at once: all of them, in order ------------------------------------
    case('several-problems',
         ['Bad: ' + NAME_RULE_EN,
          'Bad: 10.128.0.0 is the network address of 10.128.0.0/16',
          'globex: 10.128.0.10 is already used on the engine by container intruder',
          'hooli: 10.128.0.10 is also the address of client globex',
          'hooli: 10.128.0.10 is already used on the engine by container intruder'],
         clients=[one('Bad', '10.128.0.0'), one('globex', '10.128.0.10'), one('hooli', '10.128.0.10')],
         endpoints=[dict(container='intruder', client=None, ip='10.128.0.10')]),
    # --- French -----------------------------------------------------------------------------
    case('fr-network-address', ["acme : 10.128.0.0 est l'adresse de réseau de 10.128.0.0/16"],
         lang='fr', clients=[one('acme', '10.128.0.0')]),
    case('fr-ip-invalid', ["acme : 010.128.0.5 n'est pas une adresse IPv4 valide"],
         lang='fr', clients=[one('acme', '010.128.0.5')]),
    case('fr-duplicate-ip', ["globex : 10.128.0.10 est aussi l'adresse du client acme"],
         lang='fr', clients=[one('acme', '10.128.0.10'), one('globex', '10.128.0.10')]),
    case('fr-used-on-engine',
         ['acme : 10.128.0.10 est déjà utilisée sur le moteur par le conteneur intruder'],
         lang='fr', clients=[one('acme', '10.128.0.10')],
         endpoints=[dict(container='intruder', client=None, ip='10.128.0.10')]),
    case('fr-reserved', ['acme : 10.128.0.5 est réservée dans le plan de opt-clients (opt_reserved_ips)'],
         lang='fr', reserved=['10.128.0.5'], clients=[one('acme', '10.128.0.5')]),
    case('fr-name-invalid', ['ac_me : ' + NAME_RULE_FR], lang='fr', clients=[one('ac_me', '10.128.0.10')]),
    case('fr-net-too-small',
         ['réseau opt-clients : 10.128.0.0/30 offre 1 adresse(s) utilisable(s) pour 2 client(s) ; '
          'prenez un préfixe plus court',
          'bbbb : plus aucune adresse libre dans 10.128.0.0/30 à attribuer (1 client(s) sans ip)'],
         lang='fr', network=dict(NET, subnet='10.128.0.0/30'), clients=[one('aaaa', '10.128.0.2'), one('bbbb')]),
    case('fr-overlap-coaxis',
         ['réseau opt-clients : le sous-réseau 10.128.0.0/16 chevauche le LAN Coaxis 10.0.0.0/8'],
         lang='fr', coaxis_lans=['10.0.0.0/8']),
    case('fr-subnet-not-network',
         ["réseau opt-clients : le sous-réseau 10.128.0.1/16 n'est pas une adresse de réseau ; "
          'vouliez-vous dire 10.128.0.0/16 ?'],
         lang='fr', network=dict(NET, subnet='10.128.0.1/16')),
]


@pytest.mark.parametrize('inputs, expected', REFUSALS)
def test_refused_with_exact_messages(inputs, expected):
    errors = refusals(**inputs)
    for message in expected:
        assert message in errors
    assert errors == expected


def test_refusal_ids_are_unique_and_many():
    ids = [p.id for p in REFUSALS]
    assert len(ids) == len(set(ids)) >= 45
    assert sum(1 for p in REFUSALS if p.values[0].get('lang') == 'fr') >= 5


ACCEPTED = [
    pytest.param(dict(clients=[one('acme', '')]), {'acme': '10.128.0.2'}, id='empty-ip-is-allocated'),
    pytest.param(dict(clients=[one('acme', None)]), {'acme': '10.128.0.2'}, id='none-ip-is-allocated'),
    pytest.param(dict(clients=[one('acme', '10.128.0.10'), one('globex', '10.128.0.11')],
                      endpoints=[dict(container='opt-globex', client='globex', ip='10.128.0.10')],
                      only=['acme', 'globex']),
                 {'acme': '10.128.0.10', 'globex': '10.128.0.11'}, id='moving-client-in-only-frees-its-address'),
    pytest.param(dict(clients=[one('acme', '10.128.0.10'), one('globex', '10.128.0.11')],
                      endpoints=[dict(container='opt-globex', client='globex', ip='10.128.0.10')]),
                 {'acme': '10.128.0.10', 'globex': '10.128.0.11'}, id='moving-client-all-converged'),
    pytest.param(dict(clients=[one('acme', '10.128.0.10')],
                      endpoints=[dict(container='opt-acme', client='acme', ip='10.128.0.10')]),
                 {'acme': '10.128.0.10'}, id='own-container-holds-own-address'),
    pytest.param(dict(clients=[one('acme')],
                      endpoints=[dict(container='opt-acme', client='acme', ip='10.128.0.77')]),
                 {'acme': '10.128.0.77'}, id='unpinned-keeps-its-container-address'),
    pytest.param(dict(clients=[one('acme')], reserved=['10.128.0.2', '10.128.0.3'],
                      endpoints=[dict(container='web', client=None, ip='10.128.0.4')]),
                 {'acme': '10.128.0.5'}, id='allocation-skips-reserved-and-engine'),
    pytest.param(dict(network=dict(NET, subnet='10.128.0.0/30'), clients=[one('acme')]),
                 {'acme': '10.128.0.2'}, id='smallest-subnet-one-client'),
    pytest.param(dict(network=dict(NET, gateway='10.128.0.254', ip_range='10.128.1.0/24'),
                      clients=[one('acme'), one('globex', '10.128.1.1')]),
                 {'acme': '10.128.1.0', 'globex': '10.128.1.1'}, id='ip-range-gateway-outside-range'),
    pytest.param(dict(clients=[one('ac'), one('a' * 32, '10.128.0.3'), one('0x')],
                      coaxis_lans=['192.168.0.0/16'], other_networks={'bridge': '172.17.0.0/16'}),
                 {'0x': '10.128.0.2', 'a' * 32: '10.128.0.3', 'ac': '10.128.0.4'}, id='edge-names-no-overlap'),
]


@pytest.mark.parametrize('inputs, expected_ips', ACCEPTED)
def test_accepted(inputs, expected_ips):
    assert refusals(**inputs) == []
    network = dict(inputs.get('network', NET))
    network['gateway'] = network.get('gateway') or default_gateway(network['subnet'])
    plan = plan_addresses(network, inputs['clients'], inputs.get('endpoints', ()),
                          reserved=inputs.get('reserved', ()), only=inputs.get('only'))
    assert dict((c['name'], c['ip']) for c in plan['clients']) == expected_ips
