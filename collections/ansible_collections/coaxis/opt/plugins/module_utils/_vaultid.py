# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which vault secret of a run may vault a new value (opt_vault_encrypt). Pure, no Ansible.

The lab's vault password is public by design: it sits in its inventory, as ``vault-password.txt``.
A value vaulted with it is readable by anyone, so it may vault only a value of an inventory that
carries that very password file (the lab, or a copy of it). A secret is the lab's when its vault id
is ``lab`` or when its password is that of a lab password file the caller knows (the checkout's
``inventories/lab/vault-password.txt``): the id alone could be renamed, the password cannot.

When the run has more than one secret, the caller must name the one to use: the first one is
whatever the configuration or the environment listed first, possibly the lab's.
"""

from __future__ import annotations

import os

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

LAB_VAULT_ID = 'lab'
# The name of the password file a lab inventory carries in its own directory.
LAB_PASSWORD_FILE = 'vault-password.txt'


def inventory_dirs(sources):
    """The directories of the inventory sources in use (a file source: its directory)."""
    dirs = []
    for source in sources or []:
        if not isinstance(source, str) or not source or ',' in source:
            continue  # a host list ("a,b,") is no directory
        path = os.path.abspath(os.path.expanduser(source))
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        if folder not in dirs:
            dirs.append(folder)
    return dirs


def read_password(path):
    """The password of a password file as Ansible reads it (stripped), or None when unreadable."""
    try:
        with open(path, 'rb') as handle:
            text = handle.read().strip()
    except OSError:
        return None
    return text or None


def choose_secret(secrets, wanted, lab_passwords, inventory_passwords, inventories, lang='en'):
    """(index into ``secrets``, None) or (None, operator message).

    secrets: [(vault id, password bytes)] of the run, in its order; wanted: the vault id asked for
    (None: the run's only secret); lab_passwords: the passwords of the lab password files known;
    inventory_passwords: those of the password files the inventories in use carry; inventories:
    their names, for the message.
    """
    if not secrets:
        return None, msg('vault_no_secret', lang)
    known = ', '.join(sorted({str(vault_id) for vault_id, _password in secrets}))
    if wanted:
        matches = [i for i, (vault_id, _password) in enumerate(secrets) if vault_id == wanted]
        if not matches:
            return None, msg('vault_id_unknown', lang, vault_id=wanted, known=known)
        index = matches[0]
    elif len(secrets) > 1:
        return None, msg('vault_id_required', lang, count=len(secrets), known=known)
    else:
        index = 0
    vault_id, password = secrets[index]
    is_lab = vault_id == LAB_VAULT_ID or password in set(lab_passwords)
    if is_lab and password not in set(inventory_passwords):
        return None, msg('vault_lab_secret_refused', lang, vault_id=vault_id,
                         inventory=', '.join(inventories) or '-')
    return index, None
