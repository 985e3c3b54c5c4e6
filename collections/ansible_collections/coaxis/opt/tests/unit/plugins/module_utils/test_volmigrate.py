# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Migration of a client's volume to a new name: the plan, the helper, the verification."""

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _volapply
from ansible_collections.coaxis.opt.plugins.module_utils._naming import LABEL_MIGRATED_FROM
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._volplan import (
    COPY_SCRIPT,
    compare_listings,
    desired_volumes,
    describe_problems,
    file_count,
    migration_labels,
    mounted_volumes,
    normalize_volume,
    parse_listing,
    plan_volumes,
    validate_clients,
    volume_sources,
    volume_view,
)

MOUNTS = {'config': '/etc/mast', 'logs': '/var/log/mast'}
NFS = {'type': 'nfs', 'addr': '10.0.0.5', 'export': '/exports/opt/acme'}


def engine(name, options=None, labels=None):
    return normalize_volume({'Name': name, 'Driver': 'local', 'Options': options, 'Labels': labels})


def container(name, **mounts):
    """A container list entry mounting {mount point: volume}."""
    return {'Names': ['/' + name], 'Mounts': [{'Type': 'volume', 'Name': v, 'Destination': d}
                                              for d, v in mounts.items()]}


def plan_for(client, observed, summaries=(), migrate=False):
    desired = desired_volumes(client)
    sources = volume_sources(desired, mounted_volumes(list(summaries)), 'opt-', MOUNTS)
    return plan_volumes(desired, observed, 'en', sources, {client['name']: migrate})


def actions(plan):
    return [(i['role'], i['name'], i['action'], i['source']) for i in plan]


LOGS2 = {'name': 'acme', 'logs_volume': {'name': 'opt-acme-logs-2', 'type': 'local'}}
DEFAULTS = {'opt-acme-config': engine('opt-acme-config'), 'opt-acme-logs': engine('opt-acme-logs')}
RUNNING = container('opt-acme', **{'/etc/mast': 'opt-acme-config', '/var/log/mast': 'opt-acme-logs'})


def test_named_volume_without_name_keeps_the_default():
    config, logs = desired_volumes(LOGS2, 'opt-')
    assert (config['name'], config['default_name']) == ('opt-acme-config', 'opt-acme-config')
    assert (logs['name'], logs['default_name']) == ('opt-acme-logs-2', 'opt-acme-logs')


def test_no_migration_needed():
    assert actions(plan_for({'name': 'acme'}, DEFAULTS, [RUNNING])) == [
        ('config', 'opt-acme-config', 'none', None), ('logs', 'opt-acme-logs', 'none', None)]
    migrated = dict(DEFAULTS, **{'opt-acme-logs-2': engine('opt-acme-logs-2', labels={
        LABEL_MIGRATED_FROM: 'opt-acme-logs'})})
    switched = container('opt-acme', **{'/etc/mast': 'opt-acme-config', '/var/log/mast': 'opt-acme-logs-2'})
    assert actions(plan_for(LOGS2, migrated, [switched]))[1] == ('logs', 'opt-acme-logs-2', 'none', None)
    assert actions(plan_for(LOGS2, migrated, [switched], migrate=True))[1] == ('logs', 'opt-acme-logs-2', 'none', None)


def test_migration_planned_from_the_mounted_volume():
    plan = plan_for(LOGS2, DEFAULTS, [RUNNING], migrate=True)
    assert actions(plan) == [('config', 'opt-acme-config', 'none', None),
                             ('logs', 'opt-acme-logs-2', 'migrate', 'opt-acme-logs')]
    view = volume_view(plan[1])
    assert (view['action'], view['from'], view['name']) == ('migrate', 'opt-acme-logs', 'opt-acme-logs-2')
    assert migration_labels(plan[1]['desired'], 'opt-acme-logs') == {
        'coaxis.opt.client': 'acme', 'coaxis.opt.managed-by': 'coaxis-opt', 'coaxis.opt.volume': 'logs',
        'coaxis.opt.migrated-from': 'opt-acme-logs'}


