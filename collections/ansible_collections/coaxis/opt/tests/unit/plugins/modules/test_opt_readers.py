# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_probe and opt_drift (modules that only read) against a fake engine: the operator's lines
are the answer's summary, the plan is empty, nothing changes, and an engine error names its step."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.modules import opt_drift, opt_probe


class FakeApi:
    """An engine with the client container opt-initech (not declared) and nothing else."""

    def __init__(self, broken=False):
        self.broken = broken

    def inspect_container(self, name):
        if self.broken:
            raise _docker.DockerException('engine gone')
        raise _docker.NotFound('no such container: %s' % name)

    def containers(self, all=False, filters=None):
        return [{'Id': 'c1', 'State': 'running', 'Labels': {'coaxis.opt.managed-by': 'coaxis-opt',
                                                            'coaxis.opt.client': 'initech'}}]

    def inspect_network(self, name):
        return {'Containers': {'c1': {'Name': 'opt-initech'}, 'c2': {'Name': 'someone-else'}}}


def run(capsys, monkeypatch, module, broken=False, **args):
    client = type('FakeClient', (), {'api': FakeApi(broken)})()
    monkeypatch.setattr(_docker, 'docker_client', lambda ansible_module: client)
    with patch_module_args(dict(args, _ansible_check_mode=True)), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_probe_summary_is_one_line_per_client(capsys, monkeypatch):
    result = run(capsys, monkeypatch, opt_probe, clients=['acme', 'globex'], lang='fr')
    assert (result['changed'], result['plan'], result['errors']) == (False, [], [])
    assert result['summary'] == [c['message'] for c in result['clients']]
    assert result['summary'][0].startswith('acme : service absent (non déployé)')
    assert 'message' not in result


def test_probe_engine_error_names_the_step(capsys, monkeypatch):
    result = run(capsys, monkeypatch, opt_probe, broken=True, clients=['acme'])
    assert result['failed'] and not result['changed'] and 'engine gone' in result['msg']
    assert result['errors'] == [result['msg']]


def test_drift_summary_and_keys(capsys, monkeypatch):
    result = run(capsys, monkeypatch, opt_drift, clients=['acme'], network='opt-clients', proxy=False, host='h1')
    assert (result['changed'], result['plan'], result['errors'], result['drift']) == (False, [], [], True)
    assert result['containers'] == {'undeclared': ['initech'], 'missing': ['acme']}
    assert result['unmanaged'] == ['someone-else'] and len(result['summary']) == 3
