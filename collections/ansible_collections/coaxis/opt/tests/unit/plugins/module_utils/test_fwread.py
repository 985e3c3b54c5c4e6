# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_fwread: the Docker host's resolvers, as the engine hands them to its containers."""

from __future__ import annotations

from ansible_collections.coaxis.opt.plugins.module_utils import _fwread


def test_the_host_s_name_servers_or_the_upstreams_behind_a_local_stub(monkeypatch, tmp_path):
    host, resolved = tmp_path / 'resolv.conf', tmp_path / 'resolved.conf'
    host.write_text('# generated\nnameserver 127.0.0.53\noptions edns0\n')
    resolved.write_text('nameserver 203.0.113.54\nnameserver 2001:db8::53\nnameserver 198.51.100.53\n')
    monkeypatch.setattr(_fwread, 'RESOLV_CONF', str(host))
    monkeypatch.setattr(_fwread, 'RESOLVED_CONF', str(resolved))
    assert _fwread.host_dns_servers() == ['203.0.113.54', '198.51.100.53']
    host.write_text('nameserver 203.0.113.53\nnameserver 127.0.0.1\n')
    assert _fwread.host_dns_servers() == ['203.0.113.53']
    assert _fwread.name_servers(str(tmp_path / 'missing')) == []


def test_an_address_resolves_to_itself():
    assert _fwread.resolve('127.0.0.1') == ['127.0.0.1']