def test_the_source_is_what_the_container_mounts_not_the_default():
    """acme moved once already (to -logs-2); the next move copies -logs-2, not the old default."""
    observed = dict(DEFAULTS, **{'opt-acme-logs-2': engine('opt-acme-logs-2')})
    on_2 = container('opt-acme', **{'/etc/mast': 'opt-acme-config', '/var/log/mast': 'opt-acme-logs-2'})
    client = {'name': 'acme', 'logs_volume': {'name': 'opt-acme-logs-3', 'type': 'nfs', 'addr': '10.0.0.5',
                                              'export': '/e'}}
    assert actions(plan_for(client, observed, [on_2], migrate=True))[1] == (
        'logs', 'opt-acme-logs-3', 'migrate', 'opt-acme-logs-2')


def test_without_a_container_the_source_is_the_default_name():
    assert actions(plan_for(LOGS2, DEFAULTS, [], migrate=True))[1] == (
        'logs', 'opt-acme-logs-2', 'migrate', 'opt-acme-logs')


def test_refused_without_migrate():
    plan = plan_for(LOGS2, DEFAULTS, [RUNNING])
    assert actions(plan)[1] == ('logs', 'opt-acme-logs-2', 'refused', 'opt-acme-logs')
    assert plan[1]['message'] == (
        'acme: the logs volume opt-acme-logs-2 does not exist and the data is in opt-acme-logs: a new empty '
        'volume would hide it. Add migrate: true for this client (opt_volume_migrate: true) to copy '
        'opt-acme-logs into opt-acme-logs-2 (opt-acme-logs is kept), or remove the name')
    french = plan_volumes(desired_volumes(LOGS2), DEFAULTS, 'fr')[1]['message']
    assert french == msg('vol_migrate_required', 'fr', client='acme', role='logs', volume='opt-acme-logs-2',
                         source='opt-acme-logs')
    assert french.startswith("acme : le volume logs opt-acme-logs-2 n'existe pas")


def test_source_missing_is_a_plain_create():
    assert actions(plan_for(LOGS2, {}, [], migrate=True)) == [
        ('config', 'opt-acme-config', 'create', None), ('logs', 'opt-acme-logs-2', 'create', None)]
    assert actions(plan_for(LOGS2, {}, []))[1] == ('logs', 'opt-acme-logs-2', 'create', None)


def test_unfinished_migration_is_copied_again_only_while_the_container_uses_the_source():
    copy = engine('opt-acme-logs-2', labels={LABEL_MIGRATED_FROM: 'opt-acme-logs'})
    observed = dict(DEFAULTS, **{'opt-acme-logs-2': copy})
    assert actions(plan_for(LOGS2, observed, [RUNNING], migrate=True))[1] == (
        'logs', 'opt-acme-logs-2', 'migrate', 'opt-acme-logs')
    assert actions(plan_for(LOGS2, observed, [RUNNING]))[1][2] == 'refused'
    # No container seen: nothing tells the copy is unfinished; it is not copied on every run.
    assert actions(plan_for(LOGS2, observed, [], migrate=True))[1][2] == 'none'


def test_an_existing_unrelated_named_volume_is_a_switch_with_a_warning():
    observed = dict(DEFAULTS, **{'opt-acme-logs-2': engine('opt-acme-logs-2')})
    item = plan_for(LOGS2, observed, [RUNNING], migrate=True)[1]
    assert (item['action'], item['switch_from']) == ('none', 'opt-acme-logs')
    assert 'the data of opt-acme-logs is kept there, not copied' in item['message']


def test_drift_is_reported_never_migrated_in_place():
    observed = {'opt-acme-config': engine('opt-acme-config'), 'opt-acme-logs': engine('opt-acme-logs')}
    plan = plan_for({'name': 'acme', 'config_volume': NFS}, observed, [RUNNING], migrate=True)
    assert actions(plan)[0] == ('config', 'opt-acme-config', 'drift', None)
    assert 'give the volume a new name with these options and migrate: true' in plan[0]['message']


