# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The recorded state of a Docker host: digests, and what a later run finds different."""

from __future__ import annotations

import json
import secrets

from ansible_collections.coaxis.opt.plugins.module_utils import _hoststate as hs

OBSERVED = {'images': {'coaxis/docker-opt:lab': 'sha256:1'}, 'containers': [{'id': 'a', 'state': 'running'}],
            'network': {'Id': 'n'}, 'volumes': [['opt-acme-config', 'local', {}, None]],
            'configs': {'missing': [], 'files': {'opt-acme-config': {'nginx.conf': {'content': b'x', 'mode': 420}}}},
            'firewall': {'rules': '-A x', 'check': 0}, 'edge': {'vhosts/acme.conf': {'content': b'y'}}}
INPUTS = {'host.opt_image': hs.digest('coaxis/docker-opt:lab'), 'client.acme': hs.digest({'opt_ip': '10.0.0.1'}),
          'code': 'f' * 64}


def test_the_same_inputs_and_engine_differ_in_nothing():
    recorded = json.loads(json.dumps(hs.fingerprint(INPUTS, OBSERVED)))
    assert hs.differences(recorded, hs.fingerprint(dict(INPUTS), dict(OBSERVED))) == []


def test_no_state_or_another_version_converges():
    current = hs.fingerprint(INPUTS, OBSERVED)
    assert hs.differences(None, current) == ['no_state']
    assert hs.differences(dict(current, version=hs.VERSION - 1), current) == ['no_state']


def test_changed_inputs_are_named_then_the_parts():
    recorded = hs.fingerprint(INPUTS, OBSERVED)
    inputs = dict(INPUTS, **{'client.acme': hs.digest({'opt_ip': '10.0.0.2'}), 'client.globex': hs.digest({})})
    observed = dict(OBSERVED, configs={'missing': [], 'files': {'opt-acme-config': {'nginx.conf': {'content': b'z'}}}})
    assert hs.differences(recorded, hs.fingerprint(inputs, observed)) == [
        'inputs:client.acme', 'inputs:client.globex', 'configs']


def test_at_most_five_inputs_are_named():
    many = dict(('client.c%d' % i, hs.digest(i)) for i in range(8))
    assert hs.differences(hs.fingerprint({}, OBSERVED), hs.fingerprint(many, OBSERVED))[-1] == 'inputs:...'


def test_only_digests_are_stored():
    secret = secrets.token_urlsafe(32)
    state = hs.fingerprint({'client.acme': {'opt_private_key': secret}, 'code': 'f' * 64}, OBSERVED)
    text = json.dumps(state)
    assert secret not in text and '-A x' not in text
    assert state['inputs']['code'] == 'f' * 64  # already a digest: kept as given


def test_state_names_differ_per_engine_and_network():
    names = {hs.state_name(url, net) for url in ('unix:///a.sock', 'unix:///b.sock') for net in ('n1', 'n2')}
    assert len(names) == 4 and all(n.startswith('host-') and n.endswith('.json') for n in names)
