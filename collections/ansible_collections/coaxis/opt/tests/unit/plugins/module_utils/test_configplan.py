# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import copy
import hashlib
import json
import struct

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils import _configapply
from ansible_collections.coaxis.opt.plugins.module_utils._configplan import (
    file_diffs,
    parse_host_key,
    plan_files,
    render_client,
    validate_clients,
)


def host_key(key_type='ssh-ed25519', fill=b'\x01'):
    name = key_type.encode('ascii')
    blob = struct.pack('>I', len(name)) + name + struct.pack('>I', 32) + fill * 32
    return '%s %s' % (key_type, base64.b64encode(blob).decode('ascii'))


HOST_KEY = host_key()
KEY_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBmYWtlZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZQAAAIgAAAAA'
# A synthetic key ("fakefake..." inside the armour), assembled here so that no armoured
# private key block stands in the repository.
ARMOUR = 'OPENSSH ' + 'PRIVATE KEY'
PRIVATE_KEY = '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (ARMOUR, KEY_BODY, ARMOUR)
OTHER_KEY = PRIVATE_KEY.replace('ZmFrZ', 'b3RoZ')


def site(**over):
    data = {'name': 'lyon', 'host': '10.130.0.10', 'host_key': HOST_KEY, 'upload_kbps': 100,
            'printers': [{'name': 'accueil', 'address': '10.131.1.20', 'listen_port': 9101}]}
    data.update(over)
    return data


def printer(**over):
    data = {'name': 'accueil', 'address': '10.131.1.20', 'listen_port': 9101}
    data.update(over)
    return data


def client(**over):
    data = {'name': 'acme', 'private_key': PRIVATE_KEY, 'sites': [site()]}
    data.update(over)
    return data


def errors_of(**over):
    return validate_clients([client(**over)])


# --- schema refusals: one case per row, the exact message ----------------------------------