def test_check_mode_plans_without_touching_the_engine():
    """The plan is pure: in check mode the module plans and calls nothing of _volapply.migrate."""
    plan = plan_for(LOGS2, DEFAULTS, [RUNNING], migrate=True)
    assert [i['action'] for i in plan] == ['none', 'migrate']
    assert 'opt-acme-logs-2' not in DEFAULTS


@pytest.mark.parametrize('clients, expected', [
    ([{'name': 'acme', 'logs_volume': {'name': 'bad name'}}],
     ['acme: logs volume: invalid name bad name (letters, digits, _ . - and at least 2 characters, '
      'starting with a letter or a digit)']),
    ([{'name': 'acme', 'logs_volume': {'name': 'opt-acme-config'}}],
     ['volume opt-acme-config is named for 2 volumes (acme config, acme logs); each client volume needs its own']),
    ([{'name': 'acme', 'logs_volume': {'name': 'opt-globex-logs'}}, {'name': 'globex'}],
     ['volume opt-globex-logs is named for 2 volumes (acme logs, globex logs); each client volume needs its own']),
    ([{'name': 'acme', 'config_volume': {'name': 'opt-acme-config-2', 'type': 'nfs', 'addr': 'a', 'export': '/e'}}],
     []),
])
def test_volume_name_validation(clients, expected):
    assert validate_clients(clients) == expected


# --- the helper ------------------------------------------------------------------------------

def test_helper_command_and_confinement():
    container, host = _volapply.helper_config('sha256:abc', 'opt-acme-logs', 'opt-acme-logs-2', 'opt-')
    assert container['image'] == 'sha256:abc'
    assert container['name'].startswith('opt-helper-migrate-')
    assert container['entrypoint'] == []
    assert container['command'] == ['sh', '-c', COPY_SCRIPT]
    assert 'cp -a /from/. /to/' in COPY_SCRIPT
    assert COPY_SCRIPT.startswith('set -e; find /from ')
    assert COPY_SCRIPT.index('find /from') < COPY_SCRIPT.index('cp -a') < COPY_SCRIPT.index('find /to')
    assert container['user'] == '0'
    assert container['network_disabled'] is True
    assert container['labels'] == {'coaxis.opt.helper': 'migrate', 'coaxis.opt.managed-by': 'coaxis-opt'}
    assert host == {
        'mounts': [{'source': 'opt-acme-logs', 'target': '/from', 'read_only': True},
                   {'source': 'opt-acme-logs-2', 'target': '/to', 'read_only': False}],
        'network_mode': 'none',
        'cap_drop': ['ALL'],
        'cap_add': ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID'],
        'security_opt': ['no-new-privileges:true'],
        'log_config': {'type': 'json-file', 'config': {'max-size': '1m', 'max-file': '1'}},
    }


LISTING = (b'A d 0 sub\0A f 120 sub/lyon log\0A f 5 marker\0A l 0 link\0'
           b'B d 0 sub\0B f 130 sub/lyon log\0B f 5 marker\0B l 0 link\0')


def test_listing_parse_and_compare():
    before, after = parse_listing(LISTING)
    assert before == {'sub': ('d', 0), 'sub/lyon log': ('f', 120), 'marker': ('f', 5), 'link': ('l', 0)}
    assert after['sub/lyon log'] == ('f', 130)
    assert compare_listings(before, after) == []  # a live log grew during the copy
    assert file_count(before) == 2
    assert compare_listings(before, {'sub': ('d', 0), 'sub/lyon log': ('f', 100), 'link': ('f', 3)}) == [
        'link: type f instead of l', 'missing marker', 'sub/lyon log: 100 bytes instead of 120']
    assert parse_listing(b'') == ({}, {})
    assert describe_problems(['p%d' % i for i in range(7)]) == 'p0, p1, p2, p3, p4 and 2 more'


