# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Vault a controller file with the vault secrets of the running playbook (see modules/opt_vault_encrypt.py).

Runs on the controller only: the secrets are those the run was given (--vault-id, a password
file, the environment), never another process's configuration, and the plaintext never leaves
the controller nor reaches the result. The choice of the secret is module_utils/_vaultid.py's: an
explicit id when the run has several, never the lab's public password outside the lab.
"""

from __future__ import annotations

import os
import re

from ansible import constants as C
from ansible.parsing.vault import VaultLib
from ansible.plugins.action import ActionBase

from ansible_collections.coaxis.opt.plugins.module_utils import _vaultid
from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, msg, unknown_language

NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def vaulted_variable(name, ciphertext):
    """``name: !vault |`` followed by the ciphertext indented, as ansible-vault encrypt_string prints it."""
    lines = ciphertext.decode() if isinstance(ciphertext, bytes) else ciphertext
    return '%s: !vault |\n%s' % (name, ''.join('          %s\n' % line for line in lines.splitlines()))


def lab_password_files(task_vars):
    """The lab password files of the checkout this run comes from: beside its playbooks and its
    ansible.cfg (``inventories/lab/vault-password.txt``)."""
    roots = [os.path.dirname(os.path.abspath(task_vars.get('playbook_dir') or '.'))]
    if C.CONFIG_FILE:
        roots.append(os.path.dirname(os.path.abspath(C.CONFIG_FILE)))
    return [os.path.join(root, 'inventories', 'lab', _vaultid.LAB_PASSWORD_FILE) for root in dict.fromkeys(roots)]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('src', 'name', 'vault_id', 'lang'))

    def run(self, tmp=None, task_vars=None):
        # The collection's answer (module_utils/_runner.py): nothing here is a planned change.
        result = dict(super().run(tmp, task_vars), changed=False, plan=[], summary=[], errors=[])
        failed = self._failed
        args = self._task.args
        lang = args.get('lang', 'en')
        if lang not in LANGS:
            return failed(result, unknown_language(lang))
        name = args.get('name', '')
        if not NAME_RE.fullmatch(name or ''):
            return failed(result, msg('vault_name_invalid', lang, name=name))
        src = args.get('src', '')
        try:
            with open(src, 'rb') as handle:
                plaintext = handle.read()
        except (OSError, TypeError) as exc:
            return failed(result, msg('vault_src_unreadable', lang, path=src, error=exc))
        secrets = self._loader._vault.secrets or []
        passwords = [(str(vault_id), secret.bytes) for vault_id, secret in secrets]
        lab = [p for p in map(_vaultid.read_password, lab_password_files(task_vars or {})) if p]
        folders = _vaultid.inventory_dirs((task_vars or {}).get('ansible_inventory_sources'))
        carried = [p for p in (_vaultid.read_password(os.path.join(folder, _vaultid.LAB_PASSWORD_FILE))
                               for folder in folders) if p]
        index, error = _vaultid.choose_secret(passwords, args.get('vault_id'), lab, carried, folders, lang)
        if error:
            return failed(result, error)
        vault_id, secret = secrets[index]
        ciphertext = VaultLib(secrets).encrypt(plaintext, secret=secret, vault_id=vault_id)
        return dict(result, vault_id=vault_id, vaulted=vaulted_variable(name, ciphertext))

    @staticmethod
    def _failed(result, text):
        return dict(result, failed=True, msg=text, errors=[text])
