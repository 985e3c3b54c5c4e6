#!/usr/bin/env python3
"""Write the error reference of the operator guide from the message catalog.

    python3 docs/gen_errors.py           write docs/en/errors.md and docs/fr/erreurs.md
    python3 docs/gen_errors.py --check   exit 1 when they are stale, or when a catalog section
                                         has no explanation in docs/errors_help.toml

Every key of MESSAGES (collections/ansible_collections/coaxis/opt/plugins/module_utils/_messages.py)
is listed with its text and placeholders, grouped by the catalog's sections: the
``# --- <title> ---`` comments inside MESSAGES (``# --- end of … ---`` closes one). Keys outside
any section are grouped under the section ``other``. Each section is introduced by the
paragraph docs/errors_help.toml gives for its title, in English and in French.

Standard library only, plus the catalog module itself.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import re
import string
import sys
import tokenize
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
COLLECTIONS = ROOT / 'collections'
CATALOG = COLLECTIONS / 'ansible_collections' / 'coaxis' / 'opt' / 'plugins' / 'module_utils' / '_messages.py'
HELP = DOCS / 'errors_help.toml'
PAGES = {'en': DOCS / 'en' / 'errors.md', 'fr': DOCS / 'fr' / 'erreurs.md'}
OTHER_LANG = {'en': 'fr', 'fr': 'en'}
# French puts a space before a colon, as the catalog does.
COLON = {'en': ': ', 'fr': ' : '}
# The section of keys written outside any "# --- … ---" block of MESSAGES.
OTHER = 'other'

SECTION_RE = re.compile(r'^#\s*-{3,}\s*(?P<title>.*?)\s*-*\s*$')
END_RE = re.compile(r'^end\b', re.IGNORECASE)


def load_catalog():
    """The catalog module, imported from this repository's collection (never an installed copy)."""
    from ansible_collections.coaxis.opt.plugins.module_utils import _messages
    if Path(_messages.__file__).resolve() != CATALOG.resolve():
        raise SystemExit('gen_errors.py: imported %s, expected %s' % (_messages.__file__, CATALOG))
    return _messages


def sections_of(source, keys):
    """[(title, [key, ...]), ...] in catalog order, from the comments inside MESSAGES.

    source: the text of _messages.py; keys: the keys of MESSAGES. A key that is not a string literal
    of the MESSAGES dict (added by a ** spread or by code) falls in the section "other".
    """
    tree = ast.parse(source)
    node = next(n.value for n in ast.walk(tree)
                if isinstance(n, (ast.Assign, ast.AnnAssign)) and isinstance(n.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == 'MESSAGES'
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])))
    events = []  # (line, kind, value)
    for key in node.keys:
        # A key written as a string literal; anything else (a ** spread, a computed key) is placed in
        # the section "other" below, from the module's MESSAGES itself.
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in keys:
            events.append((key.lineno, 'key', key.value))
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and node.lineno <= tok.start[0] <= node.end_lineno:
            match = SECTION_RE.match(tok.string)
            if match and match.group('title'):
                title = match.group('title')
                events.append((tok.start[0], 'end' if END_RE.match(title) else 'section', title))
    events.sort(key=lambda e: e[0])
    order, grouped, current = [], {}, None
    for _line, kind, value in events:
        if kind == 'section':
            current = value
        elif kind == 'end':
            current = None
        else:
            title = current or OTHER
            if title not in grouped:
                order.append(title)
                grouped[title] = []
            grouped[title].append(value)
    found = set(k for title in order for k in grouped[title])
    elsewhere = [k for k in keys if k not in found]
    if elsewhere:
        if OTHER not in grouped:
            order.append(OTHER)
            grouped[OTHER] = []
        grouped[OTHER].extend(elsewhere)
    return [(title, grouped[title]) for title in order]


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


def heading_text(title):
    return title[:1].upper() + title[1:]


def problems_of(sections, messages, help_data):
    """What --check reports besides staleness: sections without explanation, keys without text."""
    problems = []
    explained = help_data.get('sections', {})
    for title, keys in sections:
        entry = explained.get(title) or {}
        missing = [field for field in ('title_fr', 'en', 'fr') if not str(entry.get(field) or '').strip()]
        if missing:
            what = ('keys written outside any "# --- <title> ---" block of MESSAGES, better put in one: %s; '
                    % ', '.join(keys) if title == OTHER else '')
            problems.append('section "%s" of the message catalog (%s%d key(s)) lacks %s in %s: add\n'
                            '    [sections."%s"]\n    title_fr = "…"\n    en = \'\'\'…\'\'\'\n    fr = \'\'\'…\'\'\'\n'
                            'saying what these errors mean and what to do'
                            % (title, what, len(keys), ' and '.join(missing), HELP.relative_to(ROOT), title))
        for key in keys:
            for lang in ('en', 'fr'):
                if not str(messages[key].get(lang) or '').strip():
                    problems.append('message %s has no %s text in the catalog' % (key, lang))
    titles = [title for title, _ in sections]
    for title in explained:
        if title not in titles:
            problems.append('%s explains the section "%s", which the message catalog no longer has '
                            '(renamed? move its text to the new title)' % (HELP.relative_to(ROOT), title))
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
        '<!-- Generated by docs/gen_errors.py from the message catalog (%s) and docs/errors_help.toml:'
        % CATALOG.relative_to(ROOT),
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
    titles = []
    for title, _keys in sections:
        entry = explained.get(title, {})
        text = heading_text(entry.get('title_en') or title) if lang == 'en' else entry.get('title_fr') or title
        titles.append(text)
        lines.append('- [%s](#%s)' % (text, slug(text)))
    for (title, keys), text in zip(sections, titles):
        entry = explained.get(title, {})
        lines += ['', '## %s' % text, '', (entry.get(lang) or '').strip(), '']
        for key in keys:
            template = messages[key].get(lang) or messages[key]['en']
            lines.append('- %s%s%s' % (code(key), COLON[lang], code(shown(template))))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='change nothing; exit 1 when the pages are stale or a section lacks its explanation')
    args = parser.parse_args(argv)

    catalog = load_catalog()
    sections = sections_of(CATALOG.read_text(encoding='utf-8'), list(catalog.MESSAGES))
    with HELP.open('rb') as handle:
        help_data = tomllib.load(handle)
    problems = problems_of(sections, catalog.MESSAGES, help_data)
    if problems:
        for problem in problems:
            print('gen_errors.py: ' + problem, file=sys.stderr)
        if not args.check:
            print('gen_errors.py: nothing written', file=sys.stderr)
        return 1

    stale = []
    for lang, path in PAGES.items():
        text = render(lang, sections, catalog.MESSAGES, help_data)
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
                 sum(len(k) for _, k in sections)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
