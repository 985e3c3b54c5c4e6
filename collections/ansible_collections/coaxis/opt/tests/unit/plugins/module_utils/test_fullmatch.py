# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every validator refuses a value with a trailing newline ("$" accepts one; fullmatch does not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.coaxis.opt.plugins.action import opt_vault_encrypt
from ansible_collections.coaxis.opt.plugins.module_utils import (
    _hoststate, _ipplan, _lock, _proxyplan, _configplan, _routeplan, _volplan)

PLUGINS = Path(__file__).resolve().parents[4] / 'plugins'
MAST = Path(__file__).resolve().parents[8] / 'images' / 'docker-opt' / 'mast'
DIGEST = 'a' * 64


@pytest.mark.parametrize('good, check', [
    ('acme', _ipplan.valid_client_name),
    ('eth1', _ipplan.valid_ifname),
    ('10.0.0.1', lambda value: _ipplan.parse_ipv4(value) is not None),
    ('lyon', _configplan.valid_name),
    ('gw.lyon.example.com', _configplan.valid_host),
    ('10.130.0.10', _configplan.valid_host),
    ('coaxis', lambda value: bool(_configplan.USER_RE.fullmatch(value))),
    ('example.com', _proxyplan.valid_domain),
    ('https://admin.example.com/opt', lambda value: _configplan.parse_admin_url(value) is not None),
    ('opt-acme-config', lambda value: not _volplan.validate_volume('acme', 'config', {'name': value})),
    ('coaxis-opt-routes', lambda value: not _routeplan.validate_routes([], value)[1]),
    ('lab-network', lambda value: not _lock.validate({'name': value, 'timeout': 1, 'ttl': 60})),
    ('vault_opt_private_key', lambda value: bool(opt_vault_encrypt.NAME_RE.fullmatch(value))),
    ('add_header X-Frame-Options DENY;', lambda value: not _proxyplan.extra_errors('acme', [value])),
])
def test_trailing_newline_refused(good, check):
    assert check(good)
    assert not check(good + '\n')


def test_a_digest_with_a_newline_is_digested_again():
    assert _hoststate.input_digests({'code': DIGEST}) == {'code': DIGEST}
    assert _hoststate.input_digests({'code': DIGEST + '\n'})['code'] != DIGEST + '\n'


# Line parsers (one line of a file, already split) may use match(); validators may not.
LINE_PARSERS = {'EXEC_START', 'ROUTE_COMMENT', 'AUTOSSH_RE', 'OPEN_CONFIRM', 'OPEN_FAILED'}


@pytest.mark.parametrize('root', [PLUGINS, MAST], ids=['collection', 'mast'])
def test_no_validator_uses_match_or_search(root):
    if not root.is_dir():
        pytest.skip('%s is not beside the collection' % root)
    offenders = []
    for path in sorted(root.rglob('*.py')):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for call in re.finditer(r'(\w+)\.(match|search)\(', line):
                if call.group(1) not in LINE_PARSERS and call.group(1) != 're':
                    offenders.append('%s:%d: %s' % (path.name, number, line.strip()))
                elif call.group(1) == 're' and call.group(2) == 'match' and 'ssh child pid' not in line:
                    offenders.append('%s:%d: %s' % (path.name, number, line.strip()))
    assert offenders == []
