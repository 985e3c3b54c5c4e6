# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state of a Docker host at its last converge, so that a run finding it unchanged can stop
after one read instead of running every converge step again.

A state is two things, recorded right after a converge that succeeded: the digest of the inputs
(every opt_* variable of the Docker host and of its clients, and the digest of the code that
converges them) and the digest of each part of what the engine holds (images behind the tags,
managed containers, the client network and what is attached to it, volumes, the files of the
config volumes, the firewall's rules and check, the edge's files). A later run that computes the
same inputs and observes the same parts has nothing to do. Only digests are stored: no secret.

observe() reads the engine (one list or inspect per kind, one helper for every config volume, one
get_archive per edge container, one exec of the firewall's check); the rest is pure.
"""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply, _docker, _edgeread, _naming

VERSION = 2
DIGEST_RE = re.compile(r'^[0-9a-f]{64}$')
PARTS = ('images', 'containers', 'network', 'volumes', 'configs', 'firewall', 'edge')


def digest(value):
    """SHA-256 of the canonical JSON of ``value`` (bytes as their own SHA-256)."""
    def default(obj):
        if isinstance(obj, bytes):
            return 'sha256:' + hashlib.sha256(obj).hexdigest()
        if isinstance(obj, (set, frozenset)):
            return sorted(obj)
        return repr(obj)
    text = json.dumps(value, sort_keys=True, separators=(',', ':'), default=default)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def state_name(docker_host, network):
    """File name of a Docker host's state: several engines may share one controller."""
    return 'host-%s.json' % hashlib.sha256(('%s\0%s' % (docker_host, network)).encode('utf-8')).hexdigest()[:24]


def input_digests(inputs):
    """{name: digest} of ``inputs`` ({name: digest or value}): a value that is already a digest is
    kept, another one is digested, so that only digests are ever stored."""
    return dict((key, value if isinstance(value, str) and DIGEST_RE.fullmatch(value) else digest(value))
                for key, value in inputs.items())


def fingerprint(inputs, observed):
    return {'version': VERSION, 'inputs': input_digests(inputs),
            'parts': dict((p, digest(observed.get(p))) for p in PARTS)}


def differences(recorded, current, limit=5):
    """What differs between a recorded and a current fingerprint: [] when the host is as recorded.
    Changed inputs are named (``inputs:<key>``, at most ``limit`` of them), then the parts."""
    if not isinstance(recorded, dict) or recorded.get('version') != VERSION:
        return ['no_state']
    before = recorded.get('inputs') if isinstance(recorded.get('inputs'), dict) else {}
    after = current['inputs']
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    reasons = ['inputs:%s' % k for k in keys[:limit]] + (['inputs:...'] if len(keys) > limit else [])
    parts = recorded.get('parts') or {}
    return reasons + [p for p in PARTS if parts.get(p) != current['parts'][p]]


def _container(summary, network):
    endpoint = ((summary.get('NetworkSettings') or {}).get('Networks') or {}).get(network) or {}
    return {'id': summary.get('Id'), 'names': summary.get('Names'), 'state': summary.get('State'),
            'image': summary.get('ImageID'), 'labels': summary.get('Labels'),
            'ip': (endpoint.get('IPAMConfig') or {}).get('IPv4Address') or endpoint.get('IPAddress')}


def observe(client, spec):
    """Each part of what the engine holds. spec: {network, images, config_volumes, helper_image,
    firewall, edge, helper_name}."""
    parts = {'images': {}}
    for ref in spec['images']:
        try:
            parts['images'][ref] = client.api.inspect_image(ref)['Id']
        except _docker.NotFound:
            parts['images'][ref] = None
    containers = _naming.managed_containers(client)
    parts['containers'] = sorted((_container(c, spec['network']) for c in containers), key=lambda c: c['id'])
    try:
        net = client.api.inspect_network(spec['network'])
        keys = ('Id', 'Driver', 'IPAM', 'Options', 'Labels', 'Internal', 'EnableIPv6', 'Containers')
        parts['network'] = dict((k, net.get(k)) for k in keys)
    except _docker.NotFound:
        parts['network'] = None
    volumes = (client.api.volumes() or {}).get('Volumes') or []
    parts['volumes'] = sorted(([v.get('Name'), v.get('Driver'), v.get('Labels'), v.get('Options')] for v in volumes),
                              key=lambda v: v[0])
    names = set(v[0] for v in parts['volumes'])
    wanted = sorted(set(spec['config_volumes']))
    present = [v for v in wanted if v in names]
    parts['configs'] = {'missing': [v for v in wanted if v not in names]}
    if present and parts['images'].get(spec['helper_image']):
        parts['configs']['files'] = _configapply.read_volumes(client, parts['images'][spec['helper_image']], present,
                                                              spec['helper_name'])
    by_name = dict(((c.get('Names') or ['/'])[0].lstrip('/'), c) for c in containers)
    firewall = by_name.get(spec['firewall'])
    parts['firewall'] = None
    if firewall:
        check = None
        if firewall.get('State') == 'running':
            check = _docker.exec_command(client, firewall['Id'], ['opt-firewall', 'check'])[0]
        parts['firewall'] = {'rules': _edgeread.read_rules(client, firewall['Id']), 'check': check}
    edge = by_name.get(spec['edge'])
    parts['edge'] = _edgeread.read_edge_files(client, edge['Id']) if edge else None
    return parts
