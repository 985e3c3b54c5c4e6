# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine side of opt_remove: read what is ours, remove a client's containers and volumes.

Nothing here decides anything (see _removeplan)."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _naming


def read(client):
    """(managed containers, managed volumes) of the engine: a call each."""
    return _naming.managed_containers(client), _naming.managed_volumes(client)


def remove_container(client, container, stop_timeout):
    if container['state'] == 'running':
        client.api.stop(container['id'], timeout=stop_timeout)
    client.api.remove_container(container['id'], force=True)


def remove_volume(client, volume):
    client.api.remove_volume(volume)
