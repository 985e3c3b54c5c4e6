# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_config end to end against a fake engine: check mode creates no container and still diffs the files."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.modules import opt_config

IMAGE = 'sha256:docker-opt'
OLD_NGINX = b'# an older nginx.conf\n'
STALE_SITE = b'{"name": "paris"}\n'


def tar_of(root, files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as archive:
        for path, data in files.items():
            info = tarfile.TarInfo('%s/%s' % (root, path))
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, 10001, 10001
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class FakeApi:
    """One client container, opt-acme, mounting opt-acme-config at /etc/mast (or none)."""

    def __init__(self, container=True, state='running'):
        self.files = {'nginx.conf': OLD_NGINX, 'sites/paris.json': STALE_SITE}
        self.container = container
        self.state = state
        self.calls = []

    def inspect_image(self, image):
        return {'Id': IMAGE}

    def volumes(self, filters=None):
        return {'Volumes': [{'Name': 'opt-acme-config'}]}

    def containers(self, all=False, filters=None):
        if not self.container:
            return []
        return [{'Id': 'c-acme', 'Names': ['/opt-acme'], 'State': self.state, 'ImageID': IMAGE,
                 'Labels': {'coaxis.opt.managed-by': 'coaxis-opt', 'coaxis.opt.client': 'acme'},
                 'Mounts': [{'Type': 'volume', 'Name': 'opt-acme-config', 'Destination': '/etc/mast'}]}]

    def get_archive(self, container, path):
        self.calls.append(('get_archive', container, path))
        if container == 'c-acme':
            return iter([tar_of('mast', self.files)]), {}
        return iter([tar_of('cfg/opt-acme-config', self.files)]), {}

    def create_host_config(self, **kw):
        return kw

    def create_container(self, **kw):
        self.calls.append(('create_container', kw['command']))
        return {'Id': 'helper%d' % len(self.calls)}

    def put_archive(self, container, path, data):
        self.calls.append(('put_archive', container, path))

    def start(self, container):
        self.calls.append(('start', container))

    def wait(self, container, timeout=None):
        return {'StatusCode': 0}

    def remove_container(self, container, force=False):
        self.calls.append(('remove_container', container))

    def exec_create(self, container, argv, stdout=True, stderr=True):
        self.calls.append(('exec', container, argv))
        return {'Id': 'exec1'}

    def exec_start(self, exec_id):
        return b'reloaded'

    def exec_inspect(self, exec_id):
        return {'ExitCode': 0}


class FakeClient:
    def __init__(self, api):
        self.api = api


def run(monkeypatch, capsys, api, check_mode=False):
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient(api))
    params = dict(clients=[{'name': 'acme'}], helper_image='coaxis/docker-opt:lab', _ansible_check_mode=check_mode,
                  _ansible_diff=True)
    with patch_module_args(params), pytest.raises(SystemExit):
        opt_config.main()
    return json.loads(capsys.readouterr().out)


def made(api):
    return [call for call in api.calls if call[0] in ('create_container', 'put_archive', 'start', 'remove_container',
                                                      'exec')]


@pytest.mark.parametrize('state', ['running', 'exited'])
def test_check_mode_reads_through_the_clients_container_and_creates_nothing(monkeypatch, capsys, state):
    api = FakeApi(state=state)
    result = run(monkeypatch, capsys, api, check_mode=True)
    assert not result.get('failed'), result
    assert made(api) == [] and api.calls == [('get_archive', 'c-acme', '/etc/mast')]
    assert result['changed'] is True and result['errors'] == [] and result['summary'] == []
    assert result['plan'] == [{'action': 'update', 'target': 'acme: nginx.conf', 'reason': 'content'},
                              {'action': 'delete', 'target': 'acme: sites/paris.json', 'reason': None}]
    [nginx, paris] = result['diff']
    assert nginx['before'] == OLD_NGINX.decode() and 'acme' in nginx['after']
    assert paris['before'] == STALE_SITE.decode() and paris['after'] == ''
    assert result['clients']['acme']['reload'] == {'status': 'planned' if state == 'running' else 'not_running'}


def test_check_mode_without_a_container_reads_nothing_and_plans_every_file(monkeypatch, capsys):
    api = FakeApi(container=False)
    result = run(monkeypatch, capsys, api, check_mode=True)
    assert not result.get('failed'), result
    assert api.calls == []
    assert result['plan'] == [{'action': 'create', 'target': 'acme: nginx.conf', 'reason': None}]


def test_a_run_reads_and_writes_through_helpers_then_reloads(monkeypatch, capsys):
    api = FakeApi()
    result = run(monkeypatch, capsys, api)
    assert not result.get('failed'), result
    kinds = [call[0] for call in made(api)]
    assert kinds == ['create_container', 'remove_container',               # read helper
                     'create_container', 'put_archive', 'remove_container',  # write helper
                     'create_container', 'start', 'remove_container',        # rm -f helper
                     'exec'], api.calls
    assert ('get_archive', 'c-acme', '/etc/mast') not in api.calls
    assert result['changed'] is True and result['clients']['acme']['reload']['status'] == 'done'
    assert [a['action'] for a in result['plan']] == ['update', 'delete']


def test_nothing_to_write_writes_nothing(monkeypatch, capsys):
    api = FakeApi()
    first = run(monkeypatch, capsys, api, check_mode=True)
    api.files = {'nginx.conf': first['diff'][0]['after'].encode()}
    result = run(monkeypatch, capsys, api)
    assert result['changed'] is False and result['plan'] == [], result
    assert [call[0] for call in made(api)] == ['create_container', 'remove_container']
