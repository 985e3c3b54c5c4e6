# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_serviceapply: the one cycle of the firewall's and the edge's container (a scripted stand-in
of the engine's API: the order and the arguments of the calls, not an integration)."""

from __future__ import annotations

import io
import tarfile

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _limits, _serviceapply
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Refused

SPEC = {'name': 'opt-edge', 'image': 'coaxis/opt-edge:lab', 'volume': 'opt-edge', 'cap_add': ['CHOWN'],
        'restart': 'always', 'limits': _limits.limits_spec('edge', {}), 'log': _limits.log_spec({})}


class Api:
    def __init__(self, volumes=(), exit_code=0, states=({'Running': True},)):
        self.volumes, self.exit_code, self.states, self.calls = set(volumes), exit_code, list(states), []

    def inspect_volume(self, name):
        self.calls.append(('inspect_volume', name))
        if name not in self.volumes:
            raise _docker.NotFound('no such volume')

    def create_volume(self, name, labels):
        self.calls.append(('create_volume', name, labels))

    def remove_container(self, container, force):
        self.calls.append(('remove_container', container, force))

    def create_host_config(self, **kwargs):
        return kwargs

    def create_container(self, image, **kwargs):
        self.calls.append(('create_container', image, kwargs))
        return {'Id': 'new'}

    def start(self, container):
        self.calls.append(('start', container))

    def inspect_container(self, container):
        return {'State': self.states.pop(0) if len(self.states) > 1 else self.states[0]}

    def logs(self, container, tail):
        return b'nginx: [emerg] no certificate\n'

    def put_archive(self, container, path, data):
        self.calls.append(('put_archive', container, path, data))

    def exec_create(self, container, argv, **kwargs):
        self.calls.append(('exec', container, argv))
        return {'Id': 'x'}

    def exec_start(self, exec_id):
        return b'bad rule'

    def exec_inspect(self, exec_id):
        return {'ExitCode': self.exit_code}


class Client:
    def __init__(self, api):
        self.api = api


def test_a_volume_is_made_only_when_missing():
    api = Api(volumes=['opt-edge'])
    _serviceapply.ensure_volume(Client(api), 'opt-edge', {'a': 'b'})
    _serviceapply.ensure_volume(Client(api), 'opt-firewall', {'a': 'b'})
    assert [call for call in api.calls if call[0] == 'create_volume'] == [('create_volume', 'opt-firewall', {'a': 'b'})]


def test_the_old_container_goes_before_the_new_one_is_made_locked_down():
    api = Api()
    new = _serviceapply.replace_container(Client(api), 'old', SPEC, {'l': 'v'}, '/etc/opt-edge', 'rw,size=16m',
                                          binds=['/run/xtables.lock:/run/xtables.lock:rw'], environment={'E': '1'})
    assert new == 'new' and [call[0] for call in api.calls] == ['remove_container', 'create_container']
    assert api.calls[0] == ('remove_container', 'old', True)
    created = api.calls[1][2]
    assert created['name'] == 'opt-edge' and created['labels'] == {'l': 'v'} and created['environment'] == {'E': '1'}
    host = created['host_config']
    assert host['network_mode'] == 'host' and host['cap_drop'] == ['ALL'] and host['cap_add'] == ['CHOWN']
    assert host['read_only'] is True and host['security_opt'] == ['no-new-privileges:true']
    assert host['tmpfs'] == {'/run': 'rw,size=16m'}
    assert host['binds'] == ['opt-edge:/etc/opt-edge:rw', '/run/xtables.lock:/run/xtables.lock:rw']
    assert host['mem_limit'] == SPEC['limits']['memory'] and host['pids_limit'] == 256


def test_a_first_container_removes_nothing():
    api = Api()
    _serviceapply.replace_container(Client(api), None, SPEC, {}, '/etc/opt-edge', 'rw')
    assert [call[0] for call in api.calls] == ['create_container']


def test_a_container_that_does_not_come_up_is_refused_with_the_caller_s_line():
    api = Api(states=[{'Status': 'exited'}])
    with pytest.raises(Refused) as refused:
        _serviceapply.ensure_running(Client(api), 'new', lambda state, logs: 'down (%s): %s' % (state, logs))
    assert refused.value.errors == ['down (exited): nginx: [emerg] no certificate']
    assert _serviceapply.ensure_running(Client(Api()), 'new', lambda state, logs: 'never') is None


def test_a_file_is_put_owned_by_root_with_its_mode():
    api = Api()
    _serviceapply.put_file(Client(api), 'c1', '/var/lib/opt-firewall', {'rules.v4.new': {'content': '*filter\n', 'mode': 0o600}})
    [(_name, container, path, data)] = api.calls
    assert (container, path) == ('c1', '/var/lib/opt-firewall')
    member = tarfile.open(fileobj=io.BytesIO(data)).getmember('rules.v4.new')
    assert (member.uid, member.gid, member.mode) == (0, 0, 0o600)


def test_a_command_that_fails_is_refused_only_when_the_caller_says_so():
    api = Api(exit_code=2)
    assert _serviceapply.exec_checked(Client(api), 'c1', ['opt-firewall', 'check']) == (2, 'bad rule')
    with pytest.raises(Refused) as refused:
        _serviceapply.exec_checked(Client(api), 'c1', ['opt-firewall', 'apply'], lambda code, out: '%s: %s' % (code, out))
    assert refused.value.errors == ['2: bad rule']