REFUSALS = [
    ('site name unsafe', dict(sites=[site(name='Lyon')]),
     ['acme: site Lyon: invalid site name: use 1 to 32 characters, lowercase letters, digits and dashes, '
      'not starting or ending with a dash']),
    ('site name too long', dict(sites=[site(name='a' * 33)]),
     ['acme: site %s: invalid site name: use 1 to 32 characters, lowercase letters, digits and dashes, '
      'not starting or ending with a dash' % ('a' * 33)]),
    ('site name missing', dict(sites=[site(name=None)]),
     ['acme: site #1: invalid site name: use 1 to 32 characters, lowercase letters, digits and dashes, '
      'not starting or ending with a dash']),
    ('duplicate site', dict(sites=[site(), site(printers=[printer(listen_port=9102)])]),
     ['acme: site lyon is listed 2 times']),
    ('duplicate printer', dict(sites=[site(printers=[printer(), printer(listen_port=9102)])]),
     ['acme: site lyon: printer accueil is listed 2 times']),
    ('duplicate listen port across sites', dict(sites=[site(), site(name='paris', printers=[printer(name='compta')])]),
     ['acme: listen_port 9101 is used by site lyon printer accueil and by site paris printer compta']),
    ('duplicate listen port in a site', dict(sites=[site(printers=[printer(), printer(name='compta')])]),
     ['acme: listen_port 9101 is used by site lyon printer accueil and by site lyon printer compta']),
    ('port 0', dict(sites=[site(port=0)]), ['acme: site lyon: port 0 is out of range 1..65535']),
    ('port 65536', dict(sites=[site(port=65536)]), ['acme: site lyon: port 65536 is out of range 1..65535']),
    ('port not an integer', dict(sites=[site(port='22')]), ['acme: site lyon: port must be an integer, got 22']),
    ('printer port 0', dict(sites=[site(printers=[printer(port=0)])]),
     ['acme: site lyon: printer accueil: port 0 is out of range 1..65535']),
    ('listen port privileged', dict(sites=[site(printers=[printer(listen_port=80)])]),
     ['acme: site lyon: printer accueil: listen_port 80 is out of range 1024..65535']),
    ('listen port missing', dict(sites=[site(printers=[printer(listen_port=None)])]),
     ['acme: site lyon: printer accueil: listen_port is missing']),
    ('upload limit 0', dict(sites=[site(upload_kbps=0)]),
     ['acme: site lyon: upload_kbps 0 is out of range: 1 to 100000 KiB/s, or null for no limit']),
    ('download limit too high', dict(sites=[site(download_kbps=100001)]),
     ['acme: site lyon: download_kbps 100001 is out of range: 1 to 100000 KiB/s, or null for no limit']),
    ('keepalive interval 0', dict(sites=[site(keepalive_interval=0)]),
     ['acme: site lyon: keepalive_interval 0 is out of range 1..3600']),
    ('host missing', dict(sites=[site(host=None)]), ['acme: site lyon: host is missing']),
    ('host invalid', dict(sites=[site(host='10.130.0.300')]),
     ['acme: site lyon: host 10.130.0.300 is not a host name or an IPv4 address']),
    ('host key missing', dict(sites=[site(host_key='')]),
     ["acme: site lyon: host_key is missing: pin the site's SSH host key as '<type> <base64>' (ssh-keyscan)"]),
    ('host key not base64', dict(sites=[site(host_key='ssh-ed25519 not*base64')]),
     ["acme: site lyon: host_key is not '<type> <base64>' with a key of that type; types: ssh-ed25519, ssh-rsa, "
      'ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, '
      'sk-ecdsa-sha2-nistp256@openssh.com']),
    ('host key type mismatch', dict(sites=[site(host_key=HOST_KEY.replace('ssh-ed25519', 'ssh-rsa', 1))]),
     ["acme: site lyon: host_key is not '<type> <base64>' with a key of that type; types: ssh-ed25519, ssh-rsa, "
      'ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, '
      'sk-ecdsa-sha2-nistp256@openssh.com']),
    ('host key with host prefix', dict(sites=[site(host_key='10.130.0.10 ' + HOST_KEY)]),
     ["acme: site lyon: host_key is not '<type> <base64>' with a key of that type; types: ssh-ed25519, ssh-rsa, "
      'ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, '
      'sk-ecdsa-sha2-nistp256@openssh.com']),
    ('private key missing', dict(private_key=None),
     ['acme: private_key is missing; it is required when the client has sites (1)']),
    ('private key is a public key', dict(private_key=HOST_KEY),
     ['acme: private_key does not look like an OpenSSH or PEM private key '
      '(-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----)']),
    ('private key mismatched armour', dict(private_key=PRIVATE_KEY.replace('END OPENSSH', 'END RSA')),
     ['acme: private_key does not look like an OpenSSH or PEM private key '
      '(-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----)']),
    ('printer name unsafe', dict(sites=[site(printers=[printer(name='acc ueil')])]),
     ['acme: site lyon: printer acc ueil: invalid printer name: use 1 to 32 characters, lowercase letters, '
      'digits and dashes, not starting or ending with a dash']),
    ('printer address missing', dict(sites=[site(printers=[printer(address=None)])]),
     ['acme: site lyon: printer accueil: address is missing']),
    ('unknown site field', dict(sites=[site(bandwidth=10)]), ['acme: site lyon: unknown field bandwidth']),
    ('unknown printer field', dict(sites=[site(printers=[printer(queue='raw')])]),
     ['acme: site lyon: printer accueil: unknown field queue']),
    ('user invalid', dict(sites=[site(user='Root User')]),
     ['acme: site lyon: user Root User is not a valid user name']),
    ('compression not bool', dict(sites=[site(compression='yes')]),
     ['acme: site lyon: compression must be true or false, got yes']),
    ('nginx unknown field', dict(nginx={'port': 80}), ['acme: nginx: unknown field port (known: enabled)']),
    ('client name invalid', dict(name='-acme'),
     ['-acme: invalid client name: use 2 to 32 characters, lowercase letters, digits and dashes, '
      'not starting or ending with a dash']),
]


@pytest.mark.parametrize('over, expected', [(o, e) for _n, o, e in REFUSALS], ids=[n for n, _o, _e in REFUSALS])
def test_refusal(over, expected):
    assert errors_of(**over) == expected


def test_refusal_table_is_large_enough():
    assert len(REFUSALS) >= 20


