# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the per-client volumes: pure functions over plain dicts, no Docker.

``desired_volumes()`` turns the inventory of one client into the two volumes it needs (driver
``local`` with driver options for NFS and CIFS); ``plan_volumes()`` decides create / none /
drift per volume. A drifted volume is reported and LEFT ALONE: never removed, never recreated.
Secrets (the CIFS password) never leave this module unmasked in a difference or a view.
"""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import valid_client_name
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

LABEL_CLIENT = 'coaxis.opt.client'
LABEL_MANAGED_BY = 'coaxis.opt.managed-by'
LABEL_VOLUME = 'coaxis.opt.volume'
MANAGED_BY = 'coaxis-opt'

ROLES = ('config', 'logs')
TYPES = ('local', 'nfs', 'cifs')
MASK = '********'
# Mount options whose value is a secret: masked in every difference and view.
SECRET_KEYS = ('password', 'pass')
DEFAULT_CIFS_UID = 10001
DEFAULT_CIFS_GID = 10001
DEFAULT_CIFS_VERS = '3.0'

# Options each type accepts (besides 'type'); the first ones of REQUIRED are mandatory.
ALLOWED = {
    'local': (),
    'nfs': ('addr', 'export', 'options'),
    'cifs': ('share', 'username', 'password', 'domain', 'uid', 'gid', 'vers', 'options'),
}
REQUIRED = {
    'local': (),
    'nfs': ('addr', 'export'),
    'cifs': ('share', 'username', 'password'),
}
# Values that go into the comma-separated mount option string: a comma would split them.
NO_COMMA = ('addr', 'username', 'password', 'domain', 'vers')


def volume_name(client, role, prefix='opt-'):
    return '%s%s-%s' % (prefix, client, role)


def volume_labels(client, role):
    return {LABEL_CLIENT: client, LABEL_MANAGED_BY: MANAGED_BY, LABEL_VOLUME: role}


def _present(spec, key):
    value = spec.get(key)
    return value is not None and value != ''


def validate_volume(client, role, spec, lang='en'):
    """Errors of one volume dict of the inventory (None means a plain local volume)."""
    if spec is None:
        return []
    kind = spec.get('type') or 'local'
    if kind not in TYPES:
        return [msg('vol_type_invalid', lang, client=client, role=role, type=kind, types=', '.join(TYPES))]
    errors = []
    for key in REQUIRED[kind]:
        if not _present(spec, key):
            errors.append(msg('vol_option_missing', lang, client=client, role=role, type=kind, option=key))
    for key in sorted(spec):
        if key != 'type' and key not in ALLOWED[kind] and _present(spec, key):
            errors.append(msg('vol_option_unexpected', lang, client=client, role=role, type=kind, option=key))
    for key in NO_COMMA:
        if key in ALLOWED[kind] and ',' in str(spec.get(key) or ''):
            errors.append(msg('vol_option_comma', lang, client=client, role=role, option=key))
    if kind == 'nfs' and _present(spec, 'export') and not str(spec['export']).startswith('/'):
        errors.append(msg('vol_export_invalid', lang, client=client, role=role, export=spec['export']))
    if kind == 'cifs' and _present(spec, 'share'):
        parts = str(spec['share']).split('/')
        if not str(spec['share']).startswith('//') or len(parts) < 4 or not parts[2] or not parts[3]:
            errors.append(msg('vol_share_invalid', lang, client=client, role=role, share=spec['share']))
    return errors


def validate_clients(clients, lang='en'):
    """Every problem of the ``clients`` option, before any change."""
    errors = []
    counts = {}
    for client in clients:
        counts[client.get('name')] = counts.get(client.get('name'), 0) + 1
    for name in sorted(n for n, c in counts.items() if c > 1 and n is not None):
        errors.append(msg('client_duplicate', lang, client=name, count=counts[name]))
    for client in clients:
        name = client.get('name')
        if not valid_client_name(name):
            errors.append(msg('client_name_invalid', lang, client=name))
            continue
        for role in ROLES:
            errors.extend(validate_volume(name, role, client.get('%s_volume' % role), lang))
    return errors


def driver_options(spec):
    """Driver options (all strings) of the ``local`` driver for one inventory volume dict."""
    spec = spec or {}
    kind = spec.get('type') or 'local'
    if kind == 'nfs':
        mount = ['addr=%s' % spec['addr']]
        if spec.get('options'):
            mount.append(str(spec['options']))
        return {'type': 'nfs', 'o': ','.join(mount), 'device': ':%s' % spec['export']}
    if kind == 'cifs':
        mount = ['username=%s' % spec['username'], 'password=%s' % spec['password'],
                 'uid=%s' % (spec.get('uid') if spec.get('uid') is not None else DEFAULT_CIFS_UID),
                 'gid=%s' % (spec.get('gid') if spec.get('gid') is not None else DEFAULT_CIFS_GID),
                 'vers=%s' % (spec.get('vers') or DEFAULT_CIFS_VERS)]
        if spec.get('domain'):
            mount.append('domain=%s' % spec['domain'])
        if spec.get('options'):
            mount.append(str(spec['options']))
        return {'type': 'cifs', 'device': str(spec['share']), 'o': ','.join(mount)}
    return {}


def desired_volumes(client, prefix='opt-'):
    """The two desired volumes of one inventory client: [{client, role, name, type, driver, options, labels}]."""
    volumes = []
    for role in ROLES:
        spec = client.get('%s_volume' % role) or {}
        volumes.append({
            'client': client['name'],
            'role': role,
            'name': volume_name(client['name'], role, prefix),
            'type': spec.get('type') or 'local',
            'driver': 'local',
            'options': driver_options(spec),
            'labels': volume_labels(client['name'], role),
        })
    return volumes


def normalize_volume(inspect):
    """The compared fields of a volume inspect (or volume list entry)."""
    return {
        'name': inspect.get('Name'),
        'driver': inspect.get('Driver'),
        'options': dict(inspect.get('Options') or {}),
        'labels': dict(inspect.get('Labels') or {}),
    }


def parse_mount_options(text):
    """'a=1,soft,b=2' -> {'a': '1', 'soft': None, 'b': '2'} (order is not significant)."""
    parsed = {}
    for part in (text or '').split(','):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition('=')
        parsed[key] = value if sep else None
    return parsed


def _mask_pair(key, value):
    return MASK if key in SECRET_KEYS and value is not None else value


def mask_mount_options(text):
    """The mount option string with every secret value replaced by ********."""
    if text is None:
        return None
    parts = []
    for part in text.split(','):
        key, sep, value = part.partition('=')
        parts.append('%s=%s' % (key, _mask_pair(key, value)) if sep else part)
    return ','.join(parts)


def masked_options(options):
    """Driver options safe to show: the 'o' string masked."""
    shown = dict(options or {})
    if 'o' in shown:
        shown['o'] = mask_mount_options(shown['o'])
    return shown


def volume_differences(desired, observed):
    """[{option, engine, inventory}] between a desired volume and an observed one, secrets masked.

    The mount option string 'o' is compared option by option (``o.<key>``), so that the
    difference names the option that differs and never shows a password.
    """
    differences = []
    if desired['driver'] != observed.get('driver'):
        differences.append({'option': 'driver', 'engine': observed.get('driver'), 'inventory': desired['driver']})
    want = desired.get('options') or {}
    have = observed.get('options') or {}
    for key in sorted(set(want) | set(have)):
        if key == 'o':
            continue
        if want.get(key) != have.get(key):
            differences.append({'option': key, 'engine': have.get(key), 'inventory': want.get(key)})
    want_o = parse_mount_options(want.get('o'))
    have_o = parse_mount_options(have.get('o'))
    for key in sorted(set(want_o) | set(have_o)):
        if want_o.get(key, False) != have_o.get(key, False):
            shown = dict(engine=have_o.get(key), inventory=want_o.get(key))
            if key not in have_o:
                shown['engine'] = None
            if key not in want_o:
                shown['inventory'] = None
            differences.append({'option': 'o.%s' % key, 'engine': _mask_pair(key, shown['engine']),
                                'inventory': _mask_pair(key, shown['inventory'])})
    return differences


def _show(value):
    return '(unset)' if value is None else str(value)


def describe_differences(differences, lang='en'):
    return '; '.join(msg('vol_difference', lang, option=d['option'], engine=_show(d['engine']),
                         inventory=_show(d['inventory'])) for d in differences)


def plan_volumes(desired_list, observed, lang='en'):
    """One item per desired volume, in input order.

    desired_list: desired_volumes() of every client; observed: {name: normalize_volume()}.
    Item: {client, role, name, type, action: create|none|drift, differences, message}.
    """
    plan = []
    for desired in desired_list:
        item = {'client': desired['client'], 'role': desired['role'], 'name': desired['name'],
                'type': desired['type'], 'desired': desired, 'differences': [], 'message': ''}
        current = observed.get(desired['name'])
        if current is None:
            item['action'] = 'create'
        else:
            item['differences'] = volume_differences(desired, current)
            item['action'] = 'drift' if item['differences'] else 'none'
        if item['action'] == 'drift':
            item['message'] = msg('vol_drift', lang, client=desired['client'], volume=desired['name'],
                                  differences=describe_differences(item['differences'], lang))
        plan.append(item)
    return plan


def migrate_requested(client, module_migrate):
    """Per-client ``migrate`` wins over the module-level one."""
    value = client.get('migrate')
    return bool(module_migrate) if value is None else bool(value)


def volume_view(item, observed=None):
    """What the result and the diff show of one volume (secrets masked)."""
    source = observed if observed is not None else item['desired']
    return {
        'name': item['name'],
        'role': item['role'],
        'type': item['type'],
        'driver': source.get('driver'),
        'options': masked_options(source.get('options')),
        'action': item['action'],
        'differences': item['differences'],
    }
