# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.survey import opt_choice
from ansible_collections.coaxis.opt.plugins.module_utils._messages import CHOICES, LANGS, msg


@pytest.mark.parametrize('answer, value', [
    ('restart', 'restart'), ('redémarrer', 'restart'), ('Redemarrer ', 'restart'), ('RESTART', 'restart'),
    ('état', 'status'), ('etat', 'status'), ('démarrer', 'start'), ('arrêter', 'stop'), ('stop', 'stop'),
])
def test_tunnel_actions_in_both_languages(answer, value):
    assert opt_choice(answer, 'tunnel_action') == value


@pytest.mark.parametrize('answer, value', [
    ('oui', 'true'), ('non', 'false'), ('yes', 'true'), ('no', 'false'), ('Oui', 'true'),
    (True, 'true'), (False, 'false'), ('true', 'true'), ('false', 'false'), ('1', 'true'), ('0', 'false'),
    ('on', 'true'), ('off', 'false'),
])
def test_purge_takes_the_labels_and_what_bool_reads(answer, value):
    assert opt_choice(answer, 'purge') == value


@pytest.mark.parametrize('answer, value', [('present', 'present'), ('présent', 'present'), ('absent', 'absent')])
def test_route_states(answer, value):
    assert opt_choice(answer, 'state') == value


@pytest.mark.parametrize('variable, answer', [
    ('tunnel_action', 'reboot'), ('tunnel_action', ''), ('purge', 'peut-être'), ('purge', 2), ('state', 'latest'),
])
def test_an_unknown_answer_comes_back_as_given_for_the_playbook_to_refuse(variable, answer):
    assert opt_choice(answer, variable) == answer


def test_an_unknown_variable_is_an_error():
    with pytest.raises(AnsibleFilterError, match='opt_choice: no choices for colour in the catalog; known: prune, purge, state, tunnel_action'):
        opt_choice('red', 'colour')


@pytest.mark.parametrize('variable', sorted(CHOICES))
def test_every_label_names_one_value_only(variable):
    # A label of one value that another language uses for another value would be ambiguous.
    for value in CHOICES[variable]:
        for lang in LANGS:
            assert opt_choice(msg('choice_%s_%s' % (variable, value), lang), variable) == value