def test_all_errors_collected_and_french():
    errors = validate_clients([client(private_key=None, sites=[site(port=0, host=None)]),
                               client(name='beta', sites=[site(upload_kbps=0)])], 'fr')
    assert errors == [
        'acme : site lyon : host est absent',
        'acme : site lyon : port 0 hors de la plage 1..65535',
        'acme : private_key est absente ; elle est obligatoire quand le client a des sites (1)',
        'beta : site lyon : upload_kbps 0 hors plage : 1 à 100000 Kio/s, ou null pour aucune limite',
    ]


def test_duplicate_client():
    assert validate_clients([client(), client()]) == ['acme: the client is listed 2 times']


def test_valid_inputs():
    assert errors_of() == []
    assert errors_of(sites=[], private_key=None) == []
    assert errors_of(sites=[site(upload_kbps=None, download_kbps=100000, host='gw.lyon.example.com',
                                 host_key=host_key('ecdsa-sha2-nistp256') + ' comment')]) == []
    rsa = PRIVATE_KEY.replace('OPENSSH PRIVATE', 'RSA PRIVATE')
    assert errors_of(private_key=rsa.replace('\n', '\r\n')) == []
    assert errors_of(private_key=rsa.replace('RSA PRIVATE', 'PRIVATE')) == []


def test_errors_never_show_the_private_key():
    errors = validate_clients([client(private_key=PRIVATE_KEY.replace('END OPENSSH', 'END'))])
    assert errors and KEY_BODY.splitlines()[0] not in ' '.join(errors)


def test_parse_host_key():
    assert parse_host_key(HOST_KEY + ' root@gw') == tuple(HOST_KEY.split())
    assert parse_host_key('ssh-dss AAAA') is None
    assert parse_host_key(None) is None


# --- rendering (golden) --------------------------------------------------------------------

GOLDEN_LYON = """\
{
  "name": "lyon",
  "host": "10.130.0.10",
  "port": 22,
  "user": "coaxis",
  "identity_file": "/etc/mast/ssh/id_ed25519",
  "known_hosts": "/etc/mast/ssh/known_hosts",
  "upload_kbps": 100,
  "download_kbps": null,
  "keepalive_interval": 3,
  "keepalive_count": 2,
  "connect_timeout": 5,
  "compression": false,
  "printers": [
    {
      "name": "accueil",
      "address": "10.131.1.20",
      "port": 9100,
      "listen_port": 9101
    }
  ]
}
"""

GOLDEN_NGINX = """\
# Written by coaxis.opt.opt_config for the client acme; changes made here are overwritten.
pid /run/mast/nginx/nginx.pid;
# Both logs go to the container's output: Docker's log driver bounds them (max-size * max-file).
error_log stderr;

events {}

http {
    client_body_temp_path /run/mast/nginx/client_body;
    proxy_temp_path /run/mast/nginx/proxy;
    fastcgi_temp_path /run/mast/nginx/fastcgi;
    uwsgi_temp_path /run/mast/nginx/uwsgi;
    scgi_temp_path /run/mast/nginx/scgi;
    access_log /dev/stdout;
    default_type text/plain;

    server {
        listen 8080;
        location = /healthz {
            return 200 "ok\\n";
        }
        location / {
            return 200 "docker-opt acme\\n";
        }
    }
}
"""


def rendered():
    paris = site(name='paris', host='gw.paris.example.com', port=2222, upload_kbps=None,
                 printers=[printer(name='compta', listen_port=9102, port=515)])
    return render_client(client(sites=[paris, site()]))


def test_render_golden():
    files = rendered()
    assert sorted(files) == ['nginx.conf', 'sites/lyon.json', 'sites/paris.json', 'ssh/id_ed25519',
                             'ssh/known_hosts']
    assert files['sites/lyon.json']['content'] == GOLDEN_LYON
    assert files['nginx.conf']['content'] == GOLDEN_NGINX
    assert files['ssh/known_hosts']['content'] == (
        '10.130.0.10 %s\n[gw.paris.example.com]:2222 %s\n' % (HOST_KEY, HOST_KEY))
    assert files['ssh/id_ed25519']['content'] == PRIVATE_KEY
    assert json.loads(files['sites/paris.json']['content'])['printers'] == [
        {'name': 'compta', 'address': '10.131.1.20', 'port': 515, 'listen_port': 9102}]
    modes = dict((path, (f['mode'], f['uid'], f['gid'])) for path, f in files.items())
    assert modes['ssh/id_ed25519'] == (0o600, 10001, 10001)
    assert modes['ssh/known_hosts'] == (0o644, 10001, 10001)
    assert modes['sites/lyon.json'] == (0o644, 10001, 10001)


