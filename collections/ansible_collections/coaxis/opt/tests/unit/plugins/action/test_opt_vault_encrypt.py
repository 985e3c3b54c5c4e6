# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_vault_encrypt: the text it returns is a vars file line that Ansible decrypts back."""

from __future__ import annotations

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.coaxis.opt.plugins.action.opt_vault_encrypt import NAME_RE, vaulted_variable


def test_vaulted_variable_is_yaml_that_decrypts_back():
    secrets = [('prod', VaultSecret(b'pw'))]
    ciphertext = VaultLib(secrets).encrypt(b'-----BEGIN KEY-----\nbody\n', secret=secrets[0][1], vault_id='prod')
    text = vaulted_variable('vault_opt_private_key', ciphertext)
    assert text.startswith('vault_opt_private_key: !vault |\n')
    block = yaml.safe_load(text.replace('!vault |', '|'))['vault_opt_private_key']
    assert block.startswith('$ANSIBLE_VAULT;1.2;AES256;prod')
    assert VaultLib(secrets).decrypt(block) == b'-----BEGIN KEY-----\nbody\n'


def test_variable_names():
    assert NAME_RE.match('vault_opt_private_key')
    assert not NAME_RE.match('1key') and not NAME_RE.match('a-b') and not NAME_RE.match('')


def test_the_lab_password_files_are_those_of_the_checkout_of_the_playbooks(tmp_path):
    from ansible_collections.coaxis.opt.plugins.action.opt_vault_encrypt import lab_password_files
    files = lab_password_files({'playbook_dir': str(tmp_path / 'checkout' / 'playbooks')})
    assert files[0] == str(tmp_path / 'checkout' / 'inventories' / 'lab' / 'vault-password.txt')
    assert all(f.endswith('/inventories/lab/vault-password.txt') for f in files)
