# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_proxy against a fake engine: a missing edge image is named as the edge proxy's; check mode
answers the contract (plan, summary, errors) and changes nothing; a vhost nginx refuses is left out."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _proxyapply, _proxyplan
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Refused
from ansible_collections.coaxis.opt.plugins.modules import opt_proxy


class FakeApi:
    def inspect_image(self, image):
        raise _docker.NotFound('no such image')


class FakeClient:
    api = FakeApi()


@pytest.mark.parametrize('lang, expected', [
    ('en', 'edge proxy image coaxis/opt-edge:missing is not on the engine'),
    ('fr', "l'image du proxy d'entrée coaxis/opt-edge:missing n'est pas sur le moteur"),
])
def test_a_missing_edge_image_is_named_as_the_edge_proxy_s(monkeypatch, capsys, lang, expected):
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient())
    params = dict(domain='coaxis.test', clients=[{'name': 'acme', 'ip': '10.128.0.10'}], tls_cert='not-a-pem-certificate', tls_key='not-a-pem-private-key',
                  image='coaxis/opt-edge:missing', lang=lang, _ansible_check_mode=True)
    with patch_module_args(params), pytest.raises(SystemExit):
        opt_proxy.main()
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True and result['changed'] is False
    assert any(error.startswith(expected) for error in result['errors']), result['errors']
    assert not any('firewall' in error or 'pare-feu' in error for error in result['errors'])


class EmptyEngineApi:
    """The edge image and one client container, no edge yet; any other call is a change."""

    def __init__(self):
        self.changes = []

    def __getattr__(self, name):
        self.changes.append(name)
        raise AssertionError('a change on the engine: %s' % name)

    def inspect_image(self, image):
        return {'Id': 'sha256:edge'}

    def containers(self, all=False, filters=None):
        return [{'Labels': {'coaxis.opt.client': 'acme'}}]

    def inspect_container(self, name):
        raise _docker.NotFound('no such container')


class EmptyEngine:
    def __init__(self):
        self.api = EmptyEngineApi()

    def info(self):
        return {'NCPU': 2}


def test_check_mode_plans_the_container_and_the_files_and_changes_nothing(monkeypatch, capsys):
    engine = EmptyEngine()
    monkeypatch.setattr(_docker, 'docker_client', lambda module: engine)
    monkeypatch.setattr(_proxyplan, 'tls_errors', lambda cert, key, lang='en': [])
    params = dict(domain='coaxis.test', clients=[{'name': 'acme', 'ip': '10.128.0.10'}, {'name': 'globex', 'ip': '10.128.0.11'}],
                  tls_cert='cert', tls_key='key', image='coaxis/opt-edge:lab', _ansible_check_mode=True, _ansible_diff=True)
    with patch_module_args(params), pytest.raises(SystemExit):
        opt_proxy.main()
    result = json.loads(capsys.readouterr().out)
    assert engine.api.changes == []
    assert result['changed'] is True and result['errors'] == [] and result['summary'] == []
    assert result['plan'][0] == {'action': 'create', 'target': 'container opt-edge', 'reason': None}
    assert {'action': 'write', 'target': 'opt-edge:vhosts/acme.conf', 'reason': None} in result['plan']
    assert not any('globex' in item['target'] for item in result['plan'])
    assert result['vhosts'] == {'acme': {'host': 'acme.coaxis.test', 'action': 'written'}}
    assert result['admin'] == {'host': None, 'action': 'absent'}
    assert result['container'] == {'name': 'opt-edge', 'id': None, 'action': 'create'}
    assert [d['before_header'] for d in result['diff']] == [item['target'].split(':', 1)[1] for item in result['plan'][1:]]
    assert 'key' not in [d['after'] for d in result['diff']]


class EdgeApi:
    """A running edge whose `opt-edge check` refuses globex's vhost."""

    def __init__(self):
        self.execs, self.written = [], []

    def exec_create(self, container, argv, **kwargs):
        self.execs.append(argv)
        return {'Id': len(self.execs) - 1}

    def exec_start(self, exec_id):
        argv = self.execs[exec_id]
        return b'ok acme\nfail globex unknown directive "bogus"\n' if argv[:2] == ['opt-edge', 'check'] else b''

    def exec_inspect(self, exec_id):
        return {'ExitCode': 0}

    def put_archive(self, container, path, data):
        import io
        import tarfile
        self.written.append(sorted(m.name for m in tarfile.open(fileobj=io.BytesIO(data)) if m.isfile()))


class Edge:
    def __init__(self):
        self.api = EdgeApi()


def test_a_refused_vhost_is_left_out_and_the_others_are_applied_and_reloaded():
    edge = Edge()
    desired = {'vhosts/acme.conf': {'content': 'a', 'mode': 0o644}, 'vhosts/globex.conf': {'content': 'g', 'mode': 0o644}}
    files = {'write': ['vhosts/acme.conf', 'vhosts/globex.conf'], 'delete': []}
    refused = _proxyapply.apply_files(edge, 'c1', desired, {}, files, 'en')
    assert refused == {'globex': 'unknown directive "bogus"'}
    assert edge.api.written == [['.staging/vhosts/acme.conf', '.staging/vhosts/globex.conf'], ['vhosts/acme.conf']]
    assert edge.api.execs[-1] == ['nginx', '-s', 'reload']
    assert _proxyplan.refused_errors(refused, 'coaxis.test') == [
        'globex: vhost refused by nginx, the previous one stays in place (the other clients are served): '
        'unknown directive "bogus"']


def test_a_configuration_refused_as_a_whole_is_put_back_and_refused():
    edge = Edge()
    edge.api.exec_inspect = lambda exec_id: {'ExitCode': 1 if edge.api.execs[exec_id][0] == 'nginx' else 0}
    edge.api.exec_start = lambda exec_id: b'emerg' if edge.api.execs[exec_id][0] == 'nginx' else b'ok acme\n'
    current = {'vhosts/acme.conf': {'content': 'old', 'mode': 0o644}}
    desired = {'vhosts/acme.conf': {'content': 'new', 'mode': 0o644}}
    with pytest.raises(Refused) as refused:
        _proxyapply.apply_files(edge, 'c1', desired, current, {'write': ['vhosts/acme.conf'], 'delete': []}, 'en')
    assert refused.value.errors == ['edge proxy configuration refused as a whole, previous files restored: emerg']
    assert edge.api.written[-1] == ['vhosts/acme.conf'] and ['nginx', '-s', 'reload'] not in edge.api.execs
