#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_vault_encrypt
short_description: Vault a file with the running playbook's own vault secrets (Coaxis OPT)
version_added: 0.1.0
description:
  - Encrypts the controller file O(src) as the vaulted variable O(name), with the vault secret of
    this very run (C(--vault-id), C(--ask-vault-pass), C(vault_password_file),
    C(ANSIBLE_VAULT_PASSWORD_FILE)), and returns it as text ready for a vars file.
  - Another process (C(ansible-vault encrypt_string)) would read its own configuration and could
    vault with a secret other than the one of the run, such as a lab password; this action cannot.
  - Runs on the controller (an action plugin); the plaintext is never part of the result.
  - When the run has more than one vault secret, O(vault_id) must name one; the action never takes
    the first by default (it would be whichever the configuration or the environment listed first).
  - It refuses the lab's vault password outside the lab. A secret is the lab's when its vault id is
    V(lab), or when its password is the one in C(inventories/lab/vault-password.txt) beside the
    playbook directory or C(ansible.cfg). It is accepted only when an inventory in use carries that
    same password in its own directory, as C(vault-password.txt) (the lab inventory and its copies).
extends_documentation_fragment:
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Encrypting changes nothing; the result is the same in check mode.
  diff_mode:
    support: none
    description: Nothing is written; the caller writes the returned text.
options:
  src:
    description: Path on the controller of the file to vault (a private key, say).
    type: path
    required: true
  name:
    description: Name of the variable the vaulted value is given.
    type: str
    required: true
  vault_id:
    description:
      - Vault id to encrypt with, among those of the run (C(site_key.yml) takes it from
        C(opt_vault_encrypt_id)). Required when the run has more than one secret; default, the
        run's only secret. The configuration's C(vault_encrypt_identity) is not used.
    type: str
  lang:
    description: Language of the messages, V(en) or V(fr).
    type: str
    default: en
    choices: [en, fr]
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Vault the new private key with this run's vault secret
  coaxis.opt.opt_vault_encrypt:
    src: "{{ key_dir }}/key"
    name: vault_opt_private_key
  register: vaulted

- name: The same when the run has several vault ids (--vault-id lab@... --vault-id prod@prompt)
  coaxis.opt.opt_vault_encrypt:
    src: "{{ key_dir }}/key"
    name: vault_opt_private_key
    vault_id: prod
  register: vaulted

- name: Store it
  ansible.builtin.copy:
    content: "{{ vaulted.vaulted }}"
    dest: host_vars/acme/vault.yml
    mode: "0600"
"""

RETURN = r"""
plan:
  description: Always empty - the module writes nothing; the playbook writes RV(vaulted) where it belongs.
  returned: always
  type: list
  elements: dict
summary:
  description: The operator's lines (none for this module).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
vaulted:
  description:
    - "The line C(<name>: !vault |) then the ciphertext, indented, as C(ansible-vault encrypt_string) prints it."
  returned: success
  type: str
vault_id:
  description: The vault id the value was encrypted with.
  returned: success
  type: str
"""
