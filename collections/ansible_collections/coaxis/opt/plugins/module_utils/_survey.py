# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWX surveys from their texts, and survey answers back to the playbooks' values.

A survey is data (awx/vars/surveys.yml): per question the playbook variable it sets, its type
and its limits. Its words come in the language asked from two catalogs, so the English and French
surveys cannot drift apart: its name, description, question labels and help from the texts the
caller gives (awx/vars/messages.yml, no part of the collection), the labels of a choice from the
message catalog (the playbooks read them back, coaxis.opt.opt_choice). A
multiple-choice answer is the label the operator picked ("redémarrer"); ``canonical_choice`` turns
it back into the value the playbook validates ("restart").
"""

from __future__ import annotations

import unicodedata

from ansible_collections.coaxis.opt.plugins.module_utils._messages import CHOICES, LANGS, check_lang, msg

# The question types AWX accepts (awx/main/constants.py SURVEY_TYPE_MAPPING).
AWX_TYPES = ('text', 'textarea', 'password', 'integer', 'float', 'multiplechoice', 'multiselect')
QUESTION_KEYS = ('variable', 'type', 'required', 'min', 'max', 'default', 'choices', 'label', 'help')
TEXT_TYPES = ('text', 'textarea', 'password')
# What Ansible's bool filter reads as true or false: a yes/no choice accepts them too, so
# -e purge=true keeps working beside the survey's "yes" and "oui".
BOOL_TRUE = ('true', 'yes', 'y', 'on', '1', 't')
BOOL_FALSE = ('false', 'no', 'n', 'off', '0', 'f')


class SurveyError(ValueError):
    """A survey definition AWX would refuse, or a catalog entry it needs that is missing."""


def _fold(text):
    """Case, accents and surrounding blanks do not matter in an answer: "Redemarrer " is "redémarrer"."""
    decomposed = unicodedata.normalize('NFKD', str(text).strip())
    return ''.join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def choice_label(variable, value, lang='en'):
    """The label of canonical ``value`` of ``variable`` in ``lang``."""
    return msg('choice_%s_%s' % (variable, value), lang)


def choice_labels(variable, lang='en'):
    """The labels of every canonical value of ``variable``, in the order of CHOICES."""
    if variable not in CHOICES:
        raise SurveyError('no choices for %s in the catalog; known: %s' % (variable, ', '.join(sorted(CHOICES))))
    return [choice_label(variable, value, lang) for value in CHOICES[variable]]


def canonical_choice(variable, answer):
    """The canonical value ``answer`` stands for (a canonical value, or its label in any language).

    Returns None for an answer that is none of them: the playbook then refuses it with its own message.
    """
    if variable not in CHOICES:
        raise SurveyError('no choices for %s in the catalog; known: %s' % (variable, ', '.join(sorted(CHOICES))))
    values = CHOICES[variable]
    if isinstance(answer, bool):
        answer = 'true' if answer else 'false'
    folded = _fold(answer)
    for value in values:
        spellings = [value] + [choice_label(variable, value, lang) for lang in LANGS]
        if folded in [_fold(spelling) for spelling in spellings]:
            return value
    if set(values) == {'true', 'false'}:
        if folded in BOOL_TRUE:
            return 'true'
        if folded in BOOL_FALSE:
            return 'false'
    return None


def _text(texts, key, lang):
    """Text ``key`` of the survey texts in ``lang`` (the caller checked that both are there)."""
    return texts[key][lang]


def _missing(texts, key):
    """True when the survey texts lack ``key`` or one of its languages."""
    entry = texts.get(key) if isinstance(texts, dict) else None
    return not isinstance(entry, dict) or any(not str(entry.get(lang) or '').strip() for lang in LANGS)


def _question(survey, question, lang, texts):
    unknown = sorted(set(question) - set(QUESTION_KEYS))
    if unknown:
        raise SurveyError('survey %s: unknown key(s) %s in a question; known: %s'
                          % (survey, ', '.join(unknown), ', '.join(QUESTION_KEYS)))
    variable = question.get('variable')
    if not variable or not isinstance(variable, str):
        raise SurveyError('survey %s: a question without its variable' % survey)
    qtype = question.get('type', 'text')
    if qtype not in AWX_TYPES:
        raise SurveyError('survey %s: %s has type %s; AWX takes %s' % (survey, variable, qtype, ', '.join(AWX_TYPES)))
    label = question.get('label') or 'survey_q_%s' % variable
    help_key = question.get('help') or '%s_help' % label
    for key in (label, help_key):
        if _missing(texts, key):
            raise SurveyError('survey %s: %s needs the catalog message %s' % (survey, variable, key))
    item = {
        'question_name': _text(texts, label, lang),
        'question_description': _text(texts, help_key, lang),
        'required': bool(question.get('required', False)),
        'type': qtype,
        'variable': variable,
    }
    if qtype in ('multiplechoice', 'multiselect'):
        item.update(_choices(survey, variable, question, lang))
    else:
        # AWX checks an optional text's length too when it is sent empty: no minimum unless required.
        item['min'] = int(question.get('min', 0))
        item['max'] = int(question.get('max', 1024))
        if item['min'] > item['max']:
            raise SurveyError('survey %s: %s has min %s above max %s' % (survey, variable, item['min'], item['max']))
        item['default'] = question.get('default', '' if qtype in TEXT_TYPES else None)
        if item['default'] is None:
            del item['default']
    return item


def _choices(survey, variable, question, lang):
    """Literal choices (the same in every language), or the catalog's labels of the variable's CHOICES."""
    if 'choices' in question:
        choices = [str(choice) for choice in question['choices']]
        default = question.get('default', '')
        default = '' if default is None else str(default)
    elif variable in CHOICES:
        choices = choice_labels(variable, lang)
        default = question.get('default', '')
        if default not in ('', None):
            value = canonical_choice(variable, default)
            if value is None:
                raise SurveyError('survey %s: default %s of %s is none of %s'
                                  % (survey, default, variable, ', '.join(CHOICES[variable])))
            default = choice_label(variable, value, lang)
        else:
            default = ''
    else:
        raise SurveyError('survey %s: %s is a choice without choices (none given, none in the catalog)' % (survey, variable))
    if not choices or any(not choice.strip() or '\n' in choice for choice in choices):
        raise SurveyError('survey %s: %s needs non-empty one-line choices, got %r' % (survey, variable, choices))
    if len(set(choices)) != len(choices):
        raise SurveyError('survey %s: %s lists a choice twice: %r' % (survey, variable, choices))
    if default and default not in choices:
        raise SurveyError('survey %s: default %s of %s is none of %s' % (survey, default, variable, ', '.join(choices)))
    return {'choices': choices, 'default': default}


def survey_spec(survey, questions, lang='en', texts=None):
    """The AWX survey_spec of ``survey`` in ``lang`` (one of LANGS, else ValueError).

    texts: the survey texts, key -> {lang: text} (awx/vars/messages.yml): the survey's name and
    description are survey_<survey>[_help], each question's label and help survey_q_<variable>[_help]
    or the keys the question names.
    """
    check_lang(lang)
    texts = texts or {}
    for key in ('survey_%s' % survey, 'survey_%s_help' % survey):
        if _missing(texts, key):
            raise SurveyError('survey %s needs the catalog message %s' % (survey, key))
    if not isinstance(questions, (list, tuple)) or not questions:
        raise SurveyError('survey %s: AWX needs at least one question' % survey)
    spec = [_question(survey, dict(question), lang, texts) for question in questions]
    variables = [item['variable'] for item in spec]
    twice = sorted(set(v for v in variables if variables.count(v) > 1))
    if twice:
        raise SurveyError('survey %s: variable(s) asked twice: %s' % (survey, ', '.join(twice)))
    return {'name': _text(texts, 'survey_%s' % survey, lang), 'description': _text(texts, 'survey_%s_help' % survey, lang),
            'spec': spec}
