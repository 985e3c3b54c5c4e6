# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory's variables as the whole-inventory check reads them.

A variable whose template names an undefined one (a new client's
``opt_private_key: "{{ vault_opt_private_key }}"`` before site_key.yml wrote its vault.yml) reaches a
filter as a Jinja ``Undefined``: the first use of it would stop the whole check with Jinja's bare
"'vault_opt_private_key' is undefined", naming neither the host nor the variable. Read through
``ReadableHostvars``, such a variable is noted once (host, variable, Jinja's text) and read as
absent, so the check goes on and reports it among the other problems.
"""

from __future__ import annotations

from jinja2 import Undefined

_ABSENT = object()


def undefined_in(value):
    """The first Undefined inside a value (itself, or an item of its lists and dicts), or None."""
    if isinstance(value, Undefined):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = undefined_in(item)
        if found is not None:
            return found
    return None


def undefined_text(value):
    """Jinja's own words for an Undefined ("'x' is undefined")."""
    try:
        str(value)
    except Exception as exc:  # pylint: disable=broad-except  # Jinja raises its UndefinedError subclasses
        return str(exc)
    return 'undefined'


class ReadableVars:
    """One host's variables: ``get`` and ``[]`` read an unreadable variable as absent and note it."""

    def __init__(self, host, variables, unreadable):
        self._host, self._vars, self._unreadable = host, variables, unreadable

    def get(self, key, default=None):
        value = self._vars.get(key, _ABSENT)
        if value is _ABSENT:
            return default
        missing = undefined_in(value)
        if missing is not None:
            self._unreadable.setdefault((self._host, key), undefined_text(missing))
            return default
        return value

    def __getitem__(self, key):
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value


class ReadableHostvars:
    """``hostvars`` for the checks; ``unreadable`` maps (host, variable) to Jinja's text."""

    def __init__(self, hostvars):
        self._hostvars = hostvars
        self.unreadable = {}

    def __getitem__(self, host):
        return ReadableVars(host, self._hostvars[host], self.unreadable)
