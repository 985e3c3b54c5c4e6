# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A site's SSH host key as an operator checks it before pinning it. Pure, no Ansible.

``fingerprint`` prints what ``ssh-keygen -lf`` prints for the key (``SHA256:`` and the unpadded
base64 of the SHA-256 of the key blob), the text a site's administrator reads out on the phone.
``scanned_key`` picks the key of one type out of ``ssh-keyscan``'s output (``host type base64``
lines; comments start with ``#``) as the inventory's ``host_key`` carries it (``type base64``).
"""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.coaxis.opt.plugins.module_utils._configplan import parse_host_key


def fingerprint(host_key):
    """'SHA256:<base64, no padding>' of a '<type> <base64> [comment]' key, or None when malformed."""
    parsed = parse_host_key(host_key)
    if parsed is None:
        return None
    digest = hashlib.sha256(base64.b64decode(parsed[1])).digest()
    return 'SHA256:' + base64.b64encode(digest).decode('ascii').rstrip('=')


def scanned_key(output, key_type='ssh-ed25519'):
    """The first well-formed key of ``key_type`` in ssh-keyscan's output, as '<type> <base64>', or None."""
    text = output.decode('utf-8', 'replace') if isinstance(output, bytes) else str(output or '')
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or line.lstrip().startswith('#') or parts[1] != key_type:
            continue
        key = '%s %s' % (parts[1], parts[2])
        if parse_host_key(key) is not None:
            return key
    return None


def keyscan_argv(host, port, key_type='ed25519', timeout=5):
    """The ssh-keyscan command line of one site (bounded by ``timeout`` seconds)."""
    return ['ssh-keyscan', '-T', str(int(timeout)), '-t', key_type, '-p', str(int(port)), str(host)]
