# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The static routes on a Coaxis host: the commands that change them (C(ip route add|del)), the
unit file and its systemctl steps. Every command goes through the module's run_command."""

from __future__ import annotations

import os
import tempfile

from ansible_collections.coaxis.opt.plugins.module_utils._contract import Refused

SYSTEMCTL = {'daemon-reload': lambda unit: ['daemon-reload'], 'enable': lambda unit: ['enable', unit],
             'start': lambda unit: ['start', unit], 'disable': lambda unit: ['disable', unit],
             'stop': lambda unit: ['stop', unit]}


def command(run, argv, **result):
    """Run ``argv`` (output text); a non-zero exit ends the run with its message and ``result``."""
    rc, out, err = run.module.run_command(argv)
    if rc != 0:
        raise Refused(run.msg('route_command_failed', command=' '.join(argv), code=rc, error=(err or out).strip()),
                      **result)
    return out


def write(module, path, text):
    """Atomically, mode 0644."""
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.%s.' % os.path.basename(path))
    with os.fdopen(handle, 'w') as stream:
        stream.write(text)
    os.chmod(temp, 0o644)
    module.atomic_move(temp, path)


def apply(run, ip, commands, unit, steps, result):
    """The ``ip route`` commands in order, then the unit's steps (write, remove, systemctl ...)."""
    for argv in commands:
        command(run, [ip] + argv, **result)
    systemctl = run.module.get_bin_path('systemctl', required=True) if steps else None
    for step in steps:
        if step == 'write':
            write(run.module, unit['path'], unit['after'])
        elif step == 'remove':
            os.unlink(unit['path'])
        else:
            command(run, [systemctl] + SYSTEMCTL[step](unit['name']), **result)
