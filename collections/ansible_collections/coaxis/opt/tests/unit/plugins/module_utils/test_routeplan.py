# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Route planning of opt_route: request checks, conflicts with the host's table, the unit."""

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _routeplan as rp

ROUTE = {'dest': '10.128.0.0/16', 'via': '10.129.0.1', 'comment': 'lab-docker-host'}
# What `ip -j route show table main` says on the lab's Coaxis host.
LAN = {'dst': '10.129.0.0/24', 'dev': 'eth0', 'protocol': 'kernel', 'scope': 'link', 'prefsrc': '10.129.0.10'}
DIRECT = {'10.129.0.1': {'dst': '10.129.0.1', 'dev': 'eth0', 'prefsrc': '10.129.0.10'}}
MANAGED = [{'dest': '10.128.0.0/16', 'via': '10.129.0.1', 'comment': 'lab-docker-host'}]


def plan(routes, runtime=(LAN,), gateways=None, managed=(), lang='en'):
    normalized, errors = rp.validate_routes(routes, 'coaxis-opt-routes', lang)
    assert errors == []
    return rp.plan_routes(normalized, rp.normalize_runtime(list(runtime)), gateways or DIRECT, list(managed), lang)


@pytest.mark.parametrize('routes, expected', [
    ([dict(ROUTE, dest='10.128.0.1/16')], ['route 10.128.0.1/16: host bits are set; did you mean 10.128.0.0/16?']),
    ([dict(ROUTE, dest='10.128.0.0')], []),
    ([dict(ROUTE, dest='10.300.0.0/16')], ['route 10.300.0.0/16: not a valid IPv4 network (a.b.c.d/n)']),
    ([dict(ROUTE, dest='0.0.0.0/0')], ['route 0.0.0.0/0: the default route is not managed by coaxis.opt.opt_route']),
    ([dict(ROUTE, via='10.129.0.256')], ['route 10.128.0.0/16: gateway 10.129.0.256 is not a valid IPv4 address']),
    ([dict(ROUTE, via='10.128.0.1')], ['route 10.128.0.0/16: gateway 10.128.0.1 is inside the destination itself']),
    ([ROUTE, dict(ROUTE, state='absent')], ['route 10.128.0.0/16 is listed 2 times']),
    ([ROUTE, dict(ROUTE, dest='10.128.4.0/24')], ['route 10.128.4.0/24 overlaps the requested route 10.128.0.0/16']),
    ([dict(ROUTE, comment='two\nlines')], ['route 10.128.0.0/16: the comment must be one line of printable characters']),
])
def test_request_refusals(routes, expected):
    assert rp.validate_routes(routes, 'coaxis-opt-routes')[1] == expected


def test_every_problem_at_once_and_in_french():
    errors = rp.validate_routes([dict(ROUTE, dest='10.128.0.1/16'), dict(ROUTE, dest='10.140.0.0/16', via='x')],
                                'bad name.service', 'fr')[1]
    assert len(errors) == 3
    assert "vouliez-vous dire 10.128.0.0/16 ?" in errors[1]


def test_a_single_address_is_a_host_route():
    assert rp.validate_routes([dict(ROUTE, dest='10.128.0.7')], 'u')[0][0]['dest'] == '10.128.0.7/32'


def test_new_route_is_added_and_persisted():
    result = plan([ROUTE])
    assert result['errors'] == []
    assert result['commands'] == [['route', 'add', '10.128.0.0/16', 'via', '10.129.0.1']]
    assert [r['action'] for r in result['results']] == ['added']
    assert result['unit_routes'] == MANAGED


def test_identical_route_is_adopted():
    existing = {'dst': '10.128.0.0/16', 'gateway': '10.129.0.1', 'dev': 'eth0'}
    result = plan([ROUTE], runtime=(LAN, existing))
    assert result['commands'] == [] and result['results'][0]['action'] == 'none'
    assert result['unit_routes'] == MANAGED


def test_same_destination_other_gateway_is_a_conflict_naming_both():
    existing = {'dst': '10.128.0.0/16', 'gateway': '10.129.0.5', 'dev': 'eth0'}
    result = plan([ROUTE], runtime=(LAN, existing))
    assert result['errors'] == [
        'route 10.128.0.0/16 via 10.129.0.1: the host already has the route 10.128.0.0/16 via 10.129.0.5 dev eth0; '
        'it is never overwritten: remove it by hand or fix the inventory']
    assert result['commands'] == []


def test_same_destination_on_a_device_or_blackhole_is_a_conflict():
    for existing, shown in (({'dst': '10.128.0.0/16', 'dev': 'eth1', 'protocol': 'kernel', 'scope': 'link'},
                             '10.128.0.0/16 dev eth1 proto kernel'),
                            ({'type': 'blackhole', 'dst': '10.128.0.0/16'}, 'blackhole 10.128.0.0/16')):
        assert shown in plan([ROUTE], runtime=(LAN, existing))['errors'][0]


def test_more_specific_route_inside_is_a_conflict_unless_ours():
    inner = {'dst': '10.128.5.0/24', 'gateway': '10.129.0.7', 'dev': 'eth0'}
    assert 'the host has the more specific route 10.128.5.0/24 via 10.129.0.7 dev eth0 inside it' in \
        plan([ROUTE], runtime=(LAN, inner))['errors'][0]
    ours = [{'dest': '10.128.5.0/24', 'via': '10.129.0.7', 'comment': ''}]
    assert plan([ROUTE], runtime=(LAN, inner), managed=ours)['errors'] == []


