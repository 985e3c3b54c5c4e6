# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Removing clients from a Docker host (coaxis.opt.opt_remove), planned without Docker.

What belongs to a client is what carries its label (``coaxis.opt.client=<name>``): its container
and its volumes, including the ones left behind by a volume migration. The container goes; the
volumes stay unless the operator asked to purge them, so adding the client back finds its data.
"""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _naming
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._contract import action


def validate(names, lang='en'):
    errors = [msg('client_name_invalid', lang, client=name) for name in names if not _ipplan.valid_client_name(name)]
    duplicates = sorted(set(name for name in names if names.count(name) > 1))
    return errors + [msg('client_duplicate', lang, client=name, count=names.count(name)) for name in duplicates]


def owned_by(objects, name):
    """Docker objects (dicts with 'Labels') labelled for client ``name``."""
    return [item for item in objects if _naming.client_of(item) == name]


def plan(names, containers, volumes, purge):
    """Per client: the containers to remove (id, name) and the volumes to remove or keep.

    containers: engine summaries ({Id, Names, Labels, State}); volumes: ({Name, Labels}).
    """
    result = []
    for name in names:
        mine = owned_by(containers, name)
        vols = sorted(v['Name'] for v in owned_by(volumes, name))
        result.append({
            'client': name,
            'containers': [{'id': c['Id'], 'name': (c.get('Names') or ['/?'])[0].lstrip('/'), 'state': c.get('State')}
                           for c in mine],
            'remove_volumes': vols if purge else [],
            'keep_volumes': [] if purge else vols,
        })
    return result


def changed(items):
    return any(item['containers'] or item['remove_volumes'] for item in items)


def summary(item, lang='en'):
    """One operator line per client."""
    if not item['containers'] and not item['remove_volumes']:
        return msg('remove_nothing', lang, client=item['client'],
                   kept=', '.join(item['keep_volumes']) or '-')
    return msg('remove_done', lang, client=item['client'],
               containers=', '.join(c['name'] for c in item['containers']) or '-',
               removed=', '.join(item['remove_volumes']) or '-',
               kept=', '.join(item['keep_volumes']) or '-')


def actions(items):
    """The plan's actions: each container, then each volume removed (purge)."""
    return ([action('remove', 'container %s' % c['name'], None) for i in items for c in i['containers']]
            + [action('remove', 'volume %s' % v, 'purge') for i in items for v in i['remove_volumes']])


def client_results(items):
    """Per client: containers removed, volumes removed and kept."""
    return dict((i['client'], {'containers': [c['name'] for c in i['containers']],
                               'volumes_removed': i['remove_volumes'], 'volumes_kept': i['keep_volumes']})
                for i in items)


def diff(items):
    before = dict((i['client'], {'containers': [c['name'] for c in i['containers']],
                                 'volumes': i['remove_volumes'] + i['keep_volumes']}) for i in items)
    after = dict((i['client'], {'containers': [], 'volumes': i['keep_volumes']}) for i in items)
    return before, after
