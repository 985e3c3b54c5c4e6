# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._volplan import (
    desired_volumes,
    driver_options,
    mask_mount_options,
    migrate_requested,
    normalize_volume,
    plan_volumes,
    validate_clients,
    volume_view,
)

NFS = {'type': 'nfs', 'addr': '10.0.0.5', 'export': '/exports/opt/acme', 'options': 'nfsvers=4,soft'}
CIFS = {'type': 'cifs', 'share': '//files/opt/acme', 'username': 'opt', 'password': 'S3cret!pw', 'domain': 'EX'}


def engine(name, options=None, driver='local'):
    return normalize_volume({'Name': name, 'Driver': driver, 'Options': options, 'Labels': {}})


def test_driver_options_per_type():
    assert driver_options(None) == {}
    assert driver_options({'type': 'local'}) == {}
    assert driver_options(NFS) == {'type': 'nfs', 'o': 'addr=10.0.0.5,nfsvers=4,soft', 'device': ':/exports/opt/acme'}
    assert driver_options(dict(NFS, options=None))['o'] == 'addr=10.0.0.5'
    assert driver_options(CIFS) == {
        'type': 'cifs', 'device': '//files/opt/acme',
        'o': 'username=opt,password=S3cret!pw,uid=10001,gid=10001,vers=3.0,domain=EX'}
    assert driver_options(dict(CIFS, uid=0, gid=33, vers='2.1', domain=None, options='noperm'))['o'] == \
        'username=opt,password=S3cret!pw,uid=0,gid=33,vers=2.1,noperm'


def test_desired_names_and_labels():
    config, logs = desired_volumes({'name': 'acme', 'config_volume': NFS}, 'devtest-')
    assert (config['name'], logs['name']) == ('devtest-acme-config', 'devtest-acme-logs')
    assert config['labels'] == {'coaxis.opt.client': 'acme', 'coaxis.opt.managed-by': 'coaxis-opt',
                                'coaxis.opt.volume': 'config'}
    assert logs['labels']['coaxis.opt.volume'] == 'logs'
    assert (config['type'], logs['type'], logs['options']) == ('nfs', 'local', {})


def test_plan_create_none():
    desired = desired_volumes({'name': 'acme', 'config_volume': NFS})
    observed = {'opt-acme-config': engine('opt-acme-config', driver_options(NFS))}
    plan = plan_volumes(desired, observed)
    assert [(i['name'], i['action']) for i in plan] == [('opt-acme-config', 'none'), ('opt-acme-logs', 'create')]


def test_mount_option_order_is_not_drift():
    desired = desired_volumes({'name': 'acme', 'config_volume': NFS})[:1]
    observed = {'opt-acme-config': engine('opt-acme-config', dict(driver_options(NFS), o='soft,addr=10.0.0.5,nfsvers=4'))}
    assert plan_volumes(desired, observed)[0]['action'] == 'none'


def test_drift_names_option_and_values():
    desired = desired_volumes({'name': 'acme', 'config_volume': NFS})[:1]
    old = {'type': 'nfs', 'o': 'addr=10.0.0.6,nfsvers=3', 'device': ':/exports/old'}
    observed = {'opt-acme-config': engine('opt-acme-config', old)}
    item = plan_volumes(desired, observed)[0]
    assert item['action'] == 'drift'
    assert item['differences'] == [
        {'option': 'device', 'engine': ':/exports/old', 'inventory': ':/exports/opt/acme'},
        {'option': 'o.addr', 'engine': '10.0.0.6', 'inventory': '10.0.0.5'},
        {'option': 'o.nfsvers', 'engine': '3', 'inventory': '4'},
        {'option': 'o.soft', 'engine': None, 'inventory': None},
    ]
    assert item['message'] == (
        'acme: volume opt-acme-config differs from the inventory (device: engine :/exports/old, inventory '
        ':/exports/opt/acme; o.addr: engine 10.0.0.6, inventory 10.0.0.5; o.nfsvers: engine 3, inventory 4; '
        'o.soft: engine (unset), inventory (unset)); it is left as it is (a volume is never removed or '
        'recreated): fix the inventory, or give the volume a new name with these options and migrate: true '
        '(the data is copied, this volume is kept)')


