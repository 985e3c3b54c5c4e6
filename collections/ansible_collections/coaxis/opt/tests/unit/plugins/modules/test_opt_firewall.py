# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_firewall against a scripted engine: the answer's contract (plan, summary, errors), check
mode that changes nothing, and a refusal before any change."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _fwplan
from ansible_collections.coaxis.opt.plugins.modules import opt_firewall

READS = ('inspect_network', 'inspect_image', 'info', 'containers', 'inspect_container', 'get_archive',
         'exec_create', 'exec_start', 'exec_inspect')


class FakeApi:
    """An engine with the client network and the image; ``firewall``: the firewall container's
    inspect data, or None. Any call that is not a read is recorded as a change."""

    def __init__(self, firewall=None, rules=''):
        self.firewall, self.rules, self.changes, self.execs = firewall, rules, [], []

    def __getattr__(self, name):
        def change(*args, **kwargs):
            self.changes.append(name)
            raise AssertionError('a change on the engine: %s' % name)
        return change

    def inspect_network(self, name):
        return {'Id': 'f' * 64, 'Options': {'com.docker.network.bridge.name': 'br-opt'}}

    def inspect_image(self, image):
        return {'Id': 'sha256:fw'}

    def containers(self, all=False, filters=None):
        return [{'Labels': {'coaxis.opt.managed-by': 'coaxis-opt', 'coaxis.opt.client': 'acme'}}]

    def inspect_container(self, name):
        if self.firewall is None:
            raise _docker.NotFound('no such container')
        return self.firewall

    def get_archive(self, container, path):
        import io
        import tarfile
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode='w') as archive:
            data = self.rules.encode('utf-8')
            info = tarfile.TarInfo('rules.v4')
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        return [buffer.getvalue()], {}

    def exec_create(self, container, argv, **kwargs):
        self.execs.append(argv)
        return {'Id': argv[1]}

    def exec_start(self, exec_id, **kwargs):
        return {'check': b'in place (nft)', 'backend': b'nft'}[exec_id]

    def exec_inspect(self, exec_id):
        return {'ExitCode': 0}


class FakeClient:
    def __init__(self, api):
        self.api = api

    def info(self):
        return {'NCPU': 2}


PARAMS = dict(network='opt-clients', coaxis_lans=['10.129.0.0/24'], coaxis_sources=['10.129.0.10'],
              image='coaxis/opt-firewall:lab', clients=[{'name': 'acme', 'ip': '10.128.0.10', 'ports': [9101]}])
SUMMARY = {'en': 'firewall of opt-clients: 1 client(s) with rules, backend {backend}; added: {added}; pruned: -',
           'fr': 'pare-feu de opt-clients : 1 client(s) avec règles, backend {backend} ; ajoutés : {added} ; retirés : -'}


def run(monkeypatch, capsys, api, lang='en', check_mode=True, **params):
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient(api))
    args = dict(PARAMS, lang=lang, _ansible_check_mode=check_mode, _ansible_diff=True, **params)
    with patch_module_args(args), pytest.raises(SystemExit):
        opt_firewall.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('lang', ['en', 'fr'])
def test_check_mode_plans_the_container_and_the_rules_and_changes_nothing(monkeypatch, capsys, lang):
    api = FakeApi()
    result = run(monkeypatch, capsys, api, lang)
    assert api.changes == [] and api.execs == []
    assert result['changed'] is True and result['errors'] == []
    assert result['plan'] == [
        {'action': 'create', 'target': 'container opt-firewall', 'reason': None},
        {'action': 'apply', 'target': 'rule set opt-firewall:/var/lib/opt-firewall/rules.v4', 'reason': 'added: acme'}]
    assert result['summary'] == [SUMMARY[lang].format(backend='auto', added='acme')]
    assert 'message' not in result
    assert result['clients'] == ['acme'] and result['added'] == ['acme'] and result['container']['id'] is None
    assert result['diff']['before'] == '' and 'client=acme' in result['diff']['after']


def test_a_firewall_in_place_plans_nothing_and_says_so(monkeypatch, capsys):
    spec = _fwplan.desired_container('opt-firewall', 'coaxis/opt-firewall:lab', 'opt-firewall', 'auto', 5)
    rules = _fwplan.render_rules('br-opt', PARAMS['coaxis_lans'], [dict(PARAMS['clients'][0], egress=[], dns=[])],
                                 sources=PARAMS['coaxis_sources'])
    firewall = {'Id': 'c' * 64, 'Image': 'sha256:fw', 'State': {'Running': True},
                'Config': {'Labels': {'coaxis.opt.config-hash': spec['hash']}}}
    api = FakeApi(firewall, rules)
    result = run(monkeypatch, capsys, api, check_mode=False)
    assert api.changes == [] and result['changed'] is False
    assert result['plan'] == [] and result['errors'] == []
    assert result['summary'] == [SUMMARY['en'].format(backend='nft', added='-')]
    assert result['backend'] == 'nft' and result['status'] == 'in place (nft)'


def test_bad_input_is_refused_with_every_problem_and_nothing_changed(monkeypatch, capsys):
    api = FakeApi()
    result = run(monkeypatch, capsys, api, check_mode=False, coaxis_sources=['10.129.0.0/33'],
                 clients=[{'name': 'acme', 'ip': '10.128.0.999'}])
    assert result['failed'] is True and result['changed'] is False and api.changes == []
    assert result['plan'] == [] and result['summary'] == []
    assert len(result['errors']) == 2 and result['msg'] == '; '.join(result['errors'])
