# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The answer every coaxis.opt module gives (module_utils/_runner.py)."""

    DOCUMENTATION = r"""
options: {}
notes:
  - >-
    Every coaxis.opt module answers with the same keys - C(changed); C(plan), the actions done (in check mode,
    those that would be done), each with its C(action), C(target) and C(reason); C(summary), the operator's
    lines in O(lang); C(errors), every problem found (empty on success); and with C(--diff), C(diff). A failure
    carries C(msg), C(errors) and C(changed) (true when a change was under way). See RETURN for the keys of
    each module.
"""
