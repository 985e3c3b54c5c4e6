# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The recorded state of a Docker host (``_hoststate``) on the controller: read it, write it."""

from __future__ import annotations

import json
import os
import tempfile


def read_state(path):
    """The recorded state, or None when there is none (or it cannot be read)."""
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_state(path, state):
    """Atomically, mode 0600 (digests only, but nobody else needs them)."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.state-')
    with os.fdopen(handle, 'w') as out:
        json.dump(state, out, sort_keys=True)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