class FakeApi:
    """Records the calls of copy_volume; wait() returns ``code`` or raises ``wait_error``."""

    def __init__(self, code=0, logs=LISTING, wait_error=None):
        self.calls, self.code, self.output, self.wait_error = [], code, logs, wait_error

    def create_host_config(self, **kw):
        self.calls.append(('host_config', kw))
        return kw

    def create_container(self, **kw):
        self.calls.append(('create_container', kw))
        return {'Id': 'helper1'}

    def start(self, helper_id):
        self.calls.append(('start', helper_id))

    def wait(self, helper_id, timeout=None):
        self.calls.append(('wait', timeout))
        if self.wait_error:
            raise self.wait_error
        return {'StatusCode': self.code}

    def logs(self, helper_id, stdout=True, stderr=True):
        self.calls.append(('logs', stdout, stderr))
        return self.output if stdout else b'cp: cannot create regular file: No space left on device\n'

    def remove_container(self, helper_id, force=False):
        self.calls.append(('remove', helper_id, force))


class FakeClient:
    def __init__(self, api):
        self.api = api


class FakeTypes:
    @staticmethod
    def Mount(**kw):  # noqa: N802 (docker.types.Mount)
        return kw


ITEM = {'client': 'acme', 'role': 'logs', 'name': 'opt-acme-logs-2', 'source': 'opt-acme-logs'}


@pytest.fixture
def fake_docker(monkeypatch):
    monkeypatch.setattr(_volapply._docker, 'docker', type('docker', (), {'types': FakeTypes}))


def test_copy_volume_runs_one_helper_verifies_and_removes_it(fake_docker):
    api = FakeApi()
    assert _volapply.copy_volume(FakeClient(api), 'sha256:abc', ITEM, 'opt-', 600, 'en') == 2
    names = [c[0] for c in api.calls]
    assert names == ['host_config', 'create_container', 'start', 'wait', 'logs', 'remove']
    assert api.calls[0][1]['mounts'][0] == {'target': '/from', 'source': 'opt-acme-logs', 'type': 'volume',
                                            'read_only': True}
    assert api.calls[3] == ('wait', 600)
    assert api.calls[-1] == ('remove', 'helper1', True)


def test_copy_failure_and_timeout_still_remove_the_helper(fake_docker):
    api = FakeApi(code=1)
    with pytest.raises(_volapply.StepFailed) as failed:
        _volapply.copy_volume(FakeClient(api), 'sha256:abc', ITEM, 'opt-', 600, 'en')
    assert str(failed.value) == (
        'acme: copying the logs volume opt-acme-logs into opt-acme-logs-2 failed (exit 1): cp: cannot create '
        'regular file: No space left on device; opt-acme-logs is untouched, run again to retry')
    assert api.calls[-1] == ('remove', 'helper1', True)
    api = FakeApi(wait_error=_volapply._docker.RequestException('read timed out'))
    with pytest.raises(_volapply.StepFailed, match='did not finish within 5 s'):
        _volapply.copy_volume(FakeClient(api), 'sha256:abc', ITEM, 'opt-', 5, 'en')
    assert api.calls[-1] == ('remove', 'helper1', True)


def test_incomplete_copy_is_an_error(fake_docker):
    api = FakeApi(logs=b'A f 5 marker\0A f 9 lyon.log\0B f 9 lyon.log\0')
    with pytest.raises(_volapply.StepFailed) as failed:
        _volapply.copy_volume(FakeClient(api), 'sha256:abc', ITEM, 'opt-', 600, 'en')
    assert str(failed.value) == ('acme: the copy of the logs volume opt-acme-logs into opt-acme-logs-2 is incomplete '
                                 '(missing marker); opt-acme-logs is untouched, run again to retry')
    assert api.calls[-1] == ('remove', 'helper1', True)
