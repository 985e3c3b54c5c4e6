# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.survey import opt_survey

# The survey texts the filter is given (the project's awx/vars/messages.yml holds the real ones).
TEXTS = {
    'survey_tunnel': {'en': "Act on a client's tunnels", 'fr': "Agir sur les tunnels d'un client"},
    'survey_tunnel_help': {'en': 'Status, start, stop or restart.', 'fr': 'État, démarrage, arrêt ou redémarrage.'},
    'survey_status': {'en': 'Status report', 'fr': "Rapport d'état"},
    'survey_status_help': {'en': 'Probes.', 'fr': 'Vérifie.'},
    'survey_q_client': {'en': 'Client', 'fr': 'Client'},
    'survey_q_client_help': {'en': "The client's name in the inventory (group opt_clients): 2 to 32 lowercase "
                                   'letters, digits and dashes.',
                             'fr': "Le nom du client dans l'inventaire."},
    'survey_q_client_optional': {'en': 'Client (empty: every client)', 'fr': 'Client (vide : tous les clients)'},
    'survey_q_client_optional_help': {'en': 'One client, or empty for all of them.',
                                      'fr': "Un client de l'inventaire (groupe opt_clients), ou vide pour tous."},
    'survey_q_tunnel_action': {'en': 'Action', 'fr': 'Action'},
    'survey_q_tunnel_action_help': {'en': 'status shows each site.', 'fr': 'état affiche chaque site.'},
    'survey_q_site': {'en': 'Site', 'fr': 'Site'},
    'survey_q_site_help': {'en': 'One site.', 'fr': 'Un site.'},
    'survey_q_opt_lang': {'en': 'Language of the messages', 'fr': 'Langue des messages'},
    'survey_q_opt_lang_help': {'en': 'en: English, fr: French.', 'fr': 'en : anglais, fr : français.'},
}

TUNNEL = [
    {'variable': 'client', 'required': True, 'min': 2, 'max': 32},
    {'variable': 'tunnel_action', 'type': 'multiplechoice', 'required': True, 'default': 'status'},
    {'variable': 'site', 'max': 32},
    {'variable': 'opt_lang', 'type': 'multiplechoice', 'choices': ['en', 'fr'], 'default': 'fr'},
]


def test_the_tunnel_survey_in_english():
    spec = opt_survey(TUNNEL, 'tunnel', 'en', TEXTS)
    assert spec['name'] == "Act on a client's tunnels"
    assert spec['spec'][0] == {
        'question_name': 'Client', 'required': True, 'type': 'text', 'variable': 'client', 'min': 2, 'max': 32,
        'default': '',
        'question_description': "The client's name in the inventory (group opt_clients): 2 to 32 lowercase "
                                'letters, digits and dashes.'}
    action = spec['spec'][1]
    assert (action['choices'], action['default']) == (['status', 'start', 'stop', 'restart'], 'status')
    assert spec['spec'][2]['min'] == 0 and spec['spec'][2]['required'] is False


def test_the_tunnel_survey_in_french():
    spec = opt_survey(TUNNEL, 'tunnel', 'fr', TEXTS)
    assert spec['name'] == "Agir sur les tunnels d'un client"
    action = spec['spec'][1]
    assert action['question_name'] == 'Action'
    assert (action['choices'], action['default']) == (['état', 'démarrer', 'arrêter', 'redémarrer'], 'état')
    assert spec['spec'][3]['choices'] == ['en', 'fr'] and spec['spec'][3]['default'] == 'fr'


def test_a_label_of_its_own():
    spec = opt_survey([{'variable': 'client', 'label': 'survey_q_client_optional', 'max': 32}], 'status', 'fr', TEXTS)
    assert spec['spec'][0]['question_name'] == 'Client (vide : tous les clients)'
    assert spec['spec'][0]['question_description'].startswith("Un client de l'inventaire")


@pytest.mark.parametrize('questions, error', [
    ([], 'survey tunnel: AWX needs at least one question'),
    ([{'variable': 'client', 'type': 'radio'}], 'survey tunnel: client has type radio'),
    ([{'variable': 'client', 'maxlength': 3}], r'survey tunnel: unknown key\(s\) maxlength'),
    ([{'variable': 'client', 'min': 5, 'max': 3}], 'survey tunnel: client has min 5 above max 3'),
    ([{'variable': 'client'}, {'variable': 'client'}], r'survey tunnel: variable\(s\) asked twice: client'),
    ([{'variable': 'tunnel_action', 'type': 'multiplechoice', 'default': 'reboot'}],
     'survey tunnel: default reboot of tunnel_action is none of status, start, stop, restart'),
    ([{'variable': 'site', 'type': 'multiplechoice'}], 'survey tunnel: site is a choice without choices'),
    ([{'variable': 'opt_lang', 'type': 'multiplechoice', 'choices': ['en', 'fr'], 'default': 'de'}],
     'survey tunnel: default de of opt_lang is none of en, fr'),
    ([{'variable': 'colour'}], 'survey tunnel: colour needs the catalog message survey_q_colour'),
])
def test_what_awx_would_refuse_is_an_error_naming_the_survey(questions, error):
    with pytest.raises(AnsibleFilterError, match='opt_survey: ' + error):
        opt_survey(questions, 'tunnel', 'en', TEXTS)


def test_an_unknown_survey_is_an_error():
    with pytest.raises(AnsibleFilterError, match='opt_survey: survey nope needs the catalog message survey_nope'):
        opt_survey(TUNNEL, 'nope', 'en', TEXTS)


def test_the_words_come_from_the_texts_given_in_every_language():
    # A text without French, or no texts at all (the survey's words are no part of the collection).
    broken = dict(TEXTS, survey_q_site={'en': 'Site'})
    with pytest.raises(AnsibleFilterError, match='opt_survey: survey tunnel: site needs the catalog message survey_q_site$'):
        opt_survey(TUNNEL, 'tunnel', 'en', broken)
    with pytest.raises(AnsibleFilterError, match='opt_survey: survey tunnel needs the catalog message survey_tunnel$'):
        opt_survey(TUNNEL, 'tunnel', 'en')
