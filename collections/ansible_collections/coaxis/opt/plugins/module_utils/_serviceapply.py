# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cycle of a Docker host's service container (the firewall, the edge proxy), written once:
its state volume, the container replaced as a whole, started and waited for, a file put into it
and a command run in it that must succeed. Side effects only; the plans decide when.

A step that fails raises ``Refused`` with the operator's line (the runner answers it, saying that
changes may have been made)."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply, _docker, _limits
from ansible_collections.coaxis.opt.plugins.module_utils._contract import Refused

START_WAIT = 10


def ensure_volume(client, name, labels):
    """The named volume, made with ``labels`` when missing (an existing one is kept as it is)."""
    try:
        client.api.inspect_volume(name)
    except _docker.NotFound:
        client.api.create_volume(name, labels=labels)


def replace_container(client, old_id, spec, labels, mount, tmpfs, binds=(), environment=None):
    """Remove ``old_id`` (when given) and create the service container of ``spec`` (name, image,
    volume, cap_add, restart, limits, log): host network, every other capability dropped, read-only
    root with ``tmpfs`` on /run, no-new-privileges, its volume on ``mount`` and ``binds``.
    Returns the new container's id. The kernel keeps the firewall's rules meanwhile; the edge
    stops serving until ensure_running()."""
    if old_id:
        client.api.remove_container(old_id, force=True)
    host_config = client.api.create_host_config(
        network_mode='host', cap_drop=['ALL'], cap_add=spec['cap_add'], read_only=True,
        tmpfs={'/run': tmpfs}, binds=['%s:%s:rw' % (spec['volume'], mount)] + list(binds),
        restart_policy={'Name': spec['restart']}, security_opt=['no-new-privileges:true'],
        **_limits.host_config_args(spec['limits'], spec['log']))
    created = client.api.create_container(spec['image'], name=spec['name'], host_config=host_config,
                                          labels=labels, environment=environment)
    return created['Id']


def ensure_running(client, container_id, failure, ready=None, timeout=START_WAIT):
    """Start the container and wait (bounded) until it runs and ``ready(client, id)`` holds.
    ``failure(state, logs)``: the operator's line when it does not."""
    failed = _docker.start_and_wait(client, container_id, timeout, ready=ready)
    if failed:
        raise Refused([failure(*failed)])


def put_file(client, container_id, directory, files, dir_owner=None):
    """Write ``files`` ({path: {content, mode}}, owned by root) under ``directory`` of the container."""
    entries = dict((path, {'content': entry['content'], 'mode': entry['mode'], 'uid': 0, 'gid': 0})
                   for path, entry in files.items())
    client.api.put_archive(container_id, directory, _configapply.build_archive(entries, dir_owner=dir_owner))


def exec_checked(client, container_id, argv, failure=None):
    """Run ``argv`` in the container: (exit code, output). With ``failure(code, output)``, a
    non-zero exit raises Refused with that line."""
    code, output = _docker.exec_command(client, container_id, argv)
    if code != 0 and failure is not None:
        raise Refused([failure(code, output)])
    return code, output
