# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole-inventory check (opt_inventory_errors) finds every field problem a module would find later."""

from __future__ import annotations

import base64
import copy
import struct
import time

import pytest

from ansible_collections.coaxis.opt.plugins.filter.ipplan import INVENTORY_CHECKS, inventory_errors, opt_inventory_errors
from ansible_collections.coaxis.opt.plugins.module_utils import _inventorycheck


def host_key(fill=b'\x01'):
    name = b'ssh-ed25519'
    blob = struct.pack('>I', len(name)) + name + struct.pack('>I', 32) + fill * 32
    return 'ssh-ed25519 ' + base64.b64encode(blob).decode('ascii')


ARMOUR = 'OPENSSH ' + 'PRIVATE KEY'
PRIVATE_KEY = '-----BEGIN %s-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END %s-----\n' % (ARMOUR, ARMOUR)
SITE = {'name': 'lyon', 'host': '10.130.0.10', 'host_key': host_key(),
        'printers': [{'name': 'accueil', 'address': '10.131.1.20', 'listen_port': 9101}]}
DOCKER_HOST = {'opt_docker_url': 'unix:///run/docker.sock', 'opt_admin_url': 'http://10.129.0.20:8000',
               'opt_network': {'name': 'opt-clients', 'subnet': '10.128.0.0/16'}, 'opt_coaxis_lans': ['10.129.0.0/24'],
               'opt_admin_signing_secret': 'unit-test-signing-secret-of-32-characters', 'opt_coaxis_sources': ['10.129.0.10']}


def inventory(**nova):
    """A valid inventory (acme) and a new client nova with ``nova``'s variables."""
    client = {'opt_docker_host': 'dh', 'opt_sites': [copy.deepcopy(SITE)], 'opt_private_key': PRIVATE_KEY}
    hostvars = {'dh': dict(DOCKER_HOST), 'acme': dict(client, opt_ip='10.128.0.10'), 'nova': dict(client)}
    for key, value in nova.items():
        if value is None:
            hostvars['nova'].pop(key, None)
        else:
            hostvars['nova'][key] = value
    return {'docker_hosts': ['dh'], 'opt_clients': ['acme', 'nova']}, hostvars


def errors(**nova):
    return opt_inventory_errors(*inventory(**nova))


def site(**over):
    return [dict(copy.deepcopy(SITE), **over)]


def printer(**over):
    return site(printers=[dict(SITE['printers'][0], **over)])


def test_a_valid_inventory_passes():
    assert errors() == []


@pytest.mark.parametrize('nova, expected', [
    # address and interface (the address plan)
    ({'opt_ip': '10.128.0.300'}, 'dh: nova: 10.128.0.300 is not a valid IPv4 address'),
    ({'opt_interface': 'eth0\n'}, 'dh: nova: invalid interface name eth0'),
    # subdomain
    ({'opt_subdomain': 'Nova_'}, "nova: subdomain 'Nova_' is not a DNS label"),
    # the five kinds that opt_config used to find after opt_volume created the volumes
    ({'opt_sites': site(port=0)}, 'nova: site lyon: port 0 is out of range 1..65535'),
    ({'opt_sites': printer(listen_port=80)}, 'nova: site lyon: printer accueil: listen_port 80 is out of range 1024..65535'),
    ({'opt_sites': printer(listen_port=70000)}, 'nova: site lyon: printer accueil: listen_port 70000 is out of range'),
    ({'opt_sites': site() + [dict(copy.deepcopy(SITE), name='paris')]},
     'nova: listen_port 9101 is used by site lyon printer accueil and by site paris printer accueil'),
    ({'opt_sites': site(upload_kbps=-5)}, 'nova: site lyon: upload_kbps -5 is out of range: 1 to 100000 KiB/s'),
    ({'opt_sites': site(host_key='ssh-ed25519 not-base64')}, "nova: site lyon: host_key is not '<type> <base64>'"),
    # limits at the contract's bound
    ({'opt_sites': site(download_kbps=100001)}, 'nova: site lyon: download_kbps 100001 is out of range: 1 to 100000 KiB/s'),
    # private key
    ({'opt_private_key': 'not a key'}, 'nova: private_key does not look like'),
    ({'opt_private_key': None}, 'nova: private_key is missing; it is required when the client has sites (1)'),
    # volumes
    ({'opt_config_volume': {'type': 'nfs'}}, 'nova'),
    ({'opt_logs_volume': 'opt-nova-logs'}, 'nova: opt_logs_volume must be a dict'),
    ({'opt_config_volume': {'name': 'opt-acme-config'}}, 'opt-acme-config'),
    ({'opt_config_volume': {'name': 'bad name\n'}}, 'bad name'),
    ({'opt_volume_migrate': 'maybe'}, "nova: opt_volume_migrate 'maybe'"),
    # vhost directives
    ({'opt_vhost_extra': ['include /etc/passwd;']}, 'nova: opt_vhost_extra: include not allowed'),
    ({'opt_vhost_extra': 'client_max_body_size 1m;'}, 'nova: opt_vhost_extra must be a list'),
])
def test_each_field_class_is_refused(nova, expected):
    found = errors(**nova)
    assert found and all(e.startswith(('nova', 'dh: ')) or 'nova' in e for e in found), found
    assert any(expected in e for e in found), found


def test_what_a_module_converts_is_converted_first():
    """opt_config's argument spec turns "2222" into 2222 and "yes" into true: not refused here either."""
    assert errors(opt_sites=site(port='2222', compression='yes', upload_kbps='64')) == []
    assert errors(opt_sites=site(port='22x'))


