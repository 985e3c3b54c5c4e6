# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _proxyplan

CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
# A placeholder, not a key; its armour is assembled here so that no armoured private key
# block stands in the repository.
ARMOUR = 'PRIVATE ' + 'KEY'
KEY = '-----BEGIN %s-----\nnot-a-key\n-----END %s-----\n' % (ARMOUR, ARMOUR)
ACME = {'name': 'acme', 'subdomain': 'acme', 'ip': '172.16.1.10'}


def test_a_vhost_redirects_http_and_forwards_https_to_the_client_nginx():
    text = _proxyplan.render_vhost(dict(ACME, extra=['client_max_body_size 20m;']), 'coaxis.com')
    assert 'server_name acme.coaxis.com;' in text and 'return 301 https://$host$request_uri;' in text
    assert 'proxy_pass http://172.16.1.10:8080;' in text
    assert 'proxy_set_header X-OPT-Client "";' in text  # never from outside
    assert '        client_max_body_size 20m;\n    }' in text


@pytest.mark.parametrize('domain, clients, expected', [
    ('coaxis', [], "opt_domain 'coaxis': not a DNS domain (labels of a-z, 0-9 and -, at least two)"),
    ('coaxis.com', [dict(ACME, subdomain='-acme')], "acme: subdomain '-acme' is not a DNS label"),
    ('coaxis.com', [ACME, dict(ACME, name='acme2', ip='172.16.1.11')],
     'acme2: subdomain acme is already the subdomain of acme'),
    ('coaxis.com', [dict(ACME, extra=['location / { }'])], 'acme: opt_vhost_extra takes simple directives'),
    ('coaxis.com', [dict(ACME, extra=['include /etc/passwd; deny all;'])], 'acme: opt_vhost_extra takes simple directives'),
])
def test_refusals(domain, clients, expected):
    errors = _proxyplan.validate(domain, clients, CERT, KEY)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_certificate_and_key_must_be_pem():
    assert _proxyplan.validate('coaxis.com', [ACME], 'nope', 'nope') == [
        'the wildcard certificate (opt_tls_cert) is not a PEM certificate',
        'the wildcard certificate key (opt_tls_key, vaulted) is not a PEM private key']


def test_plan_writes_changes_and_deletes_only_our_vhosts():
    desired = _proxyplan.desired_files('coaxis.com', [ACME], CERT, KEY)
    current = dict((p, dict(e, content=e['content'].encode())) for p, e in desired.items())
    assert _proxyplan.plan_files(desired, current) == {'write': [], 'delete': []}
    current['vhosts/gone.conf'] = {'content': b'x', 'mode': 0o644}
    current['notes.txt'] = {'content': b'operator notes', 'mode': 0o644}
    current['vhosts/acme.conf'] = {'content': b'old', 'mode': 0o644}
    assert _proxyplan.plan_files(desired, current) == {'write': ['vhosts/acme.conf'], 'delete': ['vhosts/gone.conf']}


def test_the_key_never_shows_in_a_diff():
    assert 'PRIVATE' not in _proxyplan.shown(_proxyplan.KEY, KEY)
    assert _proxyplan.shown(_proxyplan.CERT, CERT) == CERT


def test_parse_check():
    out = 'ok acme\nfail globex nginx: [emerg] "proxy_buffer_size" directive invalid value\nnoise\n'
    assert _proxyplan.parse_check(out) == {
        'acme': None, 'globex': 'nginx: [emerg] "proxy_buffer_size" directive invalid value'}
