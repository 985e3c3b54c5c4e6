# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""opt_proxy against a fake engine: a missing edge image is named as the edge proxy's."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.modules import opt_proxy


class FakeApi:
    def inspect_image(self, image):
        raise _docker.NotFound('no such image')


class FakeClient:
    api = FakeApi()


@pytest.mark.parametrize('lang, expected', [
    ('en', 'edge proxy image coaxis/opt-edge:missing is not on the engine'),
    ('fr', "l'image du proxy d'entrée coaxis/opt-edge:missing n'est pas sur le moteur"),
])
def test_a_missing_edge_image_is_named_as_the_edge_proxy_s(monkeypatch, capsys, lang, expected):
    monkeypatch.setattr(_docker, 'docker_client', lambda module: FakeClient())
    params = dict(domain='coaxis.test', clients=[{'name': 'acme', 'ip': '10.128.0.10'}], tls_cert='not-a-pem-certificate', tls_key='not-a-pem-private-key',
                  image='coaxis/opt-edge:missing', lang=lang, _ansible_check_mode=True)
    with patch_module_args(params), pytest.raises(SystemExit):
        opt_proxy.main()
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True and result['changed'] is False
    assert any(error.startswith(expected) for error in result['errors']), result['errors']
    assert not any('firewall' in error or 'pare-feu' in error for error in result['errors'])
