# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Vault a controller file with the vault secrets of the running playbook (see modules/opt_vault_encrypt.py).

Runs on the controller only: the secrets are those the run was given (--vault-id, a password
file, the environment), never another process's configuration, and the plaintext never leaves
the controller nor reaches the result.
"""

from __future__ import annotations

import re

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.parsing.vault import VaultLib, match_encrypt_secret
from ansible.plugins.action import ActionBase

from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, msg, unknown_language

NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def vaulted_variable(name, ciphertext):
    """``name: !vault |`` followed by the ciphertext indented, as ansible-vault encrypt_string prints it."""
    lines = ciphertext.decode() if isinstance(ciphertext, bytes) else ciphertext
    return '%s: !vault |\n%s' % (name, ''.join('          %s\n' % line for line in lines.splitlines()))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('src', 'name', 'vault_id', 'lang'))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        lang = args.get('lang', 'en')
        if lang not in LANGS:
            return dict(result, failed=True, msg=unknown_language(lang))
        name = args.get('name', '')
        if not NAME_RE.fullmatch(name or ''):
            return dict(result, failed=True, msg=msg('vault_name_invalid', lang, name=name))
        src = args.get('src', '')
        try:
            with open(src, 'rb') as handle:
                plaintext = handle.read()
        except (OSError, TypeError) as exc:
            return dict(result, failed=True, msg=msg('vault_src_unreadable', lang, path=src, error=exc))
        secrets = self._loader._vault.secrets or []
        if not secrets:
            return dict(result, failed=True, msg=msg('vault_no_secret', lang))
        wanted = args.get('vault_id') or C.DEFAULT_VAULT_ENCRYPT_IDENTITY
        try:
            vault_id, secret = match_encrypt_secret(secrets, encrypt_vault_id=wanted)
        except AnsibleError:
            known = ', '.join(sorted({str(vid) for vid, _secret in secrets}))
            return dict(result, failed=True, msg=msg('vault_id_unknown', lang, vault_id=wanted, known=known))
        ciphertext = VaultLib(secrets).encrypt(plaintext, secret=secret, vault_id=vault_id)
        return dict(result, changed=False, vault_id=vault_id, vaulted=vaulted_variable(name, ciphertext))
