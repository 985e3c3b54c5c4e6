# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plan of the per-client volumes: pure functions over plain dicts, no Docker.

``desired_volumes()`` turns the inventory of one client into the two volumes it needs (driver
``local`` with driver options for NFS and CIFS), named by the inventory or by default
``<prefix><client>-config|logs``; ``plan_volumes()`` decides create / none / drift / migrate /
refused per volume. A drifted volume is reported and LEFT ALONE: never removed, never recreated.
A desired name that does not exist while the client's data is in another volume (the
*source*) is migrated (new volume, data copied, source kept) only when asked, else refused: a new
empty volume would hide the data. Secrets (the CIFS password) never leave this module unmasked
in a difference or a view.
"""

from __future__ import annotations

import re

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _naming
from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import valid_client_name
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# Docker's rule for volume names.
VOLUME_NAME = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]+$')

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


def volume_labels(client, role):
    return _naming.managed_labels(**{_naming.LABEL_CLIENT: client, _naming.LABEL_VOLUME: role})


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
    if _present(spec, 'name') and not VOLUME_NAME.fullmatch(str(spec['name'])):
        errors.append(msg('vol_name_invalid', lang, client=client, role=role, volume=spec['name']))
    for key in REQUIRED[kind]:
        if not _present(spec, key):
            errors.append(msg('vol_option_missing', lang, client=client, role=role, type=kind, option=key))
    for key in sorted(spec):
        if key not in ('type', 'name') and key not in ALLOWED[kind] and _present(spec, key):
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


def validate_clients(clients, lang='en', prefix='opt-'):
    """Every problem of the ``clients`` option, before any change."""
    errors = _ipplan.duplicate_clients(clients, lang)
    for client in clients:
        name = client.get('name')
        if not valid_client_name(name):
            errors.append(msg('client_name_invalid', lang, client=name))
            continue
        for role in _naming.VOLUME_ROLES:
            errors.extend(validate_volume(name, role, client.get('%s_volume' % role), lang))
    uses = {}
    first = {}
    for client in clients:
        first.setdefault(client.get('name'), client)
    for name in sorted(n for n in first if valid_client_name(n)):
        client = first[name]
        for role in _naming.VOLUME_ROLES:
            volume = (client.get('%s_volume' % role) or {}).get('name') or _naming.volume_name(name, role, prefix)
            uses.setdefault(volume, []).append('%s %s' % (name, role))
    for name in sorted(n for n, u in uses.items() if len(u) > 1):
        errors.append(msg('vol_name_duplicate', lang, volume=name, count=len(uses[name]), uses=', '.join(uses[name])))
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
    """The two desired volumes of one inventory client.

    [{client, role, name, default_name, type, driver, options, labels}]: ``name`` is the
    inventory's (``config_volume.name``) when given, else ``default_name``.
    """
    volumes = []
    for role in _naming.VOLUME_ROLES:
        spec = client.get('%s_volume' % role) or {}
        default = _naming.volume_name(client['name'], role, prefix)
        volumes.append({
            'client': client['name'],
            'role': role,
            'name': spec.get('name') or default,
            'default_name': default,
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


def _show(value, lang):
    return msg('value_unset', lang) if value is None else str(value)


def describe_differences(differences, lang='en'):
    return '; '.join(msg('vol_difference', lang, option=d['option'], engine=_show(d['engine'], lang),
                         inventory=_show(d['inventory'], lang)) for d in differences)


def mounted_volumes(summaries):
    """{container name: {mount point: volume name}} from a container list (its ``Mounts``)."""
    mounted = {}
    for summary in summaries or []:
        points = dict((m.get('Destination'), m.get('Name')) for m in summary.get('Mounts') or []
                      if m.get('Type') == 'volume' and m.get('Name'))
        for name in summary.get('Names') or []:
            mounted[name.lstrip('/')] = points
    return mounted


def volume_sources(desired_list, mounted, container_prefix, mount_points):
    """{(client, role): {name, mounted}}: the volume each client uses now.

    The volume its container ``<container_prefix><client>`` mounts at the role's mount point
    (``mount_points``: {role: path}) when the container is seen, else the default name.
    """
    sources = {}
    for desired in desired_list:
        points = mounted.get(_naming.container_name(desired['client'], container_prefix))
        name = (points or {}).get(mount_points.get(desired['role']))
        sources[(desired['client'], desired['role'])] = (
            {'name': name, 'mounted': True} if name else {'name': desired['default_name'], 'mounted': False})
    return sources


def plan_volumes(desired_list, observed, lang='en', sources=None, migrating=None):
    """One item per desired volume, in input order.

    desired_list: desired_volumes() of every client; observed: {name: normalize_volume()} of the
    desired and source volumes that exist; sources: volume_sources() (default: the default names);
    migrating: {client: bool}, migrate_requested() per client.
    Item: {client, role, name, type, source, action, differences, message}; action is
    create | none | drift | migrate | refused:
      - migrate: the desired volume does not exist (or is the unfinished copy of the source its
        container still mounts, label coaxis.opt.migrated-from) and the source exists; asked for.
      - refused: the same without migrate (message: add migrate: true).
    A source volume is never an item: it is never changed.
    """
    sources = sources or {}
    migrating = migrating or {}
    plan = []
    for desired in desired_list:
        key = (desired['client'], desired['role'])
        source = sources.get(key) or {'name': desired['default_name'], 'mounted': False}
        item = {'client': desired['client'], 'role': desired['role'], 'name': desired['name'],
                'type': desired['type'], 'desired': desired, 'source': None, 'differences': [], 'message': '',
                'switch_from': None}
        current = observed.get(desired['name'])
        elsewhere = source['name'] != desired['name'] and source['name'] in observed
        copy = False
        if current is None:
            item['action'] = 'create'
            copy = elsewhere
        else:
            item['differences'] = volume_differences(desired, current)
            item['action'] = 'drift' if item['differences'] else 'none'
            if item['action'] == 'none' and elsewhere and source['mounted']:
                if (current.get('labels') or {}).get(_naming.LABEL_MIGRATED_FROM) == source['name']:
                    copy = True  # a copy whose container was not switched yet: copy again (resume)
                else:
                    item['switch_from'] = source['name']
                    item['message'] = msg('vol_switch', lang, client=desired['client'], role=desired['role'],
                                          source=source['name'], volume=desired['name'])
        if copy:
            item['source'] = source['name']
            item['action'] = 'migrate' if migrating.get(desired['client']) else 'refused'
            if item['action'] == 'refused':
                item['message'] = msg('vol_migrate_required', lang, client=desired['client'], role=desired['role'],
                                      volume=desired['name'], source=source['name'])
        if item['action'] == 'drift':
            item['message'] = msg('vol_drift', lang, client=desired['client'], volume=desired['name'],
                                  differences=describe_differences(item['differences'], lang))
        plan.append(item)
    return plan


def migration_labels(desired, source):
    """Labels of a volume created by a migration: the usual ones and where the data came from."""
    labels = dict(desired['labels'])
    labels[_naming.LABEL_MIGRATED_FROM] = source
    return labels


# --- the copy helper's listing (pure) ------------------------------------------------------
# One helper lists the source (lines 'A'), copies, then lists the target (lines 'B'), with GNU
# find (findutils, essential in Debian) and cp (coreutils): '<A|B> <type> <size> <path>' each
# ending with a NUL, the size for regular files only. No diff(1) needed.
HELPER_FROM = '/from'
HELPER_TO = '/to'
_LIST = "find %s -mindepth 1 \\( -type f -printf '%s f %%s %%P\\0' \\) -o -printf '%s %%y 0 %%P\\0'"
COPY_SCRIPT = 'set -e; %s; cp -a %s/. %s/; %s' % (
    _LIST % (HELPER_FROM, 'A', 'A'), HELPER_FROM, HELPER_TO, _LIST % (HELPER_TO, 'B', 'B'))
SHOWN_DIFFERENCES = 5


def parse_listing(raw):
    """({path: (type, size)} of the source before the copy, the same of the target after it)."""
    text = raw.decode('utf-8', 'surrogateescape') if isinstance(raw, bytes) else raw
    listings = {'A': {}, 'B': {}}
    for entry in text.split('\0'):
        parts = entry.split(' ', 3)
        if len(parts) != 4 or parts[0] not in listings:
            continue
        side, kind, size, path = parts
        listings[side][path] = (kind, int(size) if size.isdigit() else 0)
    return listings['A'], listings['B']


def compare_listings(before, after, lang='en'):
    """What the target lacks: [text]. Every entry of the source listing (taken before the copy)
    must be in the target with the same type and, for a regular file, at least its size then (a
    file written to during the copy, a live log, is copied with its newer content). Owners and
    modes are not compared: a CIFS mount forces them."""
    problems = []
    for path in sorted(before):
        kind, size = before[path]
        if path not in after:
            problems.append(msg('vol_copy_missing', lang, path=path))
        elif after[path][0] != kind:
            problems.append(msg('vol_copy_type', lang, path=path, type=after[path][0], expected=kind))
        elif kind == 'f' and after[path][1] < size:
            problems.append(msg('vol_copy_size', lang, path=path, size=after[path][1], expected=size))
    return problems


def describe_problems(problems, lang='en'):
    shown = ', '.join(problems[:SHOWN_DIFFERENCES])
    more = len(problems) - SHOWN_DIFFERENCES
    return msg('vol_copy_more', lang, shown=shown, count=more) if more > 0 else shown


def file_count(listing):
    return sum(1 for kind, _size in listing.values() if kind == 'f')


def migrate_requested(client, module_migrate):
    """Per-client ``migrate`` wins over the module-level one."""
    value = client.get('migrate')
    return bool(module_migrate) if value is None else bool(value)


def volume_view(item, observed=None):
    """What the result and the diff show of one volume (secrets masked)."""
    source = observed if observed is not None else item['desired']
    view = {
        'name': item['name'],
        'role': item['role'],
        'type': item['type'],
        'driver': source.get('driver'),
        'options': masked_options(source.get('options')),
        'action': item['action'],
        'differences': item['differences'],
    }
    if item.get('source'):
        view['from'] = item['source']
    return view


def changes(plan):
    """The items that change the engine (create, migrate), in plan order."""
    return [item for item in plan if item['action'] in ('create', 'migrate')]


def action_text(item):
    """One change as the step_failed_after_changes message names it."""
    if item['action'] == 'migrate':
        return 'migrate volume %s to %s (%s)' % (item['source'], item['name'], item['type'])
    return 'create volume %s (%s)' % (item['name'], item['type'])


def plan_action(item):
    """One change as an item of the module's plan: what, which volume (and its type), from where."""
    reason = 'data of %s' % item['source'] if item['action'] == 'migrate' else None
    return {'action': item['action'], 'target': 'volume %s (%s)' % (item['name'], item['type']), 'reason': reason}


def results(plan, observed):
    """(volumes, drift, before, after) of the answer: per client and role the view of each volume,
    the drifted ones, and the diff of the volumes created or migrated."""
    volumes, drift, before, after = {}, [], {}, {}
    for item in plan:
        volumes.setdefault(item['client'], {})[item['role']] = volume_view(item, observed.get(item['name']))
        if item['action'] == 'drift':
            drift.append(dict(client=item['client'], volume=item['name'], role=item['role'],
                              differences=item['differences'], message=item['message']))
    for item in changes(plan):
        view = volume_view(item)
        source = observed.get(item['source']) if item['source'] else None
        before[item['name']] = (dict(name=item['source'], driver=source['driver'],
                                     options=masked_options(source['options'])) if source else {})
        after[item['name']] = dict(name=item['name'], driver=view['driver'], options=view['options'])
    return volumes, drift, before, after
