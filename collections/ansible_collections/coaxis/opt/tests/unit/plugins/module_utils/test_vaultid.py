# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_vaultid: an explicit id when the run has several secrets; the lab's password only in the lab."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils._vaultid import choose_secret, inventory_dirs, read_password

LAB = b'coaxis-lab-public'
PROD = b'a production secret'


def test_the_only_secret_is_used():
    assert choose_secret([('default', PROD)], None, [LAB], [], ['/srv/prod']) == (0, None)


def test_several_secrets_need_an_explicit_id_named_in_the_message():
    index, error = choose_secret([('lab', LAB), ('default', PROD)], None, [LAB], [], ['/srv/prod'])
    assert index is None
    assert error == ('this run has 2 vault secrets (default, lab): name the one that vaults the new value with '
                     '-e opt_vault_encrypt_id=<id>')
    assert choose_secret([('lab', LAB), ('prod', PROD)], 'prod', [LAB], [], ['/srv/prod']) == (1, None)
    dummy, error = choose_secret([('lab', LAB), ('prod', PROD)], None, [LAB], [], ['/srv/prod'], lang='fr')
    assert error.startswith('cette exécution a 2 secrets de coffre (lab, prod)')


def test_an_unknown_id_is_refused():
    dummy, error = choose_secret([('prod', PROD)], 'other', [LAB], [], ['/srv/prod'])
    assert error == 'vault id other is not among the secrets of this run (prod)'


def test_no_secret():
    dummy, error = choose_secret([], None, [LAB], [], ['/srv/prod'])
    assert error.startswith('no vault secret in this run')


def test_the_lab_password_is_refused_outside_the_lab_whatever_its_id():
    for vault_id in ('lab', 'default', 'prod'):
        index, error = choose_secret([(vault_id, LAB)], None, [LAB], [], ['/srv/prod'])
        assert index is None and error.startswith(
            "vault secret %s is the lab's public password and the inventory in use (/srv/prod) is not the lab" % vault_id)


def test_the_lab_id_is_refused_outside_the_lab_whatever_its_password():
    index, error = choose_secret([('lab', PROD)], None, [LAB], [], ['/srv/prod'])
    assert index is None and 'is not the lab' in error


def test_the_lab_password_is_accepted_with_an_inventory_that_carries_it():
    assert choose_secret([('lab', LAB)], None, [LAB], [LAB], ['/work/inventories/lab']) == (0, None)
    assert choose_secret([('default', LAB)], None, [LAB], [LAB], ['/tmp/copy']) == (0, None)
    # a lab id with another password than the one the inventory carries: not the lab's
    assert choose_secret([('lab', PROD)], None, [LAB], [LAB], ['/tmp/copy'])[0] is None


def test_a_production_secret_is_accepted_with_the_lab_inventory():
    assert choose_secret([('lab', LAB), ('prod', PROD)], 'prod', [LAB], [LAB], ['/x']) == (1, None)


def test_inventory_dirs_and_password_files(tmp_path):
    (tmp_path / 'inv').mkdir()
    hosts = tmp_path / 'inv' / 'hosts.yml'
    hosts.write_text('all: {}\n')
    assert inventory_dirs([str(tmp_path / 'inv'), str(hosts), 'a,b,', None]) == [str(tmp_path / 'inv')]
    (tmp_path / 'inv' / 'vault-password.txt').write_text('  pw \n')
    assert read_password(str(tmp_path / 'inv' / 'vault-password.txt')) == b'pw'
    assert read_password(str(tmp_path / 'absent')) is None
