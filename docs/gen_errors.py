#!/usr/bin/env python3
"""Write the error reference of the operator guide from the message catalog.

    python docs/gen_errors.py            write docs/en/errors.md and docs/fr/erreurs.md
    python docs/gen_errors.py --check    exit 1 when they are stale, or when a catalog section
                                         has no explanation in docs/errors_help.toml

Every key of both catalogs is listed with its text and placeholders: the AWX side's texts
(awx/vars/messages.yml: awx_sections, awx_messages), then the collection's catalog
(collections/ansible_collections/coaxis/opt/plugins/module_utils/_messages.py: SECTIONS, MESSAGES),
grouped by their sections (each section's id, its title in English and in French, its keys in
order). Each section is introduced by the paragraph docs/errors_help.toml gives for its id, in
English and in French.

The standard library, PyYAML (the venv's python) and the catalog module itself.
"""

from __future__ import annotations

import argparse
import difflib
import re
import string
import sys
import tomllib
import types
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
COLLECTIONS = ROOT / 'collections'
CATALOG = COLLECTIONS / 'ansible_collections' / 'coaxis' / 'opt' / 'plugins' / 'module_utils' / '_messages.py'
AWX_TEXTS = ROOT / 'awx' / 'vars' / 'messages.yml'
HELP = DOCS / 'errors_help.toml'
PAGES = {'en': DOCS / 'en' / 'errors.md', 'fr': DOCS / 'fr' / 'erreurs.md'}
OTHER_LANG = {'en': 'fr', 'fr': 'en'}
# French puts a space before a colon, as the catalog does.
COLON = {'en': ': ', 'fr': ' : '}


def load_catalog():
    """The catalog module, imported from this repository's collection (never an installed copy)."""
    from ansible_collections.coaxis.opt.plugins.module_utils import _messages
    if Path(_messages.__file__).resolve() != CATALOG.resolve():
        raise SystemExit('gen_errors.py: imported %s, expected %s' % (_messages.__file__, CATALOG))
    return _messages


def load_awx_texts():
    """The AWX side's texts (awx/vars/messages.yml) in the catalog module's shape."""
    data = yaml.safe_load(AWX_TEXTS.read_text(encoding='utf-8'))
    return types.SimpleNamespace(SECTIONS=data['awx_sections'], MESSAGES=data['awx_messages'])


def sections_of(catalog):
    """[(id, {'en': title, 'fr': title}, [key, ...]), ...] in catalog order, from its SECTIONS."""
    return [(section, dict(entry['title']), list(entry['keys'])) for section, entry in catalog.SECTIONS.items()]


def shown(template):
    """The message as the operator reads it, each placeholder shown as {name} ('{name}' when the
    catalog quotes the value with !r)."""
    out = []
    for literal, field, _spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(("'{%s}'" if conversion == 'r' else '{%s}') % field)
    return ''.join(out)


def code(text):
    """``text`` as a Markdown code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r'`+', text)), default=0)
    fence = '`' * (longest + 1)
    pad = ' ' if text.startswith('`') or text.endswith('`') else ''
    return '%s%s%s%s%s' % (fence, pad, text, pad, fence)


def slug(heading):
    """The anchor GitHub gives a heading (lowercase, punctuation dropped, spaces to dashes)."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def problems_of(sections, messages, help_data):
    """What --check reports besides staleness: a key in no section or in two, a section without its
    title or explanation, a key without text."""
    problems = []
    explained = help_data.get('sections', {})
    placed = {}
    for section, titles, keys in sections:
        for key in keys:
            placed.setdefault(key, []).append(section)
            if key not in messages:
                problems.append('section %s of the message catalog lists %s, which MESSAGES does not have'
                                % (section, key))
        for lang in ('en', 'fr'):
            if not str(titles.get(lang) or '').strip():
                problems.append('section %s of the message catalog has no %s title (SECTIONS)' % (section, lang))
        entry = explained.get(section) or {}
        missing = [lang for lang in ('en', 'fr') if not str(entry.get(lang) or '').strip()]
        if missing:
            problems.append('section %s of the message catalog (%d key(s)) lacks %s in %s: add\n'
                            '    [sections.%s]\n    en = \'\'\'…\'\'\'\n    fr = \'\'\'…\'\'\'\n'
                            'saying what these errors mean and what to do'
                            % (section, len(keys), ' and '.join(missing), HELP.relative_to(ROOT), section))
        for key in keys:
            for lang in ('en', 'fr'):
                if key in messages and not str(messages[key].get(lang) or '').strip():
                    problems.append('message %s has no %s text in the catalog' % (key, lang))
    for key in messages:
        if key not in placed:
            problems.append('message %s is in no section of the catalog: add it to the SECTIONS entry of its area'
                            % key)
    for key, where in placed.items():
        if len(where) > 1:
            problems.append('message %s is in several sections of the catalog: %s' % (key, ', '.join(where)))
    ids = [section for section, _titles, _keys in sections]
    for section in explained:
        if section not in ids:
            problems.append('%s explains the section %s, which the message catalog no longer has '
                            '(renamed? move its text to the new id)' % (HELP.relative_to(ROOT), section))
    for lang in ('en', 'fr'):
        page = help_data.get('page', {}).get(lang, {})
        for field in ('language', 'title', 'intro', 'sections', 'back'):
            if not str(page.get(field) or '').strip():
                problems.append('%s: [page.%s] lacks %s' % (HELP.relative_to(ROOT), lang, field))
    return problems


