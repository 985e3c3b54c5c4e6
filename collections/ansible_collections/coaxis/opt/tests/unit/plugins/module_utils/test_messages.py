# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The message catalog: every key in every language, with the same placeholders, and a clear
error for a language it does not have."""

from __future__ import annotations

import copy
import string
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.coaxis.opt.plugins.filter.inventory import opt_msg
from ansible_collections.coaxis.opt.plugins.filter.ipplan import opt_inventory_errors, opt_validate_clients
from ansible_collections.coaxis.opt.plugins.filter.report import opt_report_html, opt_report_json
from ansible_collections.coaxis.opt.plugins.module_utils import _messages
from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, MESSAGES, check_lang, msg


def placeholders(template):
    return sorted(set(field for _text, field, _spec, _conv in string.Formatter().parse(template) if field))


def catalog_problems(catalog, langs):
    """Every way ``catalog`` falls short: a language missing or extra, an empty text, placeholders
    that differ between the languages of one key, a placeholder msg() could not fill."""
    problems = []
    for key, entry in sorted(catalog.items()):
        if sorted(entry) != sorted(langs):
            problems.append('%s: languages %s, expected %s' % (key, sorted(entry), sorted(langs)))
        for lang in langs:
            if not (entry.get(lang) or '').strip():
                problems.append('%s: no %s text' % (key, lang))
        found = dict((lang, placeholders(entry[lang])) for lang in entry if entry[lang])
        if len(set(tuple(fields) for fields in found.values())) > 1:
            problems.append('%s: placeholders differ: %s' % (key, found))
        if any('lang' in fields for fields in found.values()):
            problems.append('%s: a placeholder named lang (it is msg()\'s own argument)' % key)
    return problems


def test_the_catalog_is_complete():
    assert catalog_problems(_messages.MESSAGES, _messages.LANGS) == []


@pytest.mark.parametrize('breakage, expected', [
    (lambda c: c['ip_invalid'].pop('fr'), "ip_invalid: languages ['en'], expected ['en', 'fr']"),
    (lambda c: c['ip_invalid'].update(fr='  '), 'ip_invalid: no fr text'),
    (lambda c: c['ip_invalid'].update(fr='{client} : {address} invalide'), 'ip_invalid: placeholders differ'),
    (lambda c: c['ip_invalid'].update(de='{client}: {ip} ist keine IPv4-Adresse'),
     "ip_invalid: languages ['de', 'en', 'fr']"),
])
def test_the_completeness_check_bites(monkeypatch, breakage, expected):
    """A catalog copy with one translation removed or broken: the check above must fail on it."""
    broken = copy.deepcopy(MESSAGES)
    breakage(broken)
    monkeypatch.setattr(_messages, 'MESSAGES', broken)
    with pytest.raises(AssertionError) as failure:
        test_the_catalog_is_complete()
    assert expected in str(failure.value)


def section_problems(sections, messages, langs):
    """Every way the sections fall short of grouping ``messages``: a key in no section or in two, a
    section key that is no message, a section without its title in every language."""
    problems = []
    placed = {}
    for section, entry in sections.items():
        if sorted(entry) != ['keys', 'title']:
            problems.append('%s: fields %s, expected keys and title' % (section, sorted(entry)))
        titles = entry.get('title') or {}
        if sorted(titles) != sorted(langs) or not all(str(title).strip() for title in titles.values()):
            problems.append('%s: titles %s, expected one in each of %s' % (section, titles, sorted(langs)))
        if not isinstance(entry.get('keys'), (tuple, list)) or not entry['keys']:
            problems.append('%s: keys must be a non-empty list' % section)
        for key in entry.get('keys') or ():
            placed.setdefault(key, []).append(section)
    problems += ['%s: in no section' % key for key in messages if key not in placed]
    problems += ['%s: in sections %s' % (key, ', '.join(where)) for key, where in placed.items() if len(where) > 1]
    problems += ['%s (section %s): not a message' % (key, where[0]) for key, where in placed.items()
                 if key not in messages]
    return problems


def test_every_key_is_in_exactly_one_section():
    assert section_problems(_messages.SECTIONS, MESSAGES, LANGS) == []


@pytest.mark.parametrize('breakage, expected', [
    (lambda s: s['network'].update(keys=s['network']['keys'][1:]), 'net_subnet_invalid: in no section'),
    (lambda s: s['lock'].update(keys=s['lock']['keys'] + ('ip_invalid',)), 'ip_invalid: in sections ipplan, lock'),
    (lambda s: s['lock'].update(keys=s['lock']['keys'] + ('lock_gone',)), 'lock_gone (section lock): not a message'),
    (lambda s: s['lock']['title'].pop('fr'), 'lock: titles'),
    (lambda s: s['lock'].update(keys=()), 'lock: keys must be a non-empty list'),
])
def test_the_section_check_bites(breakage, expected):
    broken = copy.deepcopy(_messages.SECTIONS)
    breakage(broken)
    assert expected in '\n'.join(section_problems(broken, MESSAGES, LANGS))


# The AWX side's texts (survey names and questions, awx/configure.yml's messages): a catalog of
# their own in the project, outside the collection, under the same rules.
AWX_TEXTS = Path(__file__).resolve().parents[8] / 'awx' / 'vars' / 'messages.yml'
needs_awx = pytest.mark.skipif(not AWX_TEXTS.is_file(), reason='the collection alone, without its project')


def awx_catalog():
    return yaml.safe_load(AWX_TEXTS.read_text(encoding='utf-8'))


@needs_awx
def test_the_awx_catalog_is_complete():
    catalog = awx_catalog()
    assert sorted(catalog) == ['awx_messages', 'awx_sections']
    assert catalog_problems(catalog['awx_messages'], LANGS) == []
    assert section_problems(catalog['awx_sections'], catalog['awx_messages'], LANGS) == []


@needs_awx
def test_no_key_or_section_in_both_catalogs():
    catalog = awx_catalog()
    assert sorted(set(catalog['awx_messages']) & set(MESSAGES)) == []
    assert sorted(set(catalog['awx_sections']) & set(_messages.SECTIONS)) == []


@pytest.mark.parametrize('key', sorted(MESSAGES))
def test_every_message_renders(key):
    values = dict((name, '<%s>' % name) for name in placeholders(MESSAGES[key]['en']))
    for lang in LANGS:
        text = msg(key, lang, **values)
        assert all(value in text for value in values.values())


def test_french():
    assert msg('ip_invalid', 'fr', client='acme', ip='x') == "acme : x n'est pas une adresse IPv4 valide"
    assert msg('ip_invalid', client='acme', ip='x') == 'acme: x is not a valid IPv4 address'


@pytest.mark.parametrize('lang', ['de', 'EN', '', None, 'en_US'])
def test_an_unknown_language_is_an_error_never_english(lang):
    expected = "unknown language %r: use one of en, fr / langue inconnue %r : utilisez en, fr" % (lang, lang)
    with pytest.raises(ValueError) as error:
        msg('ip_invalid', lang, client='acme', ip='x')
    assert str(error.value) == expected
    with pytest.raises(ValueError):
        check_lang(lang)


@pytest.mark.parametrize('render', [
    lambda lang: opt_msg('inventory_plan_valid', lang),
    lambda lang: opt_inventory_errors({}, {}, lang=lang),
    lambda lang: opt_validate_clients([], {'subnet': '10.128.0.0/16'}, lang=lang),
    lambda lang: opt_report_json([], lang),
    lambda lang: opt_report_html([], lang),
])
def test_filters_refuse_an_unknown_language_even_with_nothing_to_say(render):
    assert render('fr') is not None
    with pytest.raises(AnsibleFilterError, match=r"^opt_\w+: unknown language 'de': use one of en, fr"):
        render('de')


def test_opt_msg_names_a_wrong_key_or_a_missing_value():
    with pytest.raises(AnsibleFilterError, match='unknown message key nope'):
        opt_msg('nope', 'en')
    with pytest.raises(AnsibleFilterError, match='needs the value'):
        opt_msg('ip_invalid', 'fr', client='acme')


def test_no_message_sends_a_production_operator_to_the_repository_s_makefile():
    # The modules run on production hosts, where no `make images` (or any make target) exists.
    import re
    from ansible_collections.coaxis.opt.plugins.module_utils._messages import MESSAGES
    offenders = [key for key, texts in MESSAGES.items()
                 for text in texts.values() if re.search(r'\bmake (images|lab|demo|setup|test)\b', text)]
    assert offenders == []
