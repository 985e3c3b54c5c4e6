# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The return contract of every coaxis.opt module, as plain data (no Ansible, no Docker): what a
planner returns (Plan, its action() items and diff_of() diffs) and what it raises on bad input
(Refused). Planners import it; ``_runner.py`` turns it into the module's answer."""

from __future__ import annotations

# The keys of every answer (with --diff, ``diff`` too): ``changed``, then three lists.
CONTRACT = ('changed', 'plan', 'summary', 'errors')


class Refused(Exception):
    """The request cannot be carried out. ``errors``: every problem found, operator lines.

    ``key``: the catalog message that wraps them (``step_refused``, ``plan_refused``, ...); without
    one the message is the errors joined. ``result``: more keys for the failure answer."""

    def __init__(self, errors, key=None, **result):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.key = key
        self.result = result
        Exception.__init__(self, '; '.join(self.errors))


def action(verb, target, reason=None):
    """One item of a plan: what is done (create, recreate, update, remove, ...) to what, and why."""
    return {'action': verb, 'target': target, 'reason': reason}


def diff_of(before, after, header=None):
    """The one diff shape: before and after (text or data), with one header for both when given."""
    out = {'before': before, 'after': after}
    if header:
        out['before_header'] = out['after_header'] = header
    return out


class Plan:
    """What a planner found: ``actions`` (items of action()), the operator's ``summary`` lines,
    the diff (``before``/``after``, or ``diff`` for a ready-made one or a list of them), the
    module's own result keys (``result``) and what the applier needs that is not answered
    (``data``). ``changed``: any action, unless told otherwise."""

    def __init__(self, actions=(), summary=(), changed=None, before=None, after=None, header=None,
                 diff=None, data=None, **result):
        self.actions = list(actions)
        self.summary = [summary] if isinstance(summary, str) else list(summary)
        self.changed = bool(self.actions) if changed is None else bool(changed)
        self.diff = diff
        if diff is None and (before is not None or after is not None):
            self.diff = diff_of(before, after, header)
        self.result = result
        self.data = data or {}
