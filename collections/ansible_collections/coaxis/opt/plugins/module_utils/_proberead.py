# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What opt_probe reads in a client's container: its state, then ``mast status --json`` and
``mast probe --json`` (both change nothing). ``_probe`` turns them into the client's result."""

from __future__ import annotations

import datetime

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _naming, _probe


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def run_mast(client, container_id, argv, params):
    """One exec; an engine error (the container stopped meanwhile) is this client's error, not the run's."""
    try:
        return _docker.exec_streams(client, container_id, argv)
    except (_docker.DockerException, _docker.RequestException) as exc:
        return None, '', _docker.docker_error_message(exc, params['docker_host'], ' '.join(argv[:2]), params['lang'])


def probe_client(client, name, params):
    container = {'name': _naming.container_name(name, params['container_prefix']), 'id': None, 'state': 'absent'}
    try:
        data = client.api.inspect_container(container['name'])
        container.update(id=data['Id'], state=data['State'].get('Status') or 'unknown')
    except _docker.NotFound:
        pass
    status_run = probe_run = None
    if container['state'] == 'running':
        status_run = run_mast(client, container['id'], ['mast', 'status', '--json'], params)
        probe_run = run_mast(client, container['id'], _probe.mast_command(
            params['tcp_timeout'], params['ping_timeout'], params['ssh_timeout']), params)
    return _probe.client_result(name, container, status_run, probe_run, now_iso(), params['lang'])
