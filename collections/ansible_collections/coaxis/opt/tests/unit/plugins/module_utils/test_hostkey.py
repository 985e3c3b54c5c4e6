# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_hostkey: the fingerprint is ssh-keygen's, the scanned key is the one of the asked type."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _hostkey

LYON = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw'
PARIS = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOuP1IvXIowi2rsRaZJ+5lup2Xs6DAB0JoHAUpCAXJ0W'


@pytest.mark.skipif(not shutil.which('ssh-keygen'), reason='ssh-keygen (openssh-client) not installed')
@pytest.mark.parametrize('key', [LYON, PARIS, LYON + ' root@lyon'])
def test_fingerprint_is_ssh_keygen_s(key, tmp_path):
    path = tmp_path / 'key.pub'
    path.write_text(key + '\n')
    expected = subprocess.run(['ssh-keygen', '-lf', str(path)], check=True, capture_output=True,
                              text=True).stdout.split()[1]
    assert _hostkey.fingerprint(key) == expected


def test_fingerprint_of_a_fresh_key_matches_ssh_keygen(tmp_path):
    if not shutil.which('ssh-keygen'):
        pytest.skip('ssh-keygen (openssh-client) not installed')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(tmp_path / 'k')], check=True)
    key = (tmp_path / 'k.pub').read_text().strip()
    expected = subprocess.run(['ssh-keygen', '-lf', str(tmp_path / 'k.pub')], check=True, capture_output=True,
                              text=True).stdout.split()[1]
    assert _hostkey.fingerprint(key) == expected


@pytest.mark.parametrize('bad', [None, '', 'ssh-ed25519', 'ssh-ed25519 !!!', 'ssh-rsa ' + LYON.split()[1], 42])
def test_fingerprint_of_a_malformed_key_is_none(bad):
    assert _hostkey.fingerprint(bad) is None


def test_scanned_key_picks_the_type_asked_for():
    output = ('# 10.130.0.10:22 SSH-2.0-OpenSSH_9.2p1 Debian-2\n'
              '10.130.0.10 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ\n'
              '10.130.0.10 ' + LYON + '\n')
    assert _hostkey.scanned_key(output) == LYON
    assert _hostkey.scanned_key(output.encode()) == LYON


@pytest.mark.parametrize('output', ['', '# 10.130.0.99:22 SSH-2.0\n', '10.130.0.10 ssh-ed25519 broken\n', None])
def test_scanned_key_none_when_no_key(output):
    assert _hostkey.scanned_key(output) is None


def test_keyscan_argv_is_bounded():
    assert _hostkey.keyscan_argv('10.130.0.10', '22') == [
        'ssh-keyscan', '-T', '5', '-t', 'ed25519', '-p', '22', '10.130.0.10']