def test_less_specific_routes_are_no_conflict():
    default = {'dst': 'default', 'gateway': '10.129.0.254', 'dev': 'eth0'}
    wide = {'dst': '10.0.0.0/8', 'gateway': '10.129.0.254', 'dev': 'eth0'}
    assert plan([ROUTE], runtime=(LAN, default, wide))['errors'] == []


def test_gateway_must_be_directly_connected():
    far = {'10.129.0.1': {'dst': '10.129.0.1', 'gateway': '10.139.0.1', 'dev': 'eth1'}}
    failed = {'10.129.0.1': {'error': 'RTNETLINK answers: Network is unreachable'}}
    local = {'10.129.0.1': {'type': 'local', 'dst': '10.129.0.1', 'dev': 'lo'}}
    assert plan([ROUTE], gateways=far)['errors'] == [
        'route 10.128.0.0/16: gateway 10.129.0.1 is not on a directly connected network of this host '
        '(reached via 10.139.0.1 dev eth1)']
    assert 'Network is unreachable' in plan([ROUTE], gateways=failed)['errors'][0]
    assert '(local address)' in plan([ROUTE], gateways=local)['errors'][0]


def test_our_route_follows_a_new_gateway():
    existing = {'dst': '10.128.0.0/16', 'gateway': '10.129.0.1', 'dev': 'eth0'}
    direct = {'10.129.0.2': {'dst': '10.129.0.2', 'dev': 'eth0'}}
    result = plan([dict(ROUTE, via='10.129.0.2')], runtime=(LAN, existing), gateways=direct, managed=MANAGED)
    assert result['errors'] == []
    assert result['commands'] == [['route', 'del', '10.128.0.0/16', 'via', '10.129.0.1'],
                                  ['route', 'add', '10.128.0.0/16', 'via', '10.129.0.2']]


def test_absent_removes_only_that_route_and_its_unit_line():
    existing = {'dst': '10.128.0.0/16', 'gateway': '10.129.0.1', 'dev': 'eth0'}
    result = plan([dict(ROUTE, state='absent')], runtime=(LAN, existing), managed=MANAGED)
    assert result['commands'] == [['route', 'del', '10.128.0.0/16', 'via', '10.129.0.1']]
    assert result['results'][0]['action'] == 'removed' and result['unit_routes'] == []
    other = {'dst': '10.128.0.0/16', 'gateway': '10.129.0.5', 'dev': 'eth0'}
    result = plan([dict(ROUTE, state='absent')], runtime=(LAN, other))
    assert result['commands'] == [] and result['results'][0]['action'] == 'none'


def test_unnamed_unit_routes_are_kept():
    kept = {'dest': '172.20.0.0/16', 'via': '10.129.0.3', 'comment': 'docker-2'}
    assert plan([ROUTE], managed=[kept])['unit_routes'] == MANAGED + [kept]


def test_unit_round_trip_and_marker():
    text = rp.render_unit(MANAGED, '/usr/sbin/ip', 'coaxis-opt-routes')
    assert text.startswith('# managed by coaxis.opt.opt_route')
    for line in ('Type=oneshot', 'RemainAfterExit=yes', 'After=network-online.target', 'Wants=network-online.target',
                 'ExecStart=-/usr/sbin/ip route add 10.128.0.0/16 via 10.129.0.1',
                 'ExecStop=-/usr/sbin/ip route del 10.128.0.0/16 via 10.129.0.1', 'WantedBy=multi-user.target'):
        assert line in text.splitlines()
    assert rp.parse_unit(text) == MANAGED
    assert rp.unit_is_ours(text) and rp.unit_is_ours(None) and not rp.unit_is_ours('[Unit]\n')
    assert rp.render_unit([], '/usr/sbin/ip', 'u') is None


@pytest.mark.parametrize('before, after, enabled, active, steps', [
    (None, 'unit', False, False, ['write', 'daemon-reload', 'enable', 'start']),
    ('unit', 'unit', True, True, []),
    ('old', 'unit', True, True, ['write', 'daemon-reload']),
    ('unit', 'unit', True, False, ['start']),
    ('unit', None, True, True, ['disable', 'stop', 'remove', 'daemon-reload']),
    (None, None, False, False, []),
])
def test_systemd_steps_never_restart(before, after, enabled, active, steps):
    assert rp.plan_systemd(before, after, enabled, active) == steps


def test_runtime_after_for_the_diff():
    runtime = rp.normalize_runtime([LAN, {'dst': '10.128.0.0/16', 'gateway': '10.129.0.1', 'dev': 'eth0'}])
    assert rp.runtime_after(runtime, [['route', 'del', '10.128.0.0/16', 'via', '10.129.0.1']]) == \
        ['10.129.0.0/24 dev eth0 proto kernel']


def test_undeclared_routes_are_the_units_routes_the_request_does_not_name():
    old = {'dest': '10.140.0.0/16', 'via': '10.129.0.9', 'comment': 'docker-2'}
    assert rp.undeclared([dict(ROUTE, state='present')], MANAGED + [old]) == [old]
    assert rp.undeclared([dict(ROUTE, state='absent')], MANAGED) == []
    assert rp.undeclared([], MANAGED) == MANAGED
