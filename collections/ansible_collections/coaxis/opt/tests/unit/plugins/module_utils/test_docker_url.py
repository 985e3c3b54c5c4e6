# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tcp:// Docker URL without TLS is refused, unless docker_insecure (opt_docker_insecure) says so."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.modules import opt_remove

TLS = {'ca_cert': '/etc/coaxis/docker/ca.pem', 'client_cert': '/etc/coaxis/docker/cert.pem',
       'client_key': '/etc/coaxis/docker/key.pem'}
INSECURE = ('opt_docker_url tcp://10.129.0.5:2375: the Docker API without TLS gives root on the Docker host to '
            'whoever reaches it; use unix:// or ssh://, set opt_docker_tls (ca_cert, client_cert, client_key), or '
            'accept it explicitly with opt_docker_insecure: true')


@pytest.mark.parametrize('url, tls, insecure', [
    ('unix:///var/run/docker.sock', None, None),
    ('ssh://coaxis@dh1', None, False),
    ('https://dh1:2376', None, False),
    ('tcp://10.129.0.5:2376', TLS, False),
    ('tcp://10.129.0.5:2376', {'ca_cert': '/ca.pem'}, False),
    ('tcp://10.129.0.5:2375', None, True),
    ('unix:///var/run/docker.sock', {'ca_cert': None, 'client_cert': None, 'client_key': None}, False),
    ('http://10.129.0.5:2375', None, True),
])
def test_accepted(url, tls, insecure):
    assert _docker.url_errors(url, tls, insecure) == []


def test_tcp_without_tls_is_refused_in_both_languages():
    assert _docker.url_errors('tcp://10.129.0.5:2375') == [INSECURE]
    assert _docker.url_errors('tcp://10.129.0.5:2375', {}, False) == [INSECURE]
    assert "l'API Docker sans TLS" in _docker.url_errors('tcp://10.129.0.5:2375', lang='fr')[0]


@pytest.mark.parametrize('url, tls, insecure, needle', [
    ('http://10.129.0.5:2375', TLS, False, 'without TLS'),  # TLS settings do not apply to http://
    ('tcp://10.129.0.5:2376', {'client_cert': '/c.pem', 'client_key': '/k.pem'}, False, 'opt_docker_tls'),
    ('tcp://10.129.0.5:2376', {'ca_cert': '/ca.pem', 'client_cert': '/c.pem'}, False, 'opt_docker_tls'),
    ('tcp://10.129.0.5:2376', {'ca_cert': '/ca.pem', 'verify': False}, False, 'opt_docker_tls'),
    ('tcp://10.129.0.5:2375', None, 'yes', 'opt_docker_insecure'),
    ('ftp://dh1', None, None, 'expected unix://'),
    ('tcp://', None, True, 'expected unix://'),
    ('/var/run/docker.sock', None, None, 'expected unix://'),
    (None, None, None, 'expected unix://'),
])
def test_refused(url, tls, insecure, needle):
    errors = _docker.url_errors(url, tls, insecure)
    assert any(needle in error for error in errors), errors


@pytest.fixture
def tls_files(tmp_path):
    files = dict((field, str(tmp_path / (field + '.pem'))) for field in _docker.TLS_FIELDS)
    for path in files.values():
        with open(path, 'w') as handle:
            handle.write('pem\n')
    return files


def test_tls_settings_make_a_verified_tls_config(tls_files):
    config = _docker.tls_config(tls_files)
    assert config.verify is True and config.ca_cert == tls_files['ca_cert']
    assert config.cert == (tls_files['client_cert'], tls_files['client_key'])
    assert _docker.tls_config(None) is None and _docker.tls_config({'ca_cert': None}) is None


def run_module(capsys, monkeypatch, **args):
    made = []

    def client(**kw):
        made.append(kw)
        raise _docker.DockerException('not connecting in a unit test')
    monkeypatch.setattr(_docker.docker, 'DockerClient', client)
    with patch_module_args(dict(args, clients=['acme'])), pytest.raises(SystemExit):
        opt_remove.main()
    return json.loads(capsys.readouterr().out), made


def test_a_module_refuses_tcp_without_tls_before_connecting(capsys, monkeypatch):
    result, made = run_module(capsys, monkeypatch, docker_host='tcp://10.129.0.5:2375')
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == INSECURE and made == []


def test_a_module_with_the_playbooks_defaults_connects(capsys, monkeypatch):
    # module_defaults give docker_tls: {} (every field unset) and docker_insecure: false.
    _result, made = run_module(capsys, monkeypatch, docker_host='unix:///run/x.sock', docker_tls={},
                               docker_insecure=False)
    assert made and made[0]['tls'] is False


def test_a_module_takes_the_explicit_opt_in(capsys, monkeypatch):
    _result, made = run_module(capsys, monkeypatch, docker_host='tcp://10.129.0.5:2375', docker_insecure=True)
    assert made and made[0]['base_url'] == 'tcp://10.129.0.5:2375' and made[0]['tls'] is False


def test_a_module_passes_the_tls_settings(capsys, monkeypatch, tls_files):
    _result, made = run_module(capsys, monkeypatch, docker_host='tcp://10.129.0.5:2376', docker_tls=tls_files)
    assert made and made[0]['tls'].verify is True
    assert made[0]['tls'].cert == (tls_files['client_cert'], tls_files['client_key'])
