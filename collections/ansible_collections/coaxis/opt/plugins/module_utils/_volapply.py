# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine side of opt_volume: read the volumes and the clients' mounts, execute a plan's actions.

A migration creates the new volume, then ONE short-lived helper container (the docker-opt
image, never pulled) lists the source, copies it with ``cp -a``, lists the target; the module
compares the two listings (_volplan.compare_listings). The source is mounted read-only; the
helper runs as root with only the capabilities a faithful copy needs, no network, and is always
removed. Nothing here decides anything (see _volplan); nothing here removes a volume.
"""

from __future__ import annotations

import uuid

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _limits, _naming, _volplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# What cp -a as root needs to keep owners, modes and set-id bits; everything else is dropped.
HELPER_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID']


class StepFailed(Exception):
    """A migration step failed; the message is rendered for the operator."""


def read_volumes(client, names):
    """{name: normalized} of the named volumes that exist: one list, then an inspect per existing one."""
    listed = set(v['Name'] for v in (client.api.volumes() or {}).get('Volumes') or [])
    return dict((name, _volplan.normalize_volume(client.api.inspect_volume(name)))
                for name in sorted(set(names)) if name in listed)


def read_mounts(client):
    """{container name: {mount point: volume}} of the managed containers: one filtered list."""
    return _volplan.mounted_volumes(_naming.managed_containers(client))


def create_volume(client, desired, labels):
    client.api.create_volume(name=desired['name'], driver=desired['driver'],
                             driver_opts=desired['options'] or None, labels=labels)


def helper_config(image_id, source, target, name_prefix):
    """The create_container and create_host_config arguments of the copy helper (plain data)."""
    container = {
        'image': image_id,
        'name': '%s-%s' % (_naming.helper_name('migrate', name_prefix), uuid.uuid4().hex[:8]),
        'entrypoint': [],
        'command': ['sh', '-c', _volplan.COPY_SCRIPT],
        'user': '0',
        'labels': _naming.managed_labels(**{_naming.LABEL_HELPER: 'migrate'}),
        'network_disabled': True,
        'detach': True,
    }
    host = {
        'mounts': [
            {'source': source, 'target': _volplan.HELPER_FROM, 'read_only': True},
            {'source': target, 'target': _volplan.HELPER_TO, 'read_only': False},
        ],
        'network_mode': 'none',
        'cap_drop': ['ALL'],
        'cap_add': list(HELPER_CAPS),
        'security_opt': ['no-new-privileges:true'],
    }
    host.update(_limits.helper_host_config_args())
    return container, host


def copy_volume(client, image_id, item, name_prefix, wait, lang):
    """Copy item['source'] into item['name'] and verify; the number of files copied, or StepFailed."""
    source, target = item['source'], item['name']
    container, host = helper_config(image_id, source, target, name_prefix)
    types = _docker.docker.types
    host['mounts'] = [types.Mount(target=m['target'], source=m['source'], type='volume', read_only=m['read_only'])
                      for m in host['mounts']]
    container['host_config'] = client.api.create_host_config(**host)
    helper_id = client.api.create_container(**container)['Id']
    try:
        code = _docker.run_helper(client, helper_id, wait)
        if code is None:
            raise StepFailed(msg('cfg_helper_timeout', lang, volume=target, timeout=wait))
        if code != 0:
            errors = client.api.logs(helper_id, stdout=False, stderr=True)
            raise StepFailed(msg('vol_migrate_copy_failed', lang, client=item['client'], role=item['role'],
                                 source=source, volume=target, code=code, output=_docker.clip_output(errors)))
        before, after = _volplan.parse_listing(client.api.logs(helper_id, stdout=True, stderr=False))
    finally:
        _docker.remove_helper(client, helper_id)
    problems = _volplan.compare_listings(before, after, lang)
    if problems:
        raise StepFailed(msg('vol_migrate_verify_failed', lang, client=item['client'], role=item['role'],
                             source=source, volume=target, differences=_volplan.describe_problems(problems, lang)))
    return _volplan.file_count(before)


def migrate(client, image_id, item, observed, name_prefix, wait, lang):
    """Create the target (unless a previous, unfinished run made it) and copy the source into it."""
    if item['name'] not in observed:
        create_volume(client, item['desired'], _volplan.migration_labels(item['desired'], item['source']))
    return copy_volume(client, image_id, item, name_prefix, wait, lang)
