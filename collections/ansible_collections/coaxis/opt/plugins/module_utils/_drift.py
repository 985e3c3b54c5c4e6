# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drift of a Docker host against the inventory: pure comparison of what the engine holds
(client containers, containers on the client network, firewall rules, edge vhosts) with the
clients the inventory declares for that host. Nothing here reads or changes the engine."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

KINDS = ('containers', 'rules', 'vhosts')


def compare(declared, containers, attached, rule_clients, vhost_clients):
    """What differs.

    declared: names of the clients the inventory puts on this host; containers: {client: state}
    of the managed client containers; attached: names of the containers on the client network
    that are not managed client containers; rule_clients / vhost_clients: clients that have
    firewall rules / a vhost (None: not checked). Rules and vhosts are only expected for the
    declared clients that have a container (the firewall and the proxy serve no other).
    """
    declared = set(declared)
    deployed = declared & set(containers)
    result = {
        'containers': {'undeclared': sorted(set(containers) - declared), 'missing': sorted(declared - set(containers))},
        'stopped': sorted(name for name in deployed if containers[name] != 'running'),
        'unmanaged': sorted(attached),
    }
    for kind, found in (('rules', rule_clients), ('vhosts', vhost_clients)):
        if found is None:
            result[kind] = {'undeclared': [], 'missing': []}
            continue
        result[kind] = {'undeclared': sorted(set(found) - declared), 'missing': sorted(deployed - set(found))}
    result['drift'] = bool(result['stopped'] or result['unmanaged']
                           or any(result[k]['undeclared'] or result[k]['missing'] for k in KINDS))
    return result


def summary(host, network, found, lang='en'):
    """The operator's lines for one host's comparison (one line when nothing drifted)."""
    if not found['drift']:
        return [msg('drift_none', lang, host=host)]
    lines = []
    for kind in KINDS:
        label = msg('drift_kind_' + kind, lang)
        for side in ('undeclared', 'missing'):
            if found[kind][side]:
                lines.append(msg('drift_' + side, lang, host=host, kind=label, names=', '.join(found[kind][side])))
    if found['stopped']:
        lines.append(msg('drift_stopped', lang, host=host, names=', '.join(found['stopped'])))
    if found['unmanaged']:
        lines.append(msg('drift_unmanaged', lang, host=host, network=network, names=', '.join(found['unmanaged'])))
    return lines
