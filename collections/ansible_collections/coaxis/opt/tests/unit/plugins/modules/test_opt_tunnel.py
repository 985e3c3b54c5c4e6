# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_tunnel end to end against a fake engine and mast: the plan names each site acted on, check
mode runs no action and waits for nothing, a status outside check mode waits for the sites to come
up, a failed action is one failure with the clients' state."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _tunnelapply
from ansible_collections.coaxis.opt.plugins.modules import opt_tunnel


class FakeMast:
    """One client's container: its sites come up after ``reads`` more status reads."""

    def __init__(self, state='up', reads=0, fail=None):
        self.state, self.reads, self.fail = state, reads, fail
        self.actions = []

    def exec_streams(self, client, container, argv):
        assert container == 'opt-acme'
        if argv[1:] == ['status', '--json']:
            if self.reads:
                self.reads -= 1
                if not self.reads:
                    self.state = 'up'
            site = {'site': 'lyon', 'state': self.state, 'operator_stopped': self.state == 'stopped'}
            return (0 if self.state == 'up' else 1), json.dumps({'ok': True, 'sites': [site]}), ''
        self.actions.append(argv[1:])
        if self.fail:
            return 1, '', self.fail
        self.state = {'stop': 'stopped'}.get(argv[1], 'up')
        return 0, '', ''


class FakeApi:
    def inspect_container(self, name):
        return {'State': {'Status': 'running'}}


class FakeClient:
    api = FakeApi()


@pytest.fixture
def mast(monkeypatch):
    fake = FakeMast()
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient())
    monkeypatch.setattr(_docker, 'exec_streams', fake.exec_streams)
    monkeypatch.setattr(_tunnelapply, 'POLL', 0)
    return fake


def run(capsys, check_mode=False, **args):
    args = dict(dict(clients=['acme'], wait=5), **args)
    with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)), pytest.raises(SystemExit):
        opt_tunnel.main()
    return json.loads(capsys.readouterr().out)


def test_restart_is_planned_in_check_mode_and_run_outside_it(mast, capsys):
    checked = run(capsys, check_mode=True, action='restart')
    assert checked['changed'] and mast.actions == []
    assert checked['plan'] == [{'action': 'restart', 'target': 'acme/lyon', 'reason': 'up'}]
    assert checked['summary'] == [] and checked['errors'] == []
    assert checked['diff'] == {'before': 'acme/lyon: up\n', 'after': 'acme/lyon: up\n'}
    done = run(capsys, action='restart')
    assert done['changed'] and mast.actions == [['restart', 'lyon']] and done['plan'] == checked['plan']
    assert done['clients']['acme']['acted'] == ['lyon'] and done['clients']['acme']['not_up'] == []


def test_a_stop_of_a_stopped_site_plans_nothing(mast, capsys):
    mast.state = 'stopped'
    result = run(capsys, action='stop')
    assert not result['changed'] and result['plan'] == [] and mast.actions == []


def test_a_status_waits_for_the_sites_outside_check_mode_only(mast, capsys):
    mast.state, mast.reads = 'connecting', 3
    checked = run(capsys, check_mode=True)
    assert checked['clients']['acme']['sites'][0]['state'] == 'connecting' and mast.reads == 2
    result = run(capsys)
    assert not result['changed'] and result['plan'] == []
    assert result['clients']['acme']['sites'][0]['state'] == 'up' and result['clients']['acme']['not_up'] == []
    assert result['diff'] == {'before': 'acme/lyon: connecting\n', 'after': 'acme/lyon: up\n'}


def test_a_failed_action_is_one_failure_with_the_clients(mast, capsys):
    mast.fail = 'no such site'
    result = run(capsys, action='restart')
    assert result['failed'] and result['changed']
    assert result['msg'] == 'acme: mast restart lyon failed (exit 1): no such site'
    assert result['errors'] == [result['msg']] and result['clients']['acme']['acted'] == ['lyon']