@pytest.mark.parametrize('variables, expected', [
    ({'opt_docker_url': 'tcp://10.0.0.5:2375'}, 'dh: opt_docker_url tcp://10.0.0.5:2375: the Docker API without TLS'),
    ({'opt_docker_url': 'http://10.0.0.5:2375'}, 'without TLS'),
    ({'opt_docker_url': 'ftp://x'}, "dh: opt_docker_url 'ftp://x': expected"),
    ({'opt_docker_url': 'tcp://10.0.0.5:2376', 'opt_docker_tls': {'client_cert': '/c'}}, 'dh: opt_docker_tls'),
    ({'opt_docker_url': 'tcp://10.0.0.5:2375', 'opt_docker_insecure': 'yes'}, 'dh: opt_docker_insecure'),
    ({'opt_admin_url': 'ftp://admin'}, "dh: opt_admin_url 'ftp://admin'"),
    ({'opt_admin_url': 'http://admin.example.com/\n'}, 'dh: opt_admin_url'),
    ({'opt_domain': 'nodots'}, "dh: opt_domain 'nodots'"),
    ({'opt_domain': 'coaxis.test', 'opt_tls_cert': 'x', 'opt_tls_key': 'y'}, 'dh: the wildcard certificate'),
    ({'opt_docker_host_address': '10.129.0.300'}, 'dh: route 10.128.0.0/16: gateway 10.129.0.300 is not a valid IPv4 address'),
    ({'opt_docker_host_address': '10.128.0.1'}, 'dh: route 10.128.0.0/16: gateway 10.128.0.1 is inside the destination itself'),
])
def test_docker_host_variables_are_checked(variables, expected):
    groups, hostvars = inventory()
    hostvars['dh'].update(variables)
    found = opt_inventory_errors(groups, hostvars)
    assert any(expected in e for e in found), found


@pytest.mark.parametrize('variables', [
    {'opt_docker_url': 'tcp://10.0.0.5:2375', 'opt_docker_insecure': True},
    {'opt_docker_url': 'tcp://10.0.0.5:2376', 'opt_docker_tls': {'ca_cert': '/etc/docker/ca.pem',
                                                                 'client_cert': '/c.pem', 'client_key': '/k.pem'}},
    {'opt_docker_url': 'ssh://coaxis@dh1'},
    {'opt_docker_url': 'https://dh1:2376'},
    {'opt_docker_host_address': '10.129.0.1'},
])
def test_an_engine_url_with_tls_or_the_explicit_opt_in_passes(variables):
    groups, hostvars = inventory()
    hostvars['dh'].update(variables)
    assert opt_inventory_errors(groups, hostvars) == []


def test_every_family_is_run_and_easy_to_extend():
    assert _inventorycheck.client_field_errors in INVENTORY_CHECKS
    groups, hostvars = inventory(opt_sites=site(port=0), opt_vhost_extra=['root /;'])
    hostvars['dh']['opt_docker_url'] = 'tcp://10.0.0.5:2375'
    found = inventory_errors(groups, hostvars)[0]
    assert [e.split(':')[0] for e in found] == ['nova', 'nova', 'dh']


def test_fast_enough_for_a_fleet():
    """500 clients in one pass: well under a second of the check's own work."""
    groups, hostvars = inventory()
    groups = {'docker_hosts': ['dh'], 'opt_clients': []}
    for index in range(500):
        name = 'c%04d' % index
        groups['opt_clients'].append(name)
        hostvars[name] = {'opt_docker_host': 'dh', 'opt_ip': '10.128.%d.%d' % (1 + index // 200, 10 + index % 200),
                          'opt_sites': [dict(copy.deepcopy(SITE), printers=[dict(SITE['printers'][0])])],
                          'opt_private_key': PRIVATE_KEY}
    start = time.monotonic()
    assert inventory_errors(groups, hostvars)[0] == []
    assert time.monotonic() - start < 2.0


def test_an_invalid_client_name_is_said_once():
    groups, hostvars = inventory()
    groups['opt_clients'].append('bad_name')
    hostvars['bad_name'] = {'opt_docker_host': 'dh', 'opt_ip': '10.128.0.20'}
    found = opt_inventory_errors(groups, hostvars)
    # the address plan's message (and the subdomain's, the name by default), not one per field family
    assert len(found) == 2, found
    assert found[0].startswith('dh: bad_name: invalid client name') and found[1].startswith('bad_name: subdomain')


def test_a_variable_whose_template_names_an_undefined_one_is_reported_by_host_and_name():
    from jinja2 import StrictUndefined
    key = StrictUndefined(name='vault_opt_private_key')
    # What Ansible hands the filter for `opt_private_key: "{{ vault_opt_private_key }}"` before
    # site_key.yml wrote the client's vault.yml: reading it raises Jinja's bare error.
    with pytest.raises(Exception, match="'vault_opt_private_key' is undefined"):
        str(key)
    found = errors(opt_private_key=key, opt_ip='10.128.0.11')
    assert found[0] == ("nova: opt_private_key cannot be read ('vault_opt_private_key' is undefined): make the "
                        "client's key with playbooks/site_key.yml -e client=nova, or remove the opt_private_key "
                        "line until it has one")
    nested = errors(opt_sites=site(host_key=StrictUndefined(name='lyon_key')), opt_ip='10.128.0.11')
    assert nested[0] == "nova: opt_sites cannot be read: 'lyon_key' is undefined"
