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


# --- opt_vhost_extra: allowed directives only -------------------------------------------------

@pytest.mark.parametrize('line', [
    'include /etc/passwd;', 'root /;', 'alias /etc/;', 'access_log /etc/opt-edge/tls/wildcard.key;',
    'error_log /tmp/x debug;', 'ssl_certificate /etc/shadow;', 'ssl_certificate_key /etc/shadow;',
    'ssl_trusted_certificate /x;', 'auth_basic_user_file /etc/passwd;', 'client_body_temp_path /tmp;',
    'proxy_temp_path /tmp;', 'load_module modules/x.so;', 'content_by_lua_block x;', 'access_by_lua_file /x.lua;',
    'perl_modules /x;', 'perl Module::handler;', 'js_import /x.js;', 'proxy_pass http://10.129.0.20:8000;',
    'proxy_store on;', 'proxy_cache_path /tmp keys_zone=x:1m;', 'set $x y;', 'error_page 404 /x.html;',
    'try_files $uri /x;', 'mirror /x;', 'resolver 8.8.8.8;',
])
def test_directives_that_touch_files_or_send_elsewhere_are_refused(line):
    directive = line.split(' ', 1)[0].rstrip(';')
    errors = _proxyplan.extra_errors('acme', ['client_max_body_size 20m;', line])
    assert errors == [
        'acme: opt_vhost_extra: %s not allowed; only directives that act on the requests and responses of the '
        'vhost, never on a file, are: %s' % (directive, ', '.join(sorted(_proxyplan.EXTRA_DIRECTIVES)))]


@pytest.mark.parametrize('line', [
    'client_max_body_size 20m;', 'add_header X-Frame-Options DENY;', 'proxy_read_timeout 120s;',
    'proxy_buffer_size nonsense;',  # allowed here, nginx's own check refuses the value
    'allow 10.0.0.0/8;', 'deny all;', 'gzip on;',
])
def test_allowed_directives_pass(line):
    assert _proxyplan.extra_errors('acme', [line]) == []


@pytest.mark.parametrize('extra', ['client_max_body_size 1m;', [1], {'a': 'b'}])
def test_extra_is_a_list_of_strings(extra):
    assert _proxyplan.extra_errors('acme', extra) == [
        'acme: opt_vhost_extra must be a list of nginx directives, one per item']


def test_the_module_validation_refuses_them_too():
    errors = _proxyplan.validate('coaxis.com', [dict(ACME, extra=['root /;'])], CERT, KEY)
    assert errors and 'root not allowed' in errors[0]


# --- the back-office: opt.<domain> to the admin interface ------------------------------------------

def test_the_admin_interface_gets_the_back_office_vhost():
    files = _proxyplan.desired_files('coaxis.com', [ACME], CERT, KEY, admin_url='http://10.129.0.20:8000')
    text = files[_proxyplan.ADMIN_VHOST]['content']
    assert 'server_name opt.coaxis.com;' in text and 'return 301 https://$host$request_uri;' in text
    assert 'proxy_pass http://10.129.0.20:8000;' in text
    # No client header from outside: the back-office is reached as the back-office.
    assert 'proxy_set_header X-OPT-Client "";' in text and 'proxy_set_header X-OPT-Client-Signature "";' in text
    assert 'proxy_set_header X-Forwarded-Proto $scheme;' in text and 'proxy_set_header X-Forwarded-Host $host;' in text
    assert _proxyplan.owned(_proxyplan.ADMIN_VHOST) and _proxyplan.client_of(_proxyplan.ADMIN_VHOST) is None


def test_without_an_admin_interface_the_back_office_vhost_goes():
    assert _proxyplan.ADMIN_VHOST not in _proxyplan.desired_files('coaxis.com', [ACME], CERT, KEY)
    current = {_proxyplan.ADMIN_VHOST: {'content': b'old', 'mode': 0o644}}
    desired = _proxyplan.desired_files('coaxis.com', [], CERT, KEY)
    assert _proxyplan.ADMIN_VHOST in _proxyplan.plan_files(desired, current)['delete']


@pytest.mark.parametrize('admin_url, clients, expected', [
    ('ftp://10.129.0.20', [ACME], "opt_admin_url 'ftp://10.129.0.20': expected http(s)://"),
    ('http://10.129.0.20:8000', [dict(ACME, subdomain='opt')],
     'acme: subdomain opt is the back-office of the admin interface (opt.coaxis.com)'),
])
def test_back_office_refusals(admin_url, clients, expected):
    errors = _proxyplan.validate('coaxis.com', clients, CERT, KEY, admin_url=admin_url)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


SPEC = {'hash': 'h1'}
RUNNING = {'id': 'c1', 'running': True, 'hash': 'h1', 'image_stale': False}


@pytest.mark.parametrize('observed, expected', [
    (None, 'create'), (dict(RUNNING, hash='h0'), 'recreate'), (dict(RUNNING, image_stale=True), 'recreate'),
    (dict(RUNNING, running=False), 'start'), (RUNNING, 'none'),
])
def test_the_container_action(observed, expected):
    assert _proxyplan.container_action(SPEC, observed) == expected


def test_the_plan_and_the_answer_of_a_files_plan():
    files = {'write': ['vhosts/acme.conf', _proxyplan.ADMIN_VHOST], 'delete': ['vhosts/initech.conf']}
    assert _proxyplan.plan_actions('opt-edge', 'none', files) == [
        {'action': 'write', 'target': 'opt-edge:vhosts/acme.conf', 'reason': None},
        {'action': 'write', 'target': 'opt-edge:vhosts/_admin.conf', 'reason': None},
        {'action': 'remove', 'target': 'opt-edge:vhosts/initech.conf', 'reason': None}]
    clients = [{'name': 'acme', 'subdomain': 'acme'}, {'name': 'globex', 'subdomain': 'gx'}]
    vhosts, admin = _proxyplan.vhost_results(clients, 'coaxis.test', 'http://10.129.0.20:8000', files, {'globex': 'bad'})
    assert vhosts == {'acme': {'host': 'acme.coaxis.test', 'action': 'written'},
                      'globex': {'host': 'gx.coaxis.test', 'action': 'refused'},
                      'initech': {'host': None, 'action': 'removed'}}
    assert admin == {'host': 'opt.coaxis.test', 'action': 'written'}
    assert _proxyplan.vhost_results([], 'coaxis.test', '', {'write': [], 'delete': []}, {})[1] == {
        'host': None, 'action': 'absent'}


def test_a_refused_back_office_comes_after_the_clients():
    errors = _proxyplan.refused_errors({'_admin': 'no', 'acme': 'bad'}, 'coaxis.test')
    assert errors[0].startswith('acme: vhost refused by nginx') and 'opt.coaxis.test' in errors[1]
