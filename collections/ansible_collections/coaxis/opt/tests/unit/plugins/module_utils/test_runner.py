# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module runner: plan, stop in check mode, apply, read back; one answer and one failure shape."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.module_utils._contract import CONTRACT
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner, action, diff_of

SPEC = dict(name=dict(type='str', required=True), lang=dict(type='str', default='en', choices=['en', 'fr']))


def run_module(capsys, runner, check_mode=False, diff=False, **args):
    args.setdefault('name', 'acme')
    args['_ansible_check_mode'] = check_mode
    args['_ansible_diff'] = diff
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            runner.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


class Calls:
    def __init__(self):
        self.seen = []

    def plan(self, run):
        self.seen.append('plan')
        return Plan([action('create', 'thing ' + run.params['name'], 'absent')], summary='made ' + run.params['name'],
                    before='', after='thing\n', header='thing', thing={'name': run.params['name']}, data={'secret': 1})

    def apply(self, run, planned):
        self.seen.append(('apply', planned.data['secret']))

    def read_back(self, run, planned):
        self.seen.append('read')
        planned.result['thing']['id'] = 'abc'


def test_a_change_is_planned_applied_read_back_and_answered_with_the_contract(capsys):
    calls = Calls()
    code, out = run_module(capsys, Runner(SPEC, calls.plan, calls.apply, calls.read_back, docker=False), diff=True)
    assert code == 0 and calls.seen == ['plan', ('apply', 1), 'read']
    assert set(CONTRACT) <= set(out)
    assert out['changed'] is True and out['errors'] == [] and out['summary'] == ['made acme']
    assert out['plan'] == [{'action': 'create', 'target': 'thing acme', 'reason': 'absent'}]
    assert out['thing'] == {'name': 'acme', 'id': 'abc'} and 'secret' not in json.dumps(out)
    assert out['diff'] == diff_of('', 'thing\n', 'thing')


def test_check_mode_stops_after_the_plan(capsys):
    calls = Calls()
    code, out = run_module(capsys, Runner(SPEC, calls.plan, calls.apply, calls.read_back, docker=False), check_mode=True)
    assert code == 0 and calls.seen == ['plan'] and out['changed'] is True and 'diff' not in out


def test_read_back_unchanged_reads_back_outside_check_mode_only(capsys):
    def runner(**extra):
        return Runner(SPEC, lambda run: Plan(), lambda run, planned: seen.append('apply'),
                      lambda run, planned: seen.append('read'), docker=False, **extra)
    seen = []
    run_module(capsys, runner())
    assert seen == []
    run_module(capsys, runner(read_back_unchanged=True), check_mode=True)
    assert seen == []
    code, out = run_module(capsys, runner(read_back_unchanged=True))
    assert (code, out['changed'], seen) == (0, False, ['read'])


def test_nothing_to_do_applies_nothing(capsys):
    seen = []
    code, out = run_module(capsys, Runner(SPEC, lambda run: Plan(), lambda run, planned: seen.append('apply'), docker=False))
    assert (code, out['changed'], out['plan'], seen) == (0, False, [], [])


def test_a_refusal_is_one_failure_shape_with_its_catalog_message(capsys):
    def plan(run):
        raise Refused(['a', 'b'], key='step_refused', differences=[1])
    code, out = run_module(capsys, Runner(SPEC, plan, docker=False), lang='fr')
    assert code == 1 and out['failed'] is True and out['changed'] is False
    assert out['errors'] == ['a', 'b'] and out['differences'] == [1]
    assert out['msg'].startswith("2 problème(s), cette étape n'a rien modifié")


def test_an_engine_error_names_the_step_and_a_failed_apply_says_changed(capsys):
    def plan(run):
        return Plan([action('remove', 'x')])

    def apply(run, planned):
        run.step('step_network_remove')
        raise _docker.DockerException('boom')
    code, out = run_module(capsys, Runner(SPEC, plan, apply, docker=False))
    assert code == 1 and out['changed'] is True and len(out['errors']) == 1
    assert 'boom' in out['msg'] and out['msg'] == out['errors'][0]


def test_a_failed_apply_answers_what_it_did_so_far(capsys):
    def plan(run):
        return Plan([action('create', 'a'), action('create', 'b')])

    def apply(run, planned):
        run.result['done'] = ['a']
        run.step('step_network_create')
        raise _docker.DockerException('boom')
    code, out = run_module(capsys, Runner(SPEC, plan, apply, docker=False))
    assert code == 1 and out['changed'] is True and out['done'] == ['a'] and out['plan'] == []


def test_a_record_is_kept_by_every_real_run_and_never_in_check_mode(capsys):
    seen = []

    def record(run, planned):
        seen.append(run.check_mode)
        planned.result['recorded'] = True
    runner = Runner(SPEC, lambda run: Plan(recorded=False), record=record, docker=False)
    code, out = run_module(capsys, runner, check_mode=True)
    assert (code, out['recorded'], seen) == (0, False, [])
    code, out = run_module(capsys, runner)
    assert (code, out['changed'], out['recorded'], seen) == (0, False, True, [False])
