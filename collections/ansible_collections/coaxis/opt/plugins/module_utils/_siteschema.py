# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The contract of a mast site file (sites/<name>.json): fields, defaults, ranges, patterns.

One table, pure data. ``_configplan.py`` validates the inventory and writes the files with it;
mast (images/docker-opt/mast/config.py) ships in its own image and keeps its own copy, which
a unit test (tests/unit/test_site_contract.py) holds equal to this one. Change both together.
Every pattern is used with ``fullmatch`` (``$`` would accept a trailing newline).
"""

from __future__ import annotations

# Site and printer names: a file name stem and a label of mast's status.
NAME_PATTERN = r'[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?'
# A host name (an IPv4 address is checked apart, see IPV4_LIKE_PATTERN).
HOST_PATTERN = (r'(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                r'(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?')
# What looks like an IPv4 address must be one (no host name made of digits and dots).
IPV4_LIKE_PATTERN = r'[0-9.]+'
# The SSH user on the site.
USER_PATTERN = r'[a-z_][a-z0-9_.-]{0,31}'

# Inventory fields of a site with their defaults (None: no value, the field is optional).
SITE_DEFAULTS = {
    'port': 22, 'user': 'coaxis', 'upload_kbps': None, 'download_kbps': None,
    'keepalive_interval': 3, 'keepalive_count': 2, 'connect_timeout': 5, 'compression': False,
}
PRINTER_DEFAULTS = {'port': 9100}
PRINTER_FIELDS = ('name', 'address', 'port', 'listen_port')

# Integer fields of a site: (lowest, highest). The bandwidth limits may also be null (no limit).
SITE_INTS = {
    'port': (1, 65535),
    'upload_kbps': (1, 100000),
    'download_kbps': (1, 100000),
    'keepalive_interval': (1, 3600),
    'keepalive_count': (1, 100),
    'connect_timeout': (1, 300),
}
NULLABLE_INTS = ('upload_kbps', 'download_kbps')
PRINTER_INTS = {'port': (1, 65535), 'listen_port': (1024, 65535)}

# Fields of the written file that the inventory does not carry (mast's paths of the key files).
FILE_ONLY_DEFAULTS = {
    'identity_file': '/etc/mast/ssh/id_ed25519',
    'known_hosts': '/etc/mast/ssh/known_hosts',
}
