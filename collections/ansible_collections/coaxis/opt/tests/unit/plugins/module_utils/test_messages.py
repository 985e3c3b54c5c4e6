# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import string

import pytest

from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, MESSAGES, msg


def placeholders(template):
    return sorted(set(field for _text, field, _spec, _conv in string.Formatter().parse(template) if field))


@pytest.mark.parametrize('key', sorted(MESSAGES))
def test_every_key_has_every_language_with_same_placeholders(key):
    entry = MESSAGES[key]
    assert sorted(entry) == sorted(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert placeholders(entry['en']) == placeholders(entry['fr'])


@pytest.mark.parametrize('key', sorted(MESSAGES))
def test_every_message_renders(key):
    values = dict((name, '<%s>' % name) for name in placeholders(MESSAGES[key]['en']))
    for lang in LANGS:
        text = msg(key, lang, **values)
        assert all(value in text for value in values.values())


def test_french_and_fallback():
    assert msg('ip_invalid', 'fr', client='acme', ip='x') == "acme : x n'est pas une adresse IPv4 valide"
    assert msg('ip_invalid', 'de', client='acme', ip='x') == 'acme: x is not a valid IPv4 address'
