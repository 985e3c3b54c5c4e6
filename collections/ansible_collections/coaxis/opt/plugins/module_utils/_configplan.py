# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The files of a client's config volume: schema, rendering, file plan, diff. Pure, no Docker.

``validate_clients()`` collects every inventory problem (client, site and field named);
``render_client()`` returns {relative path: {content, mode, uid, gid}} — the ONE place where the
files mast reads are written; ``plan_files()`` compares them with the files read from the
volume; ``file_diffs()`` renders the plan for diff mode with the private key replaced by a
``<private key: sha256 ...>`` placeholder and the X-OPT-Client signature by a
``<signature: sha256 ...>`` one, before and after.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct

from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig, _ipplan, _siteschema
from ansible_collections.coaxis.opt.plugins.module_utils._ipplan import valid_client_name
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

NAME_RE = re.compile(_siteschema.NAME_PATTERN)
HOST_RE = re.compile(_siteschema.HOST_PATTERN)
IPV4_LIKE_RE = re.compile(_siteschema.IPV4_LIKE_PATTERN)
USER_RE = re.compile(_siteschema.USER_PATTERN)
PRIVATE_KEY_RE = re.compile(
    r'-----BEGIN ((?:OPENSSH|RSA|EC|DSA|ENCRYPTED) |)PRIVATE KEY-----\n'
    r'[A-Za-z0-9+/=:,\- \n]+\n'
    r'-----END \1PRIVATE KEY-----')
HOST_KEY_TYPES = ('ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
                  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com')

OWNER_UID = OWNER_GID = 10001
CONFIG_DIR = '/etc/mast'
KEY_PATH = 'ssh/id_ed25519'
KNOWN_HOSTS_PATH = 'ssh/known_hosts'
NGINX_PATH = 'nginx.conf'
SITES_DIR = 'sites'
# Paths outside sites/ that opt_config owns: removed when no longer rendered.
OWNED_PATHS = (KEY_PATH, KNOWN_HOSTS_PATH, NGINX_PATH)
DIRS = {SITES_DIR: 0o755, 'ssh': 0o700}

SITE_DEFAULTS = _siteschema.SITE_DEFAULTS
PRINTER_DEFAULTS = _siteschema.PRINTER_DEFAULTS
SITE_FIELDS = ('name', 'host', 'host_key', 'printers') + tuple(SITE_DEFAULTS)
PRINTER_FIELDS = _siteschema.PRINTER_FIELDS
LIMIT_FIELDS = _siteschema.NULLABLE_INTS
SITE_RANGES = dict((field, bounds) for field, bounds in _siteschema.SITE_INTS.items() if field not in LIMIT_FIELDS)
PRINTER_RANGES = _siteschema.PRINTER_INTS
NGINX_FIELDS = ('enabled',)

# The nginx configuration of a client container (nginx runs unprivileged, listens on 8080).
# The edge proxy of a later release grows this template; keep it the only one.
NGINX_TEMPLATE = """\
# Written by coaxis.opt.opt_config for the client {client}; changes made here are overwritten.
pid /run/mast/nginx/nginx.pid;
# Both logs go to the container's output: Docker's log driver bounds them (max-size * max-file).
error_log stderr;

events {{}}

http {{
    client_body_temp_path /run/mast/nginx/client_body;
    proxy_temp_path /run/mast/nginx/proxy;
    fastcgi_temp_path /run/mast/nginx/fastcgi;
    uwsgi_temp_path /run/mast/nginx/uwsgi;
    scgi_temp_path /run/mast/nginx/scgi;
    access_log /dev/stdout;
    default_type text/plain;

    server {{
        listen 8080;
        location = /healthz {{
            return 200 "ok\\n";
        }}
        location / {{
{location}
        }}
    }}
}}
"""
# The admin interface learns which client a request is for from X-OPT-Client, set here (a
# header of that name coming from outside is replaced, never passed on), and trusts it only with
# X-OPT-Client-Signature, the client's HMAC under the vaulted opt_admin_signing_secret
# (module_utils/_clientsig.py; nginx cannot compute it, so it is written here, and masked in
# diffs); the edge proxy's X-Forwarded-* headers pass through unchanged.
ADMIN_LOCATION = """\
            proxy_pass {admin_url};
            proxy_set_header X-OPT-Client {client};
            proxy_set_header X-OPT-Client-Signature {signature};
            proxy_http_version 1.1;
            proxy_connect_timeout 5s;
            proxy_read_timeout 60s;"""
NO_ADMIN_LOCATION = """\
            return 200 "docker-opt {client}\\n";"""
ADMIN_URL_RE = re.compile(r'https?://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?P<path>/[A-Za-z0-9._~/-]*)?')


# --- schema ------------------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def valid_name(name):
    return isinstance(name, str) and bool(NAME_RE.fullmatch(name))


def valid_host(value):
    """A host name or an IPv4 address (the rule of mast)."""
    if not isinstance(value, str) or not value:
        return False
    if IPV4_LIKE_RE.fullmatch(value):
        parts = value.split('.')
        # mast reads it with ipaddress: no leading zeros.
        return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 and str(int(p)) == p
                                       for p in parts)
    return bool(HOST_RE.fullmatch(value))


