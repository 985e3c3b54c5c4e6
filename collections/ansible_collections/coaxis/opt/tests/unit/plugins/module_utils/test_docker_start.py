# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_docker.start_and_wait: the bounded start of the firewall and edge containers (a scripted
stand-in of the engine's API: the logic, not an integration)."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _docker


class Api:
    def __init__(self, states):
        self.states, self.started, self.inspected = list(states), [], 0

    def start(self, container):
        self.started.append(container)

    def inspect_container(self, container):
        self.inspected += 1
        return {'State': self.states.pop(0) if len(self.states) > 1 else self.states[0]}

    def logs(self, container, tail):
        return b'line 1\nline 2\n'


class Client:
    def __init__(self, states):
        self.api = Api(states)


RUNNING, CREATED, EXITED = {'Running': True, 'Status': 'running'}, {'Status': 'created'}, {'Status': 'exited'}


def test_a_container_that_runs_is_started_once_and_returned_at_once():
    client = Client([CREATED, RUNNING])
    assert _docker.start_and_wait(client, 'c1', 5, poll=0) is None
    assert client.api.started == ['c1'] and client.api.inspected == 2


def test_ready_is_waited_for():
    answers = [False, False, True]
    client = Client([RUNNING])
    assert _docker.start_and_wait(client, 'c1', 5, ready=lambda c, cid: answers.pop(0), poll=0) is None
    assert answers == []


def test_an_exited_container_is_not_waited_for_and_its_logs_are_given():
    client = Client([EXITED])
    assert _docker.start_and_wait(client, 'c1', 60, poll=0) == ('exited', 'line 1\nline 2')


def test_the_wait_is_bounded():
    client = Client([RUNNING])
    assert _docker.start_and_wait(client, 'c1', 0.05, ready=lambda c, cid: False, poll=0.01) == ('running', 'line 1\nline 2')
