# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_route end to end against a fake host: check mode changes nothing, a second run is a no-op,
a conflict is refused before any command, the unit comes and goes."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.modules import opt_route

LAN = {'dst': '10.129.0.0/24', 'dev': 'eth0', 'protocol': 'kernel', 'scope': 'link', 'prefsrc': '10.129.0.10'}
ROUTE = {'dest': '10.128.0.0/16', 'via': '10.129.0.1', 'comment': 'lab-docker-host'}


class FakeHost:
    """The routing table and systemd of a Coaxis host, as the module's commands see them."""

    def __init__(self, routes=()):
        self.table = [LAN] + list(routes)
        self.enabled = self.active = False
        self.changes = []

    def run_command(self, argv, **_kw):
        command = [a.rsplit('/', 1)[-1] for a in argv[:1]] + list(argv[1:])
        if command[:4] == ['ip', '-j', 'route', 'show']:
            return 0, json.dumps(self.table), ''
        if command[:4] == ['ip', '-j', 'route', 'get']:
            return 0, json.dumps([{'dst': command[4], 'dev': 'eth0'}]), ''
        if command[:3] == ['ip', 'route', 'add']:
            self.table.append({'dst': command[3], 'gateway': command[5], 'dev': 'eth0'})
        elif command[:3] == ['ip', 'route', 'del']:
            self.table = [r for r in self.table if not (r['dst'] == command[3] and r.get('gateway') == command[5])]
        elif command[:2] == ['systemctl', 'is-enabled']:
            return (0 if self.enabled else 1), '', ''
        elif command[:2] == ['systemctl', 'is-active']:
            return (0 if self.active else 3), '', ''
        elif command[:1] == ['systemctl']:
            self.enabled = {'enable': True, 'disable': False}.get(command[1], self.enabled)
            self.active = {'start': True, 'stop': False}.get(command[1], self.active)
        self.changes.append(' '.join(command))
        return 0, '', ''


@pytest.fixture
def host(monkeypatch, tmp_path):
    fake = FakeHost()
    (tmp_path / 'run-systemd').mkdir()
    monkeypatch.setattr(opt_route, 'UNIT_DIR', str(tmp_path))
    monkeypatch.setattr(opt_route, 'SYSTEMD_RUNNING', str(tmp_path / 'run-systemd'))
    monkeypatch.setattr(AnsibleModule, 'run_command', lambda self, argv, **kw: fake.run_command(argv))
    monkeypatch.setattr(AnsibleModule, 'get_bin_path', lambda self, name, **kw: '/usr/sbin/' + name)
    fake.unit = tmp_path / 'coaxis-opt-routes.service'
    return fake


def run(capsys, check_mode=False, **args):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)), pytest.raises(SystemExit):
        opt_route.main()
    return json.loads(capsys.readouterr().out)


def test_check_mode_then_apply_then_no_op(host, capsys):
    checked = run(capsys, check_mode=True, routes=[ROUTE])
    assert checked['changed'] and checked['routes'][0]['action'] == 'added'
    assert host.changes == [] and not host.unit.exists()
    assert '10.128.0.0/16 via 10.129.0.1' in checked['diff'][0]['after']
    assert '/ip route add 10.128.0.0/16 via 10.129.0.1\n' in checked['diff'][1]['after']

    applied = run(capsys, routes=[ROUTE])
    assert applied['changed'] and applied['unit'] == str(host.unit)
    assert host.changes == ['ip route add 10.128.0.0/16 via 10.129.0.1', 'systemctl daemon-reload',
                            'systemctl enable coaxis-opt-routes', 'systemctl start coaxis-opt-routes']
    assert '# route 10.128.0.0/16 via 10.129.0.1: lab-docker-host' in host.unit.read_text()

    again = run(capsys, routes=[ROUTE])
    assert not again['changed'] and again['routes'][0]['action'] == 'none' and again['unit_steps'] == []


def test_conflict_is_refused_before_any_change(host, capsys):
    host.table.append({'dst': '10.128.0.0/16', 'gateway': '10.129.0.5', 'dev': 'eth0'})
    result = run(capsys, routes=[ROUTE, {'dest': '10.140.0.1/16', 'via': '10.129.0.1'}])
    assert result['failed'] and host.changes == [] and not host.unit.exists()
    assert result['msg'] == ('1 problem(s), this step changed nothing (the steps before it in the run may have): '
                             'route 10.140.0.1/16: host bits are set; '
                             'did you mean 10.140.0.0/16?')
    result = run(capsys, routes=[ROUTE], lang='fr')
    assert result['msg'] == ("1 problème(s), cette étape n'a rien modifié (les étapes d'avant dans l'exécution ont "
                             "pu le faire) : route 10.128.0.0/16 via 10.129.0.1 : l'hôte a "
                             "déjà la route 10.128.0.0/16 via 10.129.0.5 dev eth0 ; elle n'est jamais écrasée : "
                             "supprimez-la à la main ou corrigez l'inventaire")
    assert host.changes == []


def test_absent_removes_the_route_and_the_unit(host, capsys):
    run(capsys, routes=[ROUTE])
    host.changes.clear()
    removed = run(capsys, routes=[dict(ROUTE, state='absent')])
    assert removed['changed'] and removed['routes'][0]['action'] == 'removed'
    assert host.changes == ['ip route del 10.128.0.0/16 via 10.129.0.1', 'systemctl disable coaxis-opt-routes',
                            'systemctl stop coaxis-opt-routes', 'systemctl daemon-reload']
    assert not host.unit.exists()
    assert not run(capsys, routes=[dict(ROUTE, state='absent')])['changed']


def test_foreign_unit_and_missing_systemd(host, capsys, tmp_path, monkeypatch):
    host.unit.write_text('[Unit]\nDescription=someone else\n')
    assert 'was not written by coaxis.opt.opt_route' in run(capsys, routes=[ROUTE])['msg']
    monkeypatch.setattr(opt_route, 'SYSTEMD_RUNNING', str(tmp_path / 'absent'))
    assert 'does not run systemd' in run(capsys, routes=[ROUTE])['msg']
    result = run(capsys, routes=[ROUTE], persist='none')
    assert result['changed'] and result['unit'] is None and result['unit_steps'] == []
    assert host.unit.read_text() == '[Unit]\nDescription=someone else\n'