def test_local_inventory_against_nfs_engine_is_drift():
    desired = desired_volumes({'name': 'acme'})[:1]
    item = plan_volumes(desired, {'opt-acme-config': engine('opt-acme-config', driver_options(NFS))}, 'fr')[0]
    assert item['action'] == 'drift'
    assert [d['option'] for d in item['differences']] == ['device', 'type', 'o.addr', 'o.nfsvers', 'o.soft']
    assert item['message'].startswith("acme : le volume opt-acme-config diffère de l'inventaire (device : moteur")


def test_other_driver_is_drift():
    desired = desired_volumes({'name': 'acme'})[:1]
    item = plan_volumes(desired, {'opt-acme-config': engine('opt-acme-config', None, driver='rexray')})[0]
    assert item['differences'] == [{'option': 'driver', 'engine': 'rexray', 'inventory': 'local'}]


def test_password_never_shown():
    desired = desired_volumes({'name': 'acme', 'config_volume': CIFS})
    old = dict(driver_options(dict(CIFS, password='0ld-pa55', vers='2.1')))
    plan = plan_volumes(desired, {'opt-acme-config': engine('opt-acme-config', old)})
    item = plan[0]
    assert {'option': 'o.password', 'engine': '********', 'inventory': '********'} in item['differences']
    assert {'option': 'o.vers', 'engine': '2.1', 'inventory': '3.0'} in item['differences']
    views = [volume_view(i, engine(i['name'], old) if i['action'] == 'drift' else None) for i in plan]
    text = json.dumps([plan_public(i) for i in plan]) + json.dumps(views)
    assert 'S3cret!pw' not in text and '0ld-pa55' not in text
    assert views[0]['options']['o'] == 'username=opt,password=********,uid=10001,gid=10001,vers=2.1,domain=EX'


def plan_public(item):
    return dict((k, v) for k, v in item.items() if k != 'desired')


def test_mask_mount_options():
    assert mask_mount_options('username=u,password=p=q,soft') == 'username=u,password=********,soft'
    assert mask_mount_options(None) is None


@pytest.mark.parametrize('client, expected', [
    ({'name': 'acme', 'config_volume': {'type': 'nfs', 'addr': '10.0.0.5'}},
     ['acme: config volume (nfs): export is required']),
    ({'name': 'acme', 'logs_volume': {'type': 'cifs', 'share': '//s/x'}},
     ['acme: logs volume (cifs): username is required', 'acme: logs volume (cifs): password is required']),
    ({'name': 'acme', 'config_volume': {'type': 'local', 'addr': '1.2.3.4'}},
     ['acme: config volume: option addr does not apply to the type local']),
    ({'name': 'acme', 'config_volume': {'type': 'nfs', 'addr': '10.0.0.5', 'export': 'exports/x'}},
     ['acme: config volume (nfs): export exports/x must be an absolute path, for example /exports/opt/acme']),
    ({'name': 'acme', 'config_volume': dict(CIFS, share='\\\\srv\\x')},
     ['acme: config volume (cifs): share \\\\srv\\x must look like //server/share[/path]']),
    ({'name': 'acme', 'config_volume': dict(CIFS, password='a,b')},
     ['acme: config volume: password must not contain a comma (it would split the mount options)']),
    ({'name': 'acme', 'config_volume': {'type': 'ceph'}},
     ['acme: config volume: unknown type ceph (use one of local, nfs, cifs)']),
    ({'name': 'Acme'}, ['Acme: invalid client name: use 2 to 32 characters, lowercase letters, digits and '
                        'dashes, not starting or ending with a dash']),
])
def test_refusals(client, expected):
    assert validate_clients([client]) == expected


def test_duplicate_client_and_valid():
    assert validate_clients([{'name': 'acme'}, {'name': 'acme'}]) == ['acme: the client is listed 2 times']
    assert validate_clients([{'name': 'acme', 'config_volume': NFS, 'logs_volume': CIFS}]) == []


def test_comma_error_never_shows_the_password():
    errors = validate_clients([{'name': 'acme', 'config_volume': dict(CIFS, password='top,secret')}], 'fr')
    assert errors and 'top,secret' not in ' '.join(errors)


def test_migrate_requested():
    assert migrate_requested({'name': 'a'}, False) is False
    assert migrate_requested({'name': 'a', 'migrate': None}, True) is True
    assert migrate_requested({'name': 'a', 'migrate': False}, True) is False