def render(lang, sections, messages, help_data):
    page = help_data['page'][lang]
    other = OTHER_LANG[lang]
    explained = help_data.get('sections', {})
    lines = [
        '<!-- Generated by docs/gen_errors.py from the message catalogs (%s, %s) and docs/errors_help.toml:'
        % (AWX_TEXTS.relative_to(ROOT), CATALOG.relative_to(ROOT)),
        '     edit those, then run `python3 docs/gen_errors.py`. -->',
        '[%s](../%s/%s) · [%s](index.md)' % (help_data['page'][other]['language'], other, PAGES[other].name,
                                             page['back']),
        '',
        '# %s' % page['title'],
        '',
        page['intro'].strip(),
        '',
        '## %s' % page['sections'],
        '',
    ]
    for _section, titles, _keys in sections:
        lines.append('- [%s](#%s)' % (titles[lang], slug(titles[lang])))
    for section, titles, keys in sections:
        entry = explained.get(section, {})
        lines += ['', '## %s' % titles[lang], '', (entry.get(lang) or '').strip(), '']
        for key in keys:
            template = messages[key].get(lang) or messages[key]['en']
            lines.append('- %s%s%s' % (code(key), COLON[lang], code(shown(template))))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='change nothing; exit 1 when the pages are stale or a section lacks its explanation')
    args = parser.parse_args(argv)

    catalogs = [load_awx_texts(), load_catalog()]
    sections = [section for catalog in catalogs for section in sections_of(catalog)]
    messages = {}
    for catalog in catalogs:
        twice = sorted(set(messages) & set(catalog.MESSAGES))
        if twice:
            print('gen_errors.py: key(s) in both catalogs: %s' % ', '.join(twice), file=sys.stderr)
            return 1
        messages.update(catalog.MESSAGES)
    with HELP.open('rb') as handle:
        help_data = tomllib.load(handle)
    problems = problems_of(sections, messages, help_data)
    if problems:
        for problem in problems:
            print('gen_errors.py: ' + problem, file=sys.stderr)
        if not args.check:
            print('gen_errors.py: nothing written', file=sys.stderr)
        return 1

    stale = []
    for lang, path in PAGES.items():
        text = render(lang, sections, messages, help_data)
        current = path.read_text(encoding='utf-8') if path.exists() else ''
        if current == text:
            continue
        if args.check:
            stale.append(path)
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), str(path.relative_to(ROOT)),
                                        'generated', lineterm='', n=1)
            print('\n'.join(list(diff)[:40]), file=sys.stderr)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding='utf-8')
            print('wrote %s' % path.relative_to(ROOT))
    if stale:
        print('gen_errors.py: stale: %s; run python3 docs/gen_errors.py and commit the result'
              % ', '.join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        return 1
    if args.check:
        print('gen_errors.py: %s up to date (%d sections, %d messages)'
              % (' and '.join(str(p.relative_to(ROOT)) for p in PAGES.values()), len(sections),
                 sum(len(k) for _s, _t, k in sections)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
