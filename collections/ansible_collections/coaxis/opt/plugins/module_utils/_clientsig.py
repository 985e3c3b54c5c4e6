# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The signature of X-OPT-Client: how the admin interface knows a request came through the
named client's own nginx. Pure; sign() and verify() need the standard library alone, so the
admin interface can copy this file as it is (or load it by path).

Each client's nginx sends, toward opt_admin_url, the headers

    X-OPT-Client: <client>
    X-OPT-Client-Signature: <hex HMAC-SHA256(secret, client)>

where ``secret`` is ONE vaulted value shared by the Docker hosts and the admin interface
(``opt_admin_signing_secret``). The signature is the per-client key: knowing acme's (its nginx.conf)
tells nothing of globex's, and the admin interface needs one secret to check every client. It is
a fixed token per client, not a per-request one: it proves the request passed through that
client's configuration, not that it is fresh. Give the admin interface an https:// URL to keep
it off the wire; change the secret to revoke every signature at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re

CLIENT_HEADER = 'X-OPT-Client'
SIGNATURE_HEADER = 'X-OPT-Client-Signature'
# A secret shorter than this is refused: the signatures are only as strong as it.
MIN_SECRET_LENGTH = 32
SIGNATURE_RE = re.compile(r'[0-9a-f]{64}')


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode('utf-8')


def sign(secret, client):
    """The hex HMAC-SHA256 of the client's name under the secret (64 lowercase hex digits)."""
    return hmac.new(_bytes(secret), _bytes(client), hashlib.sha256).hexdigest()


def verify(secret, client, signature):
    """Whether ``signature`` is the client's signature under ``secret`` (constant time).

    False for a missing secret, client or signature: no secret configured means no client is trusted.
    """
    if not secret or not client or not signature or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(secret, client), signature.strip().lower())


def signing_errors(admin_url, secret, lang='en'):
    """Inventory problems of the signing secret: required with an admin interface, long enough."""
    from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg
    if not admin_url:
        return []
    if not secret:
        return [msg('admin_secret_missing', lang, url=admin_url)]
    if len(_bytes(secret)) < MIN_SECRET_LENGTH:
        return [msg('admin_secret_short', lang, minimum=MIN_SECRET_LENGTH)]
    return []


def inventory_signing_errors(docker_hosts, hostvars, lang='en'):
    """signing_errors() of every Docker host of the inventory, each prefixed with the host's name
    (for the whole-inventory check: opt_admin_url and opt_admin_signing_secret are host variables)."""
    errors = []
    for host in docker_hosts:
        host_vars = hostvars[host]
        errors.extend('%s: %s' % (host, problem) for problem in signing_errors(
            host_vars.get('opt_admin_url'), host_vars.get('opt_admin_signing_secret'), lang))
    return errors


def mask(text):
    """Text with every signature header value replaced by a placeholder (diff mode, logs)."""
    pattern = re.compile(r'(%s\s+)([0-9a-f]{64})' % re.escape(SIGNATURE_HEADER))
    return pattern.sub(lambda m: '%s<signature: sha256 %s>' % (
        m.group(1), hashlib.sha256(m.group(2).encode()).hexdigest()[:12]), text)
