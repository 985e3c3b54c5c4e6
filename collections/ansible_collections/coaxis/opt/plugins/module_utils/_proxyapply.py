# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The edge proxy on the Docker host (coaxis.opt.opt_proxy): its container made and started, the
vhosts nginx accepts written, the others left out, and the whole reloaded or put back."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _edgeread, _proxyplan, _serviceapply
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._contract import Refused

ROOT = _proxyplan.ROOT
STAGING = '%s/%s' % (ROOT, _proxyplan.STAGING)


def put(client, container_id, files, prefix=''):
    _serviceapply.put_file(client, container_id, ROOT, dict((prefix + path, entry) for path, entry in files.items()),
                           dir_owner=(0, 0))


def nginx_accepts(client, container_id):
    return _serviceapply.exec_checked(client, container_id, ['nginx', '-t', '-q'])[0] == 0


def converge(client, spec, observed, container, desired, current, lang):
    """Mutations: volume, container (``container``: _proxyplan.container_action()), files.
    Returns (container id, files plan, current files, {vhost name: nginx's message} of the vhosts
    nginx refused); the files are planned again on a new container (its volume may hold some)."""
    container_id = observed['id'] if observed else None
    if container in ('create', 'recreate'):
        _serviceapply.ensure_volume(client, spec['volume'], _proxyplan.labels())
        container_id = _serviceapply.replace_container(client, container_id, spec, _proxyplan.labels(spec), ROOT,
                                                       'rw,nosuid,nodev,size=16m')
        # The certificate and the 404 page first: nginx needs them to start at all.
        put(client, container_id, dict((p, desired[p]) for p in desired if not _proxyplan.is_vhost(p)))
        current = _edgeread.read_edge_files(client, container_id)
    files = _proxyplan.plan_files(desired, current)
    if container != 'none':
        _serviceapply.ensure_running(
            client, container_id,
            lambda state, logs: msg('proxy_not_running', lang, name=spec['name'], state=state, logs=logs),
            ready=nginx_accepts)
    return container_id, files, current, apply_files(client, container_id, desired, current, files, lang)


def reload_failed(lang):
    return lambda code, output: msg('proxy_reload_failed', lang, error=output)


def apply_files(client, container_id, desired, current, files, lang):
    """Write what nginx accepts; returns {vhost name: nginx's message} of the refused vhosts."""
    run = _serviceapply.exec_checked
    refused = {}
    if any(_proxyplan.is_vhost(p) for p in files['write']):
        run(client, container_id, ['rm', '-rf', STAGING])
        put(client, container_id, dict((p, desired[p]) for p in files['write']), prefix=_proxyplan.STAGING + '/')
        output = run(client, container_id, ['opt-edge', 'check', STAGING], reload_failed(lang))[1]
        refused = dict((c, e) for c, e in _proxyplan.parse_check(output, lang).items() if e)
        run(client, container_id, ['rm', '-rf', STAGING])
    writes = [p for p in files['write'] if _proxyplan.vhost_name(p) not in refused]
    if writes:
        put(client, container_id, dict((p, desired[p]) for p in writes))
    if files['delete']:
        run(client, container_id, ['rm', '-f'] + ['%s/%s' % (ROOT, p) for p in files['delete']])
    if writes or files['delete']:
        code, output = run(client, container_id, ['nginx', '-t', '-q'])
        if code != 0:
            restore = dict((p, current[p]) for p in writes + files['delete'] if p in current)
            if restore:
                put(client, container_id, restore)
            added = [p for p in writes if p not in current]
            if added:
                run(client, container_id, ['rm', '-f'] + ['%s/%s' % (ROOT, p) for p in added])
            raise Refused([reload_failed(lang)(code, output)])
        run(client, container_id, ['nginx', '-s', 'reload'])
    return refused
