# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What coaxis-opt calls things on a Docker engine: labels, and the names of client containers,
volumes and helpers. One place, so that a module that lists "ours" and the module that made them
cannot disagree. Also the one reader of the managed objects (a single engine call each)."""

from __future__ import annotations

LABEL_MANAGED_BY = 'coaxis.opt.managed-by'
MANAGED_BY = 'coaxis-opt'
MANAGED_FILTER = '%s=%s' % (LABEL_MANAGED_BY, MANAGED_BY)
LABEL_CLIENT = 'coaxis.opt.client'
LABEL_HASH = 'coaxis.opt.config-hash'
LABEL_IP = 'coaxis.opt.ip'
LABEL_ROLE = 'coaxis.opt.role'          # a Docker host's service container: firewall, edge
LABEL_VOLUME = 'coaxis.opt.volume'      # a client volume's role: config, logs
LABEL_MIGRATED_FROM = 'coaxis.opt.migrated-from'
LABEL_HELPER = 'coaxis.opt.helper'      # a short-lived helper container: config, migrate, ...

DEFAULT_PREFIX = 'opt-'
VOLUME_ROLES = ('config', 'logs')


def managed_labels(**extra):
    """The label every object coaxis-opt makes carries, plus ``extra`` (keys are label names)."""
    labels = {LABEL_MANAGED_BY: MANAGED_BY}
    labels.update(extra)
    return labels


def container_name(client, prefix=DEFAULT_PREFIX):
    """A client's container: C(<prefix><client>)."""
    return '%s%s' % (prefix, client)


def volume_name(client, role, prefix=DEFAULT_PREFIX):
    """A client's default volume of ``role`` (config, logs): C(<prefix><client>-<role>)."""
    return '%s%s-%s' % (prefix, client, role)


def volume_names(client, prefix=DEFAULT_PREFIX):
    """(config volume, logs volume): the default names."""
    return tuple(volume_name(client, role, prefix) for role in VOLUME_ROLES)


def helper_name(purpose, prefix=DEFAULT_PREFIX):
    """A helper container: C(<prefix>helper-<purpose>)."""
    return '%shelper-%s' % (prefix, purpose)


def is_helper(summary):
    return LABEL_HELPER in (summary.get('Labels') or {})


def client_of(summary):
    """The client a container or volume summary belongs to, or None."""
    return (summary.get('Labels') or {}).get(LABEL_CLIENT)


# --- the one reader of what is ours on an engine (a call each) -------------------------------

def managed_containers(client, helpers=False):
    """Every container coaxis-opt made (running or not), helpers left out unless asked."""
    summaries = client.api.containers(all=True, filters={'label': MANAGED_FILTER})
    return [s for s in summaries if helpers or not is_helper(s)]


def managed_volumes(client):
    return (client.api.volumes(filters={'label': MANAGED_FILTER}) or {}).get('Volumes') or []


def managed_client_names(client):
    """Names of the clients that have a coaxis-opt container on the engine (running or not)."""
    return set(client_of(s) for s in managed_containers(client)) - set([None])


def network_containers(client, network):
    """Every container attached to ``network``, ours or not (an address taken is taken)."""
    return client.api.containers(all=True, filters={'network': network})
