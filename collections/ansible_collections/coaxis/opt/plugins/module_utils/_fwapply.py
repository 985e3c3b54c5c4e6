# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall on the Docker host (coaxis.opt.opt_firewall): its container made and started, the
rule set handed to it; and what the container says of itself (its check, its backend)."""

from __future__ import annotations

import os

from ansible_collections.coaxis.opt.plugins.module_utils import _fwplan, _serviceapply
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def create_container(client, old_id, spec):
    binds = []
    if spec['xtables_lock']:
        # Create the host's lock file if no iptables run made it yet: a missing bind source
        # would become a directory.
        with open(_fwplan.XTABLES_LOCK, 'a'):
            pass
        binds.append('%s:%s:rw' % (_fwplan.XTABLES_LOCK, _fwplan.XTABLES_LOCK))
    return _serviceapply.replace_container(
        client, old_id, spec, _fwplan.container_labels(spec), _fwplan.STATE_DIR, 'rw,nosuid,nodev,noexec,size=1m',
        binds=binds, environment={'OPT_FIREWALL_BACKEND': spec['backend'], 'OPT_FIREWALL_INTERVAL': str(spec['interval'])})


def converge(client, spec, observed, desired_rules, decided, lang):
    """Mutations, in order: volume, container, rule set (``decided``: _fwplan.plan()). Returns the
    container id."""
    container_id = observed['id'] if observed else None
    if decided['container'] in ('create', 'recreate'):
        _serviceapply.ensure_volume(client, spec['volume'], _fwplan.volume_labels())
        container_id = create_container(client, container_id, spec)
    if decided['container'] != 'none':
        _serviceapply.ensure_running(
            client, container_id,
            lambda state, logs: msg('fw_not_running', lang, name=spec['name'], state=state, logs=logs))
    if decided['apply']:
        new = os.path.basename(_fwplan.RULES_FILE) + '.new'
        _serviceapply.put_file(client, container_id, _fwplan.STATE_DIR, {new: {'content': desired_rules, 'mode': 0o600}})
        _serviceapply.exec_checked(
            client, container_id, ['opt-firewall', 'apply', '%s/%s' % (_fwplan.STATE_DIR, new)],
            lambda code, output: msg('fw_apply_failed', lang, error=output or msg('fw_apply_exit', lang, code=code)))
    return container_id


def status(client, container_id, lang):
    """(exit code, text) of the container's own check of the rules (a read: runs in the container)."""
    if container_id is None:
        return None, msg('fw_status_no_container', lang)
    return _serviceapply.exec_checked(client, container_id, ['opt-firewall', 'check'])


def backend(client, container_id):
    """The iptables backend the running container uses, '' when it does not run."""
    if container_id is None or not client.api.inspect_container(container_id)['State'].get('Running'):
        return ''
    return _serviceapply.exec_checked(client, container_id, ['opt-firewall', 'backend'])[1]
