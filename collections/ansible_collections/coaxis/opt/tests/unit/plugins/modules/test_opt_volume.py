# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_volume end to end against a fake engine: check mode plans only, a migration is reported."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.modules import opt_volume

LISTING = b'A d 0 sub\0A f 5 marker\0A f 7 sub/lyon.log\0B d 0 sub\0B f 5 marker\0B f 7 sub/lyon.log\0'


class FakeApi:
    def __init__(self, volumes, mounts):
        self.volume_names = list(volumes)
        self.mounts = mounts
        self.changes = []

    def containers(self, all=False, filters=None):
        mounts = [{'Type': 'volume', 'Name': v, 'Destination': d} for d, v in self.mounts.items()]
        return [{'Names': ['/opt-acme'], 'Mounts': mounts}]

    def volumes(self):
        return {'Volumes': [{'Name': n} for n in self.volume_names]}

    def inspect_volume(self, name):
        return {'Name': name, 'Driver': 'local', 'Options': None, 'Labels': {}}

    def inspect_image(self, image):
        if image != 'coaxis/docker-opt:lab':
            raise _docker.NotFound('no such image')
        return {'Id': 'sha256:helper'}

    def create_volume(self, **kw):
        self.changes.append(('create_volume', kw))

    def create_host_config(self, **kw):
        return kw

    def create_container(self, **kw):
        self.changes.append(('create_container', kw['command'][:2], [m['Source'] for m in kw['host_config']['mounts']]))
        return {'Id': 'helper1'}

    def start(self, helper_id):
        self.changes.append(('start', helper_id))

    def wait(self, helper_id, timeout=None):
        return {'StatusCode': 0}

    def logs(self, helper_id, stdout=True, stderr=True):
        return LISTING if stdout else b''

    def remove_container(self, helper_id, force=False):
        self.changes.append(('remove', helper_id))


class FakeClient:
    def __init__(self, api):
        self.api = api


def run(monkeypatch, capsys, api, check_mode=False, **args):
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient(api))
    params = dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)
    with patch_module_args(params), pytest.raises(SystemExit):
        opt_volume.main()
    return json.loads(capsys.readouterr().out)


ACME = {'name': 'acme', 'logs_volume': {'name': 'opt-acme-logs-2', 'type': 'local'}}
ON_DEFAULTS = {'/etc/mast': 'opt-acme-config', '/var/log/mast': 'opt-acme-logs'}


def test_migration_creates_copies_and_reports(monkeypatch, capsys):
    api = FakeApi(['opt-acme-config', 'opt-acme-logs'], ON_DEFAULTS)
    result = run(monkeypatch, capsys, api, clients=[dict(ACME, migrate=True)], helper_image='coaxis/docker-opt:lab')
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert result['migrated'] == {'acme': [{'role': 'logs', 'from': 'opt-acme-logs', 'to': 'opt-acme-logs-2',
                                            'files': 2}]}
    assert result['plan'] == [{'action': 'migrate', 'target': 'volume opt-acme-logs-2 (local)',
                               'reason': 'data of opt-acme-logs'}]
    assert result['summary'] == [] and result['errors'] == []
    assert result['diff'] == {'before': {'opt-acme-logs-2': {'name': 'opt-acme-logs', 'driver': 'local', 'options': {}}},
                              'after': {'opt-acme-logs-2': {'name': 'opt-acme-logs-2', 'driver': 'local', 'options': {}}}}
    created = api.changes[0]
    assert created[0] == 'create_volume' and created[1]['name'] == 'opt-acme-logs-2'
    assert created[1]['labels']['coaxis.opt.migrated-from'] == 'opt-acme-logs'
    assert api.changes[1] == ('create_container', ['sh', '-c'], ['opt-acme-logs', 'opt-acme-logs-2'])
    assert api.changes[-1] == ('remove', 'helper1')


def test_check_mode_plans_the_migration_and_changes_nothing(monkeypatch, capsys):
    api = FakeApi(['opt-acme-config', 'opt-acme-logs'], ON_DEFAULTS)
    result = run(monkeypatch, capsys, api, check_mode=True, clients=[ACME], migrate=True,
                 helper_image='coaxis/docker-opt:lab')
    assert result['changed'] is True and result['migrated'] == {}
    assert result['volumes']['acme']['logs']['action'] == 'migrate'
    assert result['volumes']['acme']['logs']['from'] == 'opt-acme-logs'
    assert api.changes == []


def test_refused_without_migrate_and_nothing_changed(monkeypatch, capsys):
    api = FakeApi(['opt-acme-config', 'opt-acme-logs'], ON_DEFAULTS)
    result = run(monkeypatch, capsys, api, clients=[ACME], helper_image='coaxis/docker-opt:lab', lang='fr')
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith("1 problème(s), cette étape n'a rien modifié (les étapes d'avant dans "
                                    "l'exécution ont pu le faire) : acme : le volume logs opt-acme-logs-2")
    assert api.changes == []


def test_helper_image_required_and_never_pulled(monkeypatch, capsys):
    api = FakeApi(['opt-acme-config', 'opt-acme-logs'], ON_DEFAULTS)
    result = run(monkeypatch, capsys, api, clients=[dict(ACME, migrate=True)])
    assert result['failed'] is True
    assert 'helper_image is required to migrate opt-acme-logs -> opt-acme-logs-2' in result['msg']
    result = run(monkeypatch, capsys, api, clients=[dict(ACME, migrate=True)], helper_image='other:tag')
    assert result['failed'] is True and 'image other:tag is not on the engine' in result['msg']
    assert api.changes == []


def test_default_client_needs_no_helper_and_changes_nothing(monkeypatch, capsys):
    api = FakeApi(['opt-acme-config', 'opt-acme-logs'], ON_DEFAULTS)
    result = run(monkeypatch, capsys, api, clients=[{'name': 'acme'}])
    assert result['changed'] is False and result['plan'] == [] and api.changes == []