def test_render_without_sites_or_nginx():
    assert sorted(render_client({'name': 'acme', 'sites': []})) == ['nginx.conf']
    assert render_client({'name': 'acme', 'sites': [], 'nginx': {'enabled': False}}) == {}


def test_render_is_deterministic():
    assert rendered() == rendered()


# --- file plan -----------------------------------------------------------------------------

def on_volume(files):
    return dict((path, dict(f, content=f['content'].encode('utf-8'))) for path, f in files.items())


def test_plan_create_all_on_empty_volume():
    plan = plan_files(rendered(), {})
    assert set(i['action'] for i in plan) == {'create'}


def test_plan_none_when_identical():
    files = rendered()
    assert set(i['action'] for i in plan_files(files, on_volume(files))) == {'none'}


def test_plan_update_delete_and_foreign_files():
    files = rendered()
    current = on_volume(files)
    current['sites/lyon.json'] = dict(current['sites/lyon.json'], content=b'{}\n')
    current['ssh/known_hosts'] = dict(current['ssh/known_hosts'], mode=0o100600, uid=0)
    current['sites/nice.json'] = {'content': b'{}', 'mode': 0o644, 'uid': 10001, 'gid': 10001}
    current['sites/.old.swp'] = {'content': b'', 'mode': 0o644, 'uid': 0, 'gid': 0}
    current['mast.json'] = {'content': b'{}', 'mode': 0o644, 'uid': 0, 'gid': 0}
    plan = dict((i['path'], (i['action'], i['reasons'])) for i in plan_files(files, current))
    assert plan == {
        'nginx.conf': ('none', []),
        'sites/.old.swp': ('delete', []),
        'sites/lyon.json': ('update', ['content']),
        'sites/nice.json': ('delete', []),
        'sites/paris.json': ('none', []),
        'ssh/id_ed25519': ('none', []),
        'ssh/known_hosts': ('update', ['mode 0600 -> 0644', 'owner 0:10001 -> 10001:10001']),
    }


def test_plan_deletes_owned_files_no_longer_rendered():
    current = on_volume(rendered())
    plan = plan_files(render_client({'name': 'acme', 'sites': [], 'nginx': {'enabled': False}}), current)
    assert set(i['action'] for i in plan) == {'delete'}
    assert len(plan) == 5


# --- diff: the private key never shows ------------------------------------------------------

def test_diff_masks_private_key_before_and_after():
    files = rendered()
    current = on_volume(render_client(client(private_key=OTHER_KEY)))
    current['sites/lyon.json'] = dict(current['sites/lyon.json'], content=b'{}\n')
    plan = plan_files(files, current)
    diffs = file_diffs('acme', plan, files, current)
    by_header = dict((d['after_header'], d) for d in diffs)
    key_diff = by_header['acme: ssh/id_ed25519 (0600 10001:10001)']
    assert key_diff['before'] == '<private key: sha256 %s>\n' % hashlib.sha256(OTHER_KEY.encode()).hexdigest()[:12]
    assert key_diff['after'] == '<private key: sha256 %s>\n' % hashlib.sha256(PRIVATE_KEY.encode()).hexdigest()[:12]
    assert by_header['acme: sites/lyon.json (0644 10001:10001)']['after'] == GOLDEN_LYON
    text = json.dumps(diffs) + json.dumps(plan)
    for secret in (PRIVATE_KEY, OTHER_KEY):
        for line in secret.splitlines()[1:-1]:
            assert line not in text
    assert 'PRIVATE KEY-----' not in text


def test_diff_masks_a_key_found_anywhere():
    current = {'sites/stray.json': {'content': OTHER_KEY.encode(), 'mode': 0o644, 'uid': 0, 'gid': 0}}
    diffs = file_diffs('acme', plan_files({}, current), {}, current)
    assert diffs[0]['before'].startswith('<private key: sha256 ')
    assert diffs[0]['after_header'] == 'acme: sites/stray.json (absent)'


