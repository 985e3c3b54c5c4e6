# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _render


@pytest.mark.parametrize('url, expected', [
    ('http://192.168.2.20:8000', ('http', '192.168.2.20', 8000, '/')),
    ('https://admin.coaxis.lan/opt/', ('https', 'admin.coaxis.lan', 443, '/opt/')),
    ('http://admin', ('http', 'admin', 80, '/')),
    ('ftp://admin', None),
    ('http://admin:99999', None),
    ('http://admin;return 200', None),
    ('http://admin/$request_uri', None),
    ('', None),
])
def test_parse_admin_url(url, expected):
    assert _render.parse_admin_url(url) == expected


def test_the_client_nginx_forwards_to_the_admin_interface_naming_the_client():
    conf = _render.render_nginx({'name': 'acme', 'admin_url': 'http://192.168.2.20:8000'})
    assert '            proxy_pass http://192.168.2.20:8000;\n            proxy_set_header X-OPT-Client acme;\n' in conf
    assert 'return 200 "docker-opt' not in conf


def test_without_an_admin_interface_nginx_answers_a_placeholder():
    conf = _render.render_nginx({'name': 'acme'})
    assert 'return 200 "docker-opt acme\\n";' in conf and 'proxy_pass' not in conf
