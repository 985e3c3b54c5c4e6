# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Errors of the coaxis.opt filters that do not come from the inventory.

filter_lang(): the operator's language, checked before anything is rendered, so that a language
the catalog does not have is a clear error even when there is nothing to report.
usage_error(): a filter given the wrong kind of input (a list for a dict, an unknown field name)
is a bug of the playbook, read by its author: in English, like Ansible's own errors. Problems of
the inventory's data are catalog messages in the operator's language, never usage errors.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.module_utils._messages import check_lang


def filter_lang(name, lang):
    """``lang`` when the catalog has it, else AnsibleFilterError naming the filter."""
    try:
        return check_lang(lang)
    except ValueError as exc:
        raise AnsibleFilterError('%s: %s' % (name, exc)) from None


def usage_error(text):
    """The error of a filter used with the wrong input (see the module docstring)."""
    return AnsibleFilterError(text)
