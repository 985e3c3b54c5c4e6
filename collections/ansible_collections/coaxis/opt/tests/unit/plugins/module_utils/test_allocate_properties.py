# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Properties of the address allocation (plan_addresses / allocate) over random valid plans.

The oracle below works on plain integers, independently of netaddr.IPSet and address_pool().
"""

from __future__ import annotations

import random

import netaddr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import (
    address_pool,
    allocate,
    default_gateway,
    plan_addresses,
    valid_client_name,
    validate_network,
)

TEN = 10 << 24
SETTINGS = settings(max_examples=100, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
client_names = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(_ALNUM), st.text(_ALNUM + '-', max_size=6), st.sampled_from(_ALNUM),
)


def ip(value):
    return str(netaddr.IPAddress(value))


def as_int(text):
    return int(netaddr.IPAddress(text))


@st.composite
def networks(draw):
    """A valid network: dict(network, reserved, hosts, pool) with pool the ints clients may hold."""
    prefix = draw(st.integers(20, 29))
    size = 1 << (32 - prefix)
    base = TEN + draw(st.integers(0, (1 << 24) // size - 1)) * size
    network = {'name': 'opt-clients', 'subnet': '%s/%d' % (ip(base), prefix)}
    first, last = base, base + size - 1
    if draw(st.booleans()):
        range_prefix = draw(st.integers(prefix, 32))
        range_size = 1 << (32 - range_prefix)
        range_base = base + draw(st.integers(0, size // range_size - 1)) * range_size
        network['ip_range'] = '%s/%d' % (ip(range_base), range_prefix)
        first, last = range_base, range_base + range_size - 1
    hosts = list(range(base + 1, base + size - 1))
    gateway = draw(st.sampled_from(hosts)) if draw(st.booleans()) else base + 1
    if gateway != base + 1 or draw(st.booleans()):
        network['gateway'] = ip(gateway)
    reserved = draw(st.lists(st.sampled_from(hosts), max_size=6, unique=True))
    pool = set(range(max(first, base), min(last, base + size - 1) + 1))
    pool -= {base, base + size - 1, gateway}
    pool -= set(reserved)
    assert validate_network(network, reserved=[ip(r) for r in reserved]) == []
    return dict(network=network, reserved=[ip(r) for r in reserved], hosts=hosts, gateway=gateway, pool=pool)


@st.composite
def plans(draw):
    """A valid network with pinned clients, unpinned clients and engine endpoints, no conflict."""
    net = draw(networks())
    names = draw(st.lists(client_names, unique=True, max_size=14))
    pool = sorted(net['pool'])
    n_pinned = draw(st.integers(0, min(len(names), len(pool))))
    pinned_ips = draw(st.lists(st.sampled_from(pool), min_size=n_pinned, max_size=n_pinned, unique=True)) \
        if n_pinned else []
    pinned = dict(zip(names[:n_pinned], pinned_ips))
    unpinned = names[n_pinned:]
    clients = [dict(name=n, ip=ip(a)) for n, a in pinned.items()] + [dict(name=n) for n in unpinned]
    if unpinned and draw(st.booleans()):
        clients.append(dict(name=unpinned[0], ip=''))  # an empty ip is "allocate me" too
        clients = [c for c in clients if c != dict(name=unpinned[0])]

    # Endpoints: distinct addresses, never on the gateway; on someone else's pinned address only when
    # conflicts is drawn (the plan is then refused for that client, but the allocation still runs).
    conflicts = draw(st.booleans())
    free_hosts = [h for h in net['hosts'] if (conflicts or h not in set(pinned_ips)) and h != net['gateway']]
    owners = draw(st.lists(
        st.one_of(st.none(), st.sampled_from(names + ['oldco', 'gone-client']) if names else st.none()),
        max_size=10))
    endpoints, seen_clients, used = [], set(), set()
    for index, owner in enumerate(owners):
        if owner is not None and owner in seen_clients:
            continue
        if owner in pinned and pinned[owner] not in used and draw(st.booleans()):
            address = pinned[owner]  # its own container, on its own address
        else:
            choices = [h for h in free_hosts if h not in used]
            if conflicts and draw(st.booleans()):
                choices = [h for h in pinned_ips if h not in used and pinned.get(owner) != h] or choices
            if not choices:
                break
            address = draw(st.sampled_from(choices))
        used.add(address)
        if owner is not None:
            seen_clients.add(owner)
        endpoints.append(dict(container='c%d-%s' % (index, owner or 'other'), client=owner, ip=ip(address)))
    only = None if draw(st.booleans()) or not names else draw(st.lists(st.sampled_from(names), unique=True))
    return dict(net=net, clients=clients, endpoints=endpoints, only=only, pinned=pinned, unpinned=unpinned)


def run(plan, clients=None, endpoints=None):
    net = plan['net']
    network = dict(net['network'])
    assert validate_network(network, reserved=net['reserved']) == []
    network['gateway'] = network.get('gateway') or default_gateway(network['subnet'])
    return plan_addresses(network, clients if clients is not None else plan['clients'],
                          endpoints if endpoints is not None else plan['endpoints'],
                          reserved=net['reserved'], only=plan['only'])


def oracle(plan):
    """What the allocation must be: holders, sticky addresses kept, the names left without one."""
    pinned_ips = set(plan['pinned'].values())
    only = plan['only']

    def moving(e):
        owner = e['client']
        return owner in plan['pinned'] and ip(plan['pinned'][owner]) != e['ip'] and (only is None or owner in only)

    endpoints = dict((as_int(e['ip']), e) for e in plan['endpoints'] if not moving(e))
    holders = dict((address, e['client']) for address, e in endpoints.items())
    engine_errors = []  # a pinned client whose address another container keeps
    for client in plan['clients']:
        holder = endpoints.get(as_int(client['ip'])) if client.get('ip') else None
        if holder is not None and holder['client'] != client['name']:
            engine_errors.append('%s: %s is already used on the engine by container %s'
                                 % (client['name'], client['ip'], holder['container']))
    pool = plan['net']['pool']
    kept = {}
    for e in plan['endpoints']:
        address = as_int(e['ip'])
        if e['client'] in plan['unpinned'] and address in pool and address not in pinned_ips:
            kept[e['client']] = address
    free = pool - pinned_ips - set(holders)
    rest = sorted(n for n in plan['unpinned'] if n not in kept)
    left = rest[len(free):]
    return dict(holders=holders, kept=kept, free=free, left=left, engine_errors=engine_errors)


@SETTINGS
@given(plans())
def test_allocation_invariants(plan):
    result = run(plan)
    expected = oracle(plan)
    given_ips = dict((a['client'], a['ip']) for a in result['allocated'])

    # Only the unpinned clients are allocated, each at most once, all addresses distinct.
    assert set(given_ips) <= set(plan['unpinned'])
    assert len(set(given_ips.values())) == len(given_ips)
    for name, text in given_ips.items():
        address = as_int(text)
        assert address in plan['net']['pool'], (name, text)  # in ip_range/subnet; not net/bcast/gw/reserved
        assert address not in set(plan['pinned'].values())
        assert expected['holders'].get(address, name) == name  # nobody else's container holds it

    # A client whose container's address is still free keeps it, and says so.
    for name, address in expected['kept'].items():
        assert given_ips[name] == ip(address)
    for entry in result['allocated']:
        assert entry['kept'] == (entry['client'] in expected['kept'])

    # Exhaustion: exactly the surplus names (last in name order) are refused, the others get an address.
    pool_text = plan['net']['network'].get('ip_range') or plan['net']['network']['subnet']
    exhausted = ['%s: no free address left in %s to allocate (%d client(s) without an ip)'
                 % (name, pool_text, len(plan['unpinned'])) for name in expected['left']]
    too_small = [e for e in result['errors'] if ' usable address(es) for ' in e]
    assert len(too_small) == (1 if len(plan['clients']) > len(plan['net']['pool']) else 0)
    assert [e for e in result['errors'] if e not in too_small] == expected['engine_errors'] + exhausted
    assert set(given_ips) == set(plan['unpinned']) - set(expected['left'])

    # The planned clients carry their address (pinned ones unchanged), in the input order.
    assert [c['name'] for c in result['clients']] == [c['name'] for c in plan['clients']]
    for client in result['clients']:
        if client['name'] in plan['pinned']:
            assert client['ip'] == ip(plan['pinned'][client['name']])
        elif client['name'] in given_ips:
            assert client['ip'] == given_ips[client['name']]
        else:
            assert not client.get('ip')


@SETTINGS
@given(plans(), st.randoms(use_true_random=False))
def test_allocation_is_deterministic_and_order_independent(plan, rnd):
    first = run(plan)
    assert run(plan) == first
    clients = list(plan['clients'])
    endpoints = list(plan['endpoints'])
    rnd.shuffle(clients)
    rnd.shuffle(endpoints)
    shuffled = run(plan, clients, endpoints)
    assert shuffled['allocated'] == first['allocated']
    assert sorted(shuffled['errors']) == sorted(first['errors'])
    assert dict((c['name'], c.get('ip')) for c in shuffled['clients']) == \
        dict((c['name'], c.get('ip')) for c in first['clients'])


@SETTINGS
@given(networks(), st.data())
def test_allocate_directly(net, data):
    pool = sorted(net['pool'])
    taken = set(data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=8))) if pool else set()
    wanted = data.draw(st.lists(client_names, unique=True, max_size=10))
    sticky = {}  # each existing container has its own address
    for name in wanted:
        if data.draw(st.booleans()):
            address = data.draw(st.sampled_from(net['hosts']))
            if ip(address) not in sticky.values():
                sticky[name] = ip(address)
    network = dict(net['network'])
    network['gateway'] = network.get('gateway') or default_gateway(network['subnet'])
    assert set(as_int(str(a)) for a in address_pool(network, net['reserved'])) == net['pool']

    shuffled = list(wanted)
    random.Random(len(wanted)).shuffle(shuffled)
    given_ips, left = allocate(network, shuffled, lambda text, name: as_int(text) in taken,
                               net['reserved'], sticky)
    assert (given_ips, left) == allocate(network, wanted, lambda text, name: as_int(text) in taken,
                                         net['reserved'], sticky)
    assert len(set(given_ips.values())) == len(given_ips)
    assert all(as_int(a) in net['pool'] and as_int(a) not in taken for a in given_ips.values())
    assert set(given_ips) | set(left) == set(wanted) and not set(given_ips) & set(left)
    # The non-sticky clients take the lowest free addresses, in name order.
    keeps = dict((n, a) for n, a in given_ips.items() if sticky.get(n) == a)
    for name in sorted(wanted):
        if name in sticky and as_int(sticky[name]) in net['pool'] and as_int(sticky[name]) not in taken:
            assert keeps.get(name) == sticky[name]
    free = sorted(set(net['pool']) - taken - set(as_int(a) for a in keeps.values()))
    others = sorted(n for n in wanted if n not in keeps)
    assert [given_ips.get(n) for n in others] == [ip(a) for a in free[:len(others)]] + [None] * (
        len(others) - min(len(others), len(free)))
    assert left == others[len(free):]
    assert all(valid_client_name(n) for n in wanted)


def test_two_containers_of_one_client_do_not_make_the_plan_order_dependent():
    network = {'name': 'opt-clients', 'subnet': '10.128.0.0/24', 'gateway': '10.128.0.1'}
    old = dict(container='opt-acme', client='acme', ip='10.128.0.50')
    stale = dict(container='opt-acme-old', client='acme', ip='10.128.0.60')
    clients = [dict(name='acme'), dict(name='globex')]
    assert plan_addresses(network, clients, [old, stale]) == plan_addresses(network, clients, [stale, old])
