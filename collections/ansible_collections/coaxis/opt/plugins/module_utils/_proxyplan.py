# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The edge reverse proxy of a Docker host (coaxis.opt.opt_proxy), planned without Docker.

Files live on the opt-edge volume (/etc/opt-edge): one vhost per client (vhosts/<client>.conf),
the back-office's vhost when there is an admin interface (vhosts/_admin.conf: opt.<domain> to
opt_admin_url; no client name starts with "_"), the wildcard certificate (tls/), the 404 page
(html/). Everything else there is not ours.
"""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _limits, _naming, _configplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
from ansible_collections.coaxis.opt.plugins.module_utils._contract import action, diff_of

ROOT = '/etc/opt-edge'
STAGING = '.staging'
ROLE = 'edge'
CERT, KEY, PAGE = 'tls/wildcard.crt', 'tls/wildcard.key', 'html/404.html'
ADMIN_VHOST = 'vhosts/_admin.conf'
# The back-office's host: <ADMIN_SUBDOMAIN>.<domain> (the portal's PORTAL_BACKOFFICE_HOST).
ADMIN_SUBDOMAIN = 'opt'
LABEL_RE = re.compile(r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?')
# Extra nginx directives of one vhost: one per line, ending with ';', no block.
EXTRA_RE = re.compile(r'[a-z_]+(?: [^;{}#\n]+)?;')
# The directives opt_vhost_extra may use: they act on the requests and responses of the vhost's
# location only. Anything else is refused, above all what reads or writes a file of the edge
# (include, root, alias, access_log, error_log, ssl_certificate*, auth_basic_user_file, *_temp_path,
# load_module, the lua, perl and js directives...) or sends the requests elsewhere (proxy_pass).
EXTRA_DIRECTIVES = frozenset((
    'add_header', 'add_trailer', 'allow', 'deny', 'charset', 'chunked_transfer_encoding',
    'client_body_buffer_size', 'client_body_timeout', 'client_max_body_size', 'etag', 'expires',
    'gzip', 'gzip_comp_level', 'gzip_min_length', 'gzip_proxied', 'gzip_types', 'gzip_vary',
    'if_modified_since', 'keepalive_timeout', 'limit_rate', 'limit_rate_after', 'max_ranges',
    'proxy_buffer_size', 'proxy_buffering', 'proxy_buffers', 'proxy_busy_buffers_size',
    'proxy_connect_timeout', 'proxy_cookie_domain', 'proxy_cookie_flags', 'proxy_cookie_path',
    'proxy_hide_header', 'proxy_http_version', 'proxy_ignore_headers', 'proxy_intercept_errors',
    'proxy_max_temp_file_size', 'proxy_next_upstream', 'proxy_next_upstream_timeout',
    'proxy_next_upstream_tries', 'proxy_pass_header', 'proxy_read_timeout', 'proxy_redirect',
    'proxy_request_buffering', 'proxy_send_timeout', 'proxy_set_header', 'send_timeout', 'server_tokens',
))
CAPS = ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']

VHOST = """\
# Written by coaxis.opt.opt_proxy for the client {name}; changes made here are overwritten.
server {{
    listen 80;
    server_name {host};
    return 301 https://$host$request_uri;
}}

server {{
    listen 443 ssl;
    server_name {host};
    location / {{
        proxy_pass http://{ip}:{port};
        proxy_set_header Host $host;
        # Only the client's own nginx says which client this is.
        proxy_set_header X-OPT-Client "";
        proxy_set_header X-Forwarded-Host $host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_connect_timeout 5s;
{extra}    }}
}}
"""

ADMIN_VHOST_TEXT = """\
# Written by coaxis.opt.opt_proxy: the back-office of the admin interface; changes made here are overwritten.
server {{
    listen 80;
    server_name {host};
    return 301 https://$host$request_uri;
}}

server {{
    listen 443 ssl;
    server_name {host};
    location / {{
        proxy_pass {admin_url};
        proxy_set_header Host $host;
        # The back-office is no client's: a client header from outside never passes.
        proxy_set_header X-OPT-Client "";
        proxy_set_header X-OPT-Client-Signature "";
        proxy_set_header X-Forwarded-Host $host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_connect_timeout 5s;
        proxy_read_timeout 120s;
        client_max_body_size 2m;
    }}
}}
"""

PAGE_404 = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>404</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>404</h1>
<p>No Coaxis OPT client at this address. / Aucun client Coaxis OPT à cette adresse.</p></body></html>
"""


def valid_domain(domain):
    labels = (domain or '').split('.')
    return len(domain or '') <= 253 and len(labels) >= 2 and all(LABEL_RE.fullmatch(label) for label in labels)