def parse_host_key(value):
    """'<type> <base64>' (an optional comment is dropped) -> (type, base64) or None when malformed."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) not in (2, 3) or parts[0] not in HOST_KEY_TYPES:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(blob) < 4:
        return None
    length = struct.unpack('>I', blob[:4])[0]
    if blob[4:4 + length] != parts[0].encode('ascii'):
        return None
    return parts[0], parts[1]


def normalize_private_key(value):
    """The key with LF line ends and one final newline."""
    return value.replace('\r\n', '\n').strip() + '\n'


def valid_private_key(value):
    return isinstance(value, str) and bool(PRIVATE_KEY_RE.fullmatch(normalize_private_key(value).strip()))


def _check_int(errors, value, low, high, lang, keys, **where):
    """keys: the messages (not an integer, out of range) of a site's or a printer's field."""
    not_integer, out_of_range = keys
    if not _is_int(value):
        errors.append(msg(not_integer, lang, value=value, **where))
    elif not low <= value <= high:
        errors.append(msg(out_of_range, lang, value=value, low=low, high=high, **where))


def _site_name(site, index):
    name = site.get('name')
    return name if isinstance(name, str) and name else '#%d' % (index + 1)


def _validate_printers(client, site, sname, lang, errors):
    printers = site.get('printers')
    if printers is None:
        printers = []
    if not isinstance(printers, list):
        errors.append(msg('cfg_printers_not_list', lang, client=client, site=sname))
        return []
    seen = {}
    for index, printer in enumerate(printers):
        if not isinstance(printer, dict):
            errors.append(msg('cfg_printers_not_list', lang, client=client, site=sname))
            continue
        pname = printer.get('name') if isinstance(printer.get('name'), str) and printer.get('name') else '#%d' % (index + 1)
        where = dict(client=client, site=sname, printer=pname)
        for field in sorted(set(printer) - set(PRINTER_FIELDS)):
            errors.append(msg('cfg_printer_unknown_field', lang, field=field, **where))
        if not valid_name(printer.get('name')):
            errors.append(msg('cfg_printer_name_invalid', lang, **where))
        seen[pname] = seen.get(pname, 0) + 1
        if printer.get('address') in (None, ''):
            errors.append(msg('cfg_printer_address_missing', lang, **where))
        elif not valid_host(printer['address']):
            errors.append(msg('cfg_printer_address_invalid', lang, address=printer['address'], **where))
        if printer.get('listen_port') is None:
            errors.append(msg('cfg_printer_listen_port_missing', lang, **where))
        for field, (low, high) in PRINTER_RANGES.items():
            value = printer.get(field, PRINTER_DEFAULTS.get(field))
            if value is None:
                value = PRINTER_DEFAULTS.get(field)
            if value is not None:
                _check_int(errors, value, low, high, lang, ('cfg_printer_not_integer', 'cfg_printer_range'),
                           field=field, **where)
    for pname, count in sorted(seen.items()):
        if count > 1:
            errors.append(msg('cfg_printer_duplicate', lang, client=client, site=sname, printer=pname, count=count))
    return [p for p in printers if isinstance(p, dict)]


def _validate_site(client, site, index, lang, errors):
    sname = _site_name(site, index)
    where = dict(client=client, site=sname)
    for field in sorted(set(site) - set(SITE_FIELDS)):
        errors.append(msg('cfg_site_unknown_field', lang, field=field, **where))
    if not valid_name(site.get('name')):
        errors.append(msg('cfg_site_name_invalid', lang, **where))
    if site.get('host') in (None, ''):
        errors.append(msg('cfg_host_missing', lang, **where))
    elif not valid_host(site['host']):
        errors.append(msg('cfg_host_invalid', lang, host=site['host'], **where))
    if site.get('host_key') in (None, ''):
        errors.append(msg('cfg_host_key_missing', lang, **where))
    elif parse_host_key(site['host_key']) is None:
        errors.append(msg('cfg_host_key_invalid', lang, types=', '.join(HOST_KEY_TYPES), **where))
    for field, (low, high) in SITE_RANGES.items():
        value = site.get(field)
        _check_int(errors, SITE_DEFAULTS[field] if value is None else value, low, high, lang,
                   ('cfg_site_not_integer', 'cfg_site_range'), field=field, **where)
    for field in LIMIT_FIELDS:
        value = site.get(field)
        if value is None:
            continue
        low, high = _siteschema.SITE_INTS[field]
        if not _is_int(value) or not low <= value <= high:
            errors.append(msg('cfg_limit_range', lang, field=field, value=value, low=low, high=high, **where))
    user = site.get('user')
    if user is not None and not (isinstance(user, str) and USER_RE.fullmatch(user)):
        errors.append(msg('cfg_user_invalid', lang, user=user, **where))
    if site.get('compression') is not None and not isinstance(site['compression'], bool):
        errors.append(msg('cfg_compression_invalid', lang, value=site['compression'], **where))
    return sname, _validate_printers(client, site, sname, lang, errors)


def validate_client(client, lang='en'):
    """Every problem of one inventory client (name, sites, printers, keys), in order."""
    name = client.get('name')
    if not valid_client_name(name):
        return [msg('client_name_invalid', lang, client=name)]
    errors = []
    sites = client.get('sites') or []
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        return [msg('cfg_sites_not_list', lang, client=name)]
    counts = {}
    owners = {}
    for index, site in enumerate(sites):
        sname, printers = _validate_site(name, site, index, lang, errors)
        counts[sname] = counts.get(sname, 0) + 1
        for printer in printers:
            port = printer.get('listen_port')
            if not _is_int(port):
                continue
            pname = printer.get('name')
            if port in owners and owners[port] != (sname, pname):
                other_site, other_printer = owners[port]
                errors.append(msg('cfg_listen_port_duplicate', lang, client=name, port=port, site=other_site,
                                  printer=other_printer, other_site=sname, other_printer=pname))
            else:
                owners.setdefault(port, (sname, pname))
    for sname, count in sorted(counts.items()):
        if count > 1:
            errors.append(msg('cfg_site_duplicate', lang, client=name, site=sname, count=count))
    key = client.get('private_key')
    if key in (None, ''):
        if sites:
            errors.append(msg('cfg_private_key_missing', lang, client=name, count=len(sites)))
    elif not valid_private_key(key):
        errors.append(msg('cfg_private_key_invalid', lang, client=name))
    nginx = client.get('nginx')
    if nginx is not None:
        if not isinstance(nginx, dict):
            errors.append(msg('cfg_nginx_invalid', lang, client=name, fields=', '.join(NGINX_FIELDS)))
        else:
            for field in sorted(set(nginx) - set(NGINX_FIELDS)):
                errors.append(msg('cfg_nginx_unknown_field', lang, client=name, field=field,
                                  fields=', '.join(NGINX_FIELDS)))
            if nginx.get('enabled') is not None and not isinstance(nginx['enabled'], bool):
                errors.append(msg('cfg_nginx_invalid', lang, client=name, fields=', '.join(NGINX_FIELDS)))
    return errors


def validate_clients(clients, lang='en'):
    """Every problem of the ``clients`` option: duplicates, then each client."""
    errors = []
    errors.extend(_ipplan.duplicate_clients(clients, lang))
    for client in clients:
        errors.extend(validate_client(client, lang))
    return errors


# --- rendering ---------------------------------------------------------------------------

def _value(item, field, defaults):
    value = item.get(field)
    return defaults.get(field) if value is None else value


def site_document(site):
    """The JSON document mast reads from sites/<name>.json (mast's field names, defaults filled)."""
    printers = [dict((field, _value(p, field, PRINTER_DEFAULTS)) for field in PRINTER_FIELDS)
                for p in site.get('printers') or []]
    return {
        'name': site['name'],
        'host': site['host'],
        'port': _value(site, 'port', SITE_DEFAULTS),
        'user': _value(site, 'user', SITE_DEFAULTS),
        'identity_file': _siteschema.FILE_ONLY_DEFAULTS['identity_file'],
        'known_hosts': _siteschema.FILE_ONLY_DEFAULTS['known_hosts'],
        'upload_kbps': site.get('upload_kbps'),
        'download_kbps': site.get('download_kbps'),
        'keepalive_interval': _value(site, 'keepalive_interval', SITE_DEFAULTS),
        'keepalive_count': _value(site, 'keepalive_count', SITE_DEFAULTS),
        'connect_timeout': _value(site, 'connect_timeout', SITE_DEFAULTS),
        'compression': bool(_value(site, 'compression', SITE_DEFAULTS)),
        'printers': printers,
    }


def known_hosts_line(site):
    """'<host> <type> <key>', the host written [host]:port when the port is not 22 (OpenSSH's rule)."""
    key_type, key = parse_host_key(site['host_key'])
    port = _value(site, 'port', SITE_DEFAULTS)
    host = site['host'] if port == 22 else '[%s]:%d' % (site['host'], port)
    return '%s %s %s' % (host, key_type, key)


def parse_admin_url(url):
    """(scheme, host, port, path) of an admin interface URL, or None when it is not one we write into nginx."""
    match = ADMIN_URL_RE.fullmatch(url or '')
    if not match:
        return None
    scheme = url.split(':', 1)[0]
    port = int(match.group('port') or (443 if scheme == 'https' else 80))
    if not 1 <= port <= 65535:
        return None
    return scheme, match.group('host'), port, match.group('path') or '/'


def render_nginx(client):
    """The client's nginx.conf; with an admin URL, the client's ``admin_secret`` signs X-OPT-Client."""
    admin_url = client.get('admin_url')
    if admin_url:
        location = ADMIN_LOCATION.format(client=client['name'], admin_url=admin_url,
                                         signature=_clientsig.sign(client['admin_secret'], client['name']))
    else:
        location = NO_ADMIN_LOCATION.format(client=client['name'])
    return NGINX_TEMPLATE.format(client=client['name'], location=location)


def _file(content, mode):
    return {'content': content, 'mode': mode, 'uid': OWNER_UID, 'gid': OWNER_GID}


def render_client(client):
    """{relative path: {content (str), mode, uid, gid}} of a VALID client (see validate_client)."""
    files = {}
    sites = sorted(client.get('sites') or [], key=lambda s: s['name'])
    for site in sites:
        files['%s/%s.json' % (SITES_DIR, site['name'])] = _file(
            json.dumps(site_document(site), indent=2) + '\n', 0o644)
    if sites:
        files[KNOWN_HOSTS_PATH] = _file(''.join(known_hosts_line(s) + '\n' for s in sites), 0o644)
    if client.get('private_key'):
        files[KEY_PATH] = _file(normalize_private_key(client['private_key']), 0o600)
    if (client.get('nginx') or {}).get('enabled', True) is not False:
        # Readable by the container's user alone when it carries the client's signature.
        files[NGINX_PATH] = _file(render_nginx(client), 0o600 if client.get('admin_url') else 0o644)
    return files


# --- file plan ---------------------------------------------------------------------------

def owned(path):
    """Whether opt_config owns a path of the volume (may update or delete it)."""
    head, _sep, rest = path.partition('/')
    return path in OWNED_PATHS or (head == SITES_DIR and rest != '')


def _as_bytes(content):
    return content if isinstance(content, bytes) else content.encode('utf-8')


def plan_files(desired, current):
    """[{path, action: create|update|delete|none, reasons}] sorted by path.

    desired: render_client(); current: {path: {content (bytes or str), mode, uid, gid}} of the
    regular files on the volume. Files opt_config does not own are never listed.
    """
    plan = []
    for path in sorted(set(desired) | set(p for p in current if owned(p))):
        want, have = desired.get(path), current.get(path)
        reasons = []
        if want is None:
            action = 'delete'
        elif have is None:
            action = 'create'
        else:
            if _as_bytes(want['content']) != _as_bytes(have['content']):
                reasons.append('content')
            if want['mode'] != have['mode'] & 0o7777:
                reasons.append('mode %04o -> %04o' % (have['mode'] & 0o7777, want['mode']))
            if (want['uid'], want['gid']) != (have['uid'], have['gid']):
                reasons.append('owner %s:%s -> %s:%s' % (have['uid'], have['gid'], want['uid'], want['gid']))
            action = 'update' if reasons else 'none'
        plan.append({'path': path, 'action': action, 'reasons': reasons})
    return plan


def changed(plan):
    return [item for item in plan if item['action'] != 'none']


def key_placeholder(content):
    return '<private key: sha256 %s>\n' % hashlib.sha256(_as_bytes(content)).hexdigest()[:12]


def shown_content(path, content):
    """File text as diff mode may show it: a private key (by path or by look) is a placeholder."""
    if content is None:
        return ''
    if isinstance(content, bytes):
        content = content.decode('utf-8', 'replace')
    if path == KEY_PATH or 'PRIVATE KEY-----' in content:
        return key_placeholder(content)
    return _clientsig.mask(content)


def _header(client, path, entry, lang):
    if entry is None:
        return msg('diff_file_absent', lang, client=client, path=path)
    return '%s: %s (%04o %s:%s)' % (client, path, entry['mode'] & 0o7777, entry['uid'], entry['gid'])


def file_diffs(client, plan, desired, current, lang='en'):
    """Ansible diff list (before/after per changed file), private key masked."""
    diffs = []
    for item in changed(plan):
        path = item['path']
        have, want = current.get(path), desired.get(path)
        diffs.append({
            'before_header': _header(client, path, have, lang),
            'after_header': _header(client, path, want, lang),
            'before': shown_content(path, have and have['content']),
            'after': shown_content(path, want and want['content']),
        })
    return diffs
