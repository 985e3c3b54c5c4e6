# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import hmac

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig, _configplan


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
    assert _configplan.parse_admin_url(url) == expected


SECRET = 'a signing secret of at least 32 characters'


def test_the_client_nginx_forwards_to_the_admin_interface_naming_the_client():
    conf = _configplan.render_nginx({'name': 'acme', 'admin_url': 'http://192.168.2.20:8000', 'admin_secret': SECRET})
    assert '            proxy_pass http://192.168.2.20:8000;\n            proxy_set_header X-OPT-Client acme;\n' in conf
    assert 'return 200 "docker-opt' not in conf


def test_the_client_nginx_signs_its_name_and_the_diff_masks_the_signature():
    signature = _clientsig.sign(SECRET, 'acme')
    assert signature == hmac.new(SECRET.encode(), b'acme', hashlib.sha256).hexdigest()
    files = _configplan.render_client({'name': 'acme', 'sites': [], 'admin_url': 'http://192.168.2.20:8000',
                                       'admin_secret': SECRET})
    conf = files['nginx.conf']
    assert '            proxy_set_header X-OPT-Client-Signature %s;\n' % signature in conf['content']
    assert conf['mode'] == 0o600  # it carries a secret token: the container's user alone reads it
    plan = _configplan.plan_files(files, {})
    diff = _configplan.file_diffs('acme', plan, files, {})[0]
    assert signature not in diff['after'] and 'X-OPT-Client-Signature <signature: sha256 ' in diff['after']
    assert 'proxy_set_header X-OPT-Client acme;' in diff['after']
    # a new secret changes the file (and the diff says so without showing either signature)
    other = _configplan.render_client({'name': 'acme', 'sites': [], 'admin_url': 'http://192.168.2.20:8000',
                                       'admin_secret': SECRET + '!'})
    current = {'nginx.conf': dict(conf, content=conf['content'].encode())}
    diff = _configplan.file_diffs('acme', _configplan.plan_files(other, current), other, current)[0]
    assert diff['before'] != diff['after'] and signature not in diff['before']
    assert _clientsig.sign(SECRET + '!', 'acme') not in diff['after']


def test_verify_accepts_the_clients_own_signature_only():
    signature = _clientsig.sign(SECRET, 'acme')
    assert _clientsig.verify(SECRET, 'acme', signature)
    assert _clientsig.verify(SECRET, 'acme', signature.upper())
    assert not _clientsig.verify(SECRET, 'globex', signature)
    assert not _clientsig.verify(SECRET + '!', 'acme', signature)
    for bad in (None, '', 'zz', signature[:-1]):
        assert not _clientsig.verify(SECRET, 'acme', bad)
    assert not _clientsig.verify('', 'acme', _clientsig.sign('', 'acme'))
    assert not _clientsig.verify(SECRET, '', _clientsig.sign(SECRET, ''))


def test_signing_errors():
    url = 'http://192.168.2.20:8000'
    assert _clientsig.signing_errors('', None) == []
    assert _clientsig.signing_errors(url, SECRET) == []
    assert _clientsig.signing_errors(url, None) == [
        'the admin interface http://192.168.2.20:8000 needs opt_admin_signing_secret: each client signs its '
        'X-OPT-Client with it (vault one random value of 32 characters or more, the same the admin interface '
        'checks with)']
    assert _clientsig.signing_errors(url, 'short', 'fr')[0].startswith(
        'opt_admin_signing_secret fait moins de 32 caractères')
    hostvars = {'docker-1': {'opt_admin_url': url}, 'docker-2': {'opt_admin_url': url, 'opt_admin_signing_secret': SECRET},
                'docker-3': {}}
    errors = _clientsig.inventory_signing_errors(['docker-1', 'docker-2', 'docker-3'], hostvars)
    assert len(errors) == 1 and errors[0].startswith('docker-1: the admin interface http://192.168.2.20:8000 needs')


def test_without_an_admin_interface_nginx_answers_a_placeholder():
    conf = _configplan.render_nginx({'name': 'acme'})
    assert 'return 200 "docker-opt acme\\n";' in conf and 'proxy_pass' not in conf