def test_diff_of_created_files():
    files = rendered()
    diffs = file_diffs('acme', plan_files(files, {}), files, {})
    assert len(diffs) == 5 and all(d['before'] == '' for d in diffs)
    assert PRIVATE_KEY not in json.dumps(diffs)


# --- engine side: tar in and out -------------------------------------------------------------

def test_archive_round_trip_keeps_modes_and_owners():
    files = rendered()
    raw = _configapply.build_archive(files, now=0)
    back = _configapply.parse_archive(raw, root='nothing')
    assert back == on_volume(files)
    assert plan_files(files, back) == [dict(path=p, action='none', reasons=[]) for p in sorted(files)]


def test_parse_archive_strips_the_mount_directory():
    import io
    import tarfile
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w') as archive:
        for name, data in (('cfg', None), ('cfg/sites/lyon.json', b'{}')):
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size, info.mode, info.uid, info.gid = len(data), 0o100644, 10001, 10001
                archive.addfile(info, io.BytesIO(data))
    assert _configapply.parse_archive(buffer.getvalue()) == {
        'sites/lyon.json': {'content': b'{}', 'mode': 0o644, 'uid': 10001, 'gid': 10001}}


def test_build_archive_directories():
    import io
    import tarfile
    raw = _configapply.build_archive(rendered(), now=0)
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        dirs = dict((m.name, (m.mode, m.uid)) for m in archive.getmembers() if m.isdir())
    assert dirs == {'sites': (0o755, 10001), 'ssh': (0o700, 10001)}


def test_batch_archive_round_trip_per_volume():
    import io
    import tarfile
    files = rendered()
    raw = _configapply.build_archive(None, now=0, batch={'opt-acme-config': files, 'opt-globex-config': {}})
    with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
        dirs = sorted(m.name for m in archive.getmembers() if m.isdir())
    # The volumes' own roots are not in the tar: their owner and mode are left as they are.
    assert dirs == ['opt-acme-config/sites', 'opt-acme-config/ssh']
    back = _configapply.split_batch(_configapply.parse_archive(raw, root='nothing'))
    assert back == {'opt-acme-config': on_volume(files)}


def test_split_batch_ignores_files_outside_a_volume():
    entry = {'content': b'x', 'mode': 0o644, 'uid': 0, 'gid': 0}
    assert _configapply.split_batch({'stray': entry, 'v1/sites/a.json': entry, 'v2/nginx.conf': entry}) == {
        'v1': {'sites/a.json': entry}, 'v2': {'nginx.conf': entry}}


def test_plan_job_splits_writes_and_deletes():
    files = rendered()
    current = on_volume(files)
    current['sites/old.json'] = dict(current['sites/lyon.json'])
    del current['nginx.conf']
    plan, todo, writes, deletes = _configapply.plan_job({'files': files}, current)
    assert sorted(writes) == ['nginx.conf'] and deletes == ['sites/old.json']
    assert len(todo) == 2 and len(plan) == len(files) + 1


@pytest.mark.parametrize('wanted, changed, check_mode, container_state, status', [
    (False, True, False, 'running', 'disabled'),
    (True, False, False, 'running', 'not_needed'),
    (True, True, False, 'exited', 'not_running'),
    (True, True, False, None, 'not_running'),
    (True, True, True, 'running', 'planned'),
])
def test_reload_step_without_exec(wanted, changed, check_mode, container_state, status):
    state = {'containers': {'opt-acme': container_state} if container_state else {}, 'image_id': 'sha256:new',
             'images': {'opt-acme': 'sha256:new'}}
    job = {'container': 'opt-acme'}
    assert _configapply.reload_step(None, job, state, changed, check_mode, wanted) == {'status': status}


def test_no_reload_of_a_container_about_to_be_recreated_on_a_new_image():
    state = {'containers': {'opt-acme': 'running'}, 'image_id': 'sha256:new', 'images': {'opt-acme': 'sha256:old'}}
    assert _configapply.reload_step(None, {'container': 'opt-acme'}, state, True, False, True) == {
        'status': 'other_image'}


def test_inputs_not_modified():
    data = client()
    before = copy.deepcopy(data)
    validate_clients([data])
    render_client(data)
    assert data == before
