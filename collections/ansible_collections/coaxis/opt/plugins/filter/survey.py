# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWX surveys rendered from their texts (awx/configure.yml, with awx/vars/messages.yml), and their
answers normalised for the playbooks (a French label becomes the canonical value the playbook validates)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils._survey import SurveyError, canonical_choice, survey_spec


def opt_choice(answer, variable):
    """The canonical value of ``variable`` that ``answer`` names (itself or a label in any language).

    An answer that names none is returned as given, for the playbook's own refusal to name it.
    """
    try:
        value = canonical_choice(variable, answer)
    except SurveyError as exc:
        raise AnsibleFilterError('opt_choice: %s' % exc)
    return answer if value is None else value


def opt_survey(questions, survey, lang='en', texts=None):
    """The AWX survey_spec of ``survey`` from its ``questions`` and its ``texts``, in ``lang``."""
    try:
        return survey_spec(survey, questions, lang, texts)
    except SurveyError as exc:
        raise AnsibleFilterError('opt_survey: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'opt_choice': opt_choice, 'opt_survey': opt_survey}