def validate(domain, clients, cert, key, lang='en', admin_url=''):
    errors = []
    if not valid_domain(domain):
        errors.append(msg('proxy_domain_invalid', lang, domain=domain))
    if admin_url and _configplan.parse_admin_url(admin_url) is None:
        errors.append(msg('admin_url_invalid', lang, url=admin_url))
    errors.extend(tls_errors(cert or '', key or '', lang))
    owners = {}
    for client in clients:
        name, sub = client.get('name'), client.get('subdomain')
        if not _ipplan.valid_client_name(name):
            errors.append(msg('client_name_invalid', lang, client=name))
            continue
        if not isinstance(sub, str) or not LABEL_RE.fullmatch(sub):
            errors.append(msg('proxy_subdomain_invalid', lang, client=name, subdomain=sub))
        elif sub in owners:
            errors.append(msg('proxy_subdomain_duplicate', lang, client=name, subdomain=sub, other=owners[sub]))
        elif admin_url and sub == ADMIN_SUBDOMAIN:
            errors.append(msg('proxy_subdomain_backoffice', lang, client=name, subdomain=sub,
                              host='%s.%s' % (ADMIN_SUBDOMAIN, domain)))
        else:
            owners[sub] = name
        if _ipplan.parse_ipv4(client.get('ip')) is None:
            errors.append(msg('fw_ip_invalid', lang, client=name, ip=client.get('ip')))
        errors.extend(extra_errors(name, client.get('extra') or [], lang))
    return errors


def extra_errors(name, extra, lang='en'):
    """Problems of a client's opt_vhost_extra: a list of simple directives, each one allowed."""
    if not isinstance(extra, list) or not all(isinstance(line, str) for line in extra):
        return [msg('proxy_extra_not_list', lang, client=name)]
    errors = []
    bad = [line for line in extra if not EXTRA_RE.fullmatch(line)]
    if bad:
        errors.append(msg('proxy_extra_invalid', lang, client=name, lines=' | '.join(bad)))
    refused = sorted(set(line.split(' ', 1)[0].rstrip(';') for line in extra if EXTRA_RE.fullmatch(line))
                     - EXTRA_DIRECTIVES)
    if refused:
        errors.append(msg('proxy_extra_refused', lang, client=name, directives=', '.join(refused),
                          allowed=', '.join(sorted(EXTRA_DIRECTIVES))))
    return errors


def tls_errors(cert, key, lang='en'):
    """The wildcard certificate and its key must be PEM (the edge proxy serves them)."""
    errors = []
    if not isinstance(cert, str) or '-----BEGIN CERTIFICATE-----' not in cert:
        errors.append(msg('proxy_cert_invalid', lang))
    if not isinstance(key, str) or 'PRIVATE KEY-----' not in key:
        errors.append(msg('proxy_key_invalid', lang))
    return errors


def render_vhost(client, domain, port=8080):
    extra = ''.join('        %s\n' % line for line in client.get('extra') or [])
    return VHOST.format(name=client['name'], host='%s.%s' % (client['subdomain'], domain), ip=client['ip'],
                        port=port, extra=extra)


def render_admin_vhost(domain, admin_url):
    return ADMIN_VHOST_TEXT.format(host='%s.%s' % (ADMIN_SUBDOMAIN, domain), admin_url=admin_url)


def vhost_path(name):
    return 'vhosts/%s.conf' % name


def desired_files(domain, clients, cert, key, port=8080, admin_url=''):
    files = {CERT: {'content': cert, 'mode': 0o644}, KEY: {'content': key, 'mode': 0o600},
             PAGE: {'content': PAGE_404, 'mode': 0o644}}
    if admin_url:
        files[ADMIN_VHOST] = {'content': render_admin_vhost(domain, admin_url), 'mode': 0o644}
    for client in clients:
        files[vhost_path(client['name'])] = {'content': render_vhost(client, domain, port), 'mode': 0o644}
    return files


def owned(path):
    return path in (CERT, KEY, PAGE) or (path.startswith('vhosts/') and path.endswith('.conf') and path.count('/') == 1)


def plan_files(desired, current):
    """{'write': [paths], 'delete': [paths]}: only files we own; contents compared as text."""
    def text(entry):
        content = entry['content']
        return content.decode('utf-8', 'replace') if isinstance(content, bytes) else content
    write = sorted(p for p, e in desired.items() if p not in current or text(current[p]) != text(e)
                   or (current[p].get('mode') is not None and current[p]['mode'] != e['mode']))
    delete = sorted(p for p in current if owned(p) and p not in desired)
    return {'write': write, 'delete': delete}


def client_of(path):
    return path[len('vhosts/'):-len('.conf')] if path.startswith('vhosts/') and path != ADMIN_VHOST else None


