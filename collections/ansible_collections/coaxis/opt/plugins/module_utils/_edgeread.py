# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The edge of a Docker host read through the Docker API (running or not): the firewall's saved
rule set and the edge proxy's files. Shared by opt_firewall, opt_proxy and opt_drift."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply, _docker, _fwplan, _proxyplan


def read_rules(client, container):
    """The saved rule set ('' when none)."""
    try:
        stream, _stat = client.api.get_archive(container, _fwplan.RULES_FILE)
    except _docker.NotFound:
        return ''
    files = _configapply.parse_archive(b''.join(stream))
    return files.get('rules.v4', {}).get('content', b'').decode('utf-8')


def read_edge_files(client, container):
    """{path: entry} of the proxy's files, its staging area left out."""
    stream, _stat = client.api.get_archive(container, _proxyplan.ROOT)
    files = _configapply.parse_archive(b''.join(stream), root=_proxyplan.ROOT.rsplit('/', 1)[1])
    return dict((path, entry) for path, entry in files.items() if not path.startswith(_proxyplan.STAGING))