def vhost_name(path):
    """The name `opt-edge check` reports a vhost by (its file name): the client's, or _admin."""
    return path[len('vhosts/'):-len('.conf')] if is_vhost(path) else None


def is_vhost(path):
    """A vhost of ours (a client's or the back-office's): tested with nginx before it is applied."""
    return path == ADMIN_VHOST or client_of(path) is not None


def shown(path, content):
    """What a diff may show of a file: never the key."""
    if path == KEY:
        return '(private key, %d bytes, sha256 %s)' % (
            len(content), hashlib.sha256(content.encode('utf-8') if isinstance(content, str) else content).hexdigest()[:12])
    return content.decode('utf-8', 'replace') if isinstance(content, bytes) else content


def desired_container(name, image, volume, limits=None, log=None):
    """The edge container: host network, four capabilities, no-new-privileges, read-only root, bounded
    resources and log (``limits``/``log``: the inventory's, VALID)."""
    spec = {'name': name, 'image': image, 'volume': volume, 'network_mode': 'host', 'cap_add': CAPS,
            'restart': 'always', 'no_new_privileges': True, 'limits': _limits.limits_spec('edge', limits),
            'log': _limits.log_spec(log)}
    spec['hash'] = hashlib.sha256(json.dumps(spec, sort_keys=True).encode('utf-8')).hexdigest()
    return spec


def labels(spec=None):
    extra = {_naming.LABEL_ROLE: ROLE}
    if spec:
        extra[_naming.LABEL_HASH] = spec['hash']
    return _naming.managed_labels(**extra)


def parse_check(output, lang='en'):
    """{client: None (ok) or nginx's message} from `opt-edge check` output."""
    result = {}
    for line in (output or '').splitlines():
        parts = line.split(' ', 2)
        if len(parts) >= 2 and parts[0] in ('ok', 'fail'):
            result[parts[1]] = None if parts[0] == 'ok' else (
                parts[2] if len(parts) > 2 else msg('proxy_check_no_detail', lang))
    return result


def container_action(spec, observed):
    """What the edge container needs: create, recreate (its settings or its image moved on), start, none."""
    if observed is None:
        return 'create'
    if observed['hash'] != spec['hash'] or observed['image_stale']:
        return 'recreate'
    return 'start' if not observed['running'] else 'none'


def plan_actions(name, container, files):
    """The items of the answer's ``plan``: the container, then each file written or removed."""
    actions = [action(container, 'container %s' % name, None)] if container != 'none' else []
    actions += [action('write', '%s:%s' % (name, path), None) for path in files['write']]
    actions += [action('remove', '%s:%s' % (name, path), None) for path in files['delete']]
    return actions


def files_diff(files, current, desired):
    """One diff per file written or removed (the private key shown as its size and hash)."""
    return [diff_of(shown(p, current[p]['content']) if p in current else '',
                    shown(p, desired[p]['content']) if p in desired else '', p)
            for p in files['write'] + files['delete']]


def vhost_results(clients, domain, admin_url, files, refused):
    """(vhosts, admin): per client its host name and what happened to its vhost (written, removed,
    unchanged, refused), and the same of the back-office. ``refused``: {vhost name: nginx's message}."""
    vhosts = {}
    for entry in clients:
        path = vhost_path(entry['name'])
        done = 'refused' if entry['name'] in refused else 'written' if path in files['write'] else 'unchanged'
        vhosts[entry['name']] = {'host': '%s.%s' % (entry['subdomain'], domain), 'action': done}
    for path in files['delete']:
        if client_of(path):
            vhosts[client_of(path)] = {'host': None, 'action': 'removed'}
    admin = {'host': '%s.%s' % (ADMIN_SUBDOMAIN, domain) if admin_url else None,
             'action': 'refused' if refused.get(vhost_name(ADMIN_VHOST)) else 'written' if ADMIN_VHOST in files['write'] else
             'removed' if ADMIN_VHOST in files['delete'] else 'unchanged' if admin_url else 'absent'}
    vhosts.pop(vhost_name(ADMIN_VHOST), None)
    return vhosts, admin


def refused_errors(refused, domain, lang='en'):
    """The operator's lines of the vhosts nginx refused, the clients' first, then the back-office's."""
    admin = vhost_name(ADMIN_VHOST)
    errors = [msg('proxy_vhost_failed', lang, client=name, error=error)
              for name, error in sorted(refused.items()) if name != admin]
    if refused.get(admin):
        errors.append(msg('proxy_backoffice_failed', lang, host='%s.%s' % (ADMIN_SUBDOMAIN, domain),
                          error=refused[admin]))
    return errors
