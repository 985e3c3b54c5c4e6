"""The French catalogs are complete and current: ``problems()`` reports every template text not
marked for translation, then runs makemessages on a copy of portal/ and reports every msgid
without a French text, every fuzzy one, every catalog whose msgids differ from the committed one
(stale: run makemessages as UPDATE below says), and every msgid two catalogs translate differently.

Layout: each app keeps its strings in portal/<app>/locale/fr/LC_MESSAGES/django.po (an app
without a locale/ folder falls to the project's), templates/ and opt_portal/ in
portal/locale/fr/LC_MESSAGES/django.po.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CATALOG = Path("fr") / "LC_MESSAGES" / "django.po"
UPDATE = ("cd portal && PYTHONPATH=../collections PORTAL_TESTING=1 ../.venv/bin/python manage.py "
          "makemessages -l fr --no-location --no-obsolete")


def _unquote(text):
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    out, chars = [], iter(text[1:-1])
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    for char in chars:
        out.append(escapes.get(next(chars, ""), "") if char == "\\" else char)
    return "".join(out)


def parse(path):
    """[(msgctxt, msgid, [msgstr...], fuzzy)] of the active (not obsolete) entries of a .po file."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append((entry.get("msgctxt"), entry["msgid"],
                            [entry[k] for k in sorted(entry) if k.startswith("msgstr")], entry["fuzzy"]))

    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            flush()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line[2:].split(",") or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in entry and keyword != "msgid":
                flush()
                entry = {"fuzzy": False}
            field = keyword
            entry[field] = _unquote(rest)
    return entries


# Words a template may show untranslated: names and unit symbols, the same in every language.
# Anything else meant to stay as it is (a command, Ansible's own words) goes in <code> or <pre>,
# or in an element with HTML's translate="no".
NAMES = {"Coaxis", "OPT", "ms", "KB", "MB", "GB"}
_BLOCK_RE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
_VERBATIM_RE = re.compile(r"<(code|pre|script|style)\b.*?</\1\s*>|<(\w+)\b[^>]*\btranslate=\"no\"[^>]*>.*?</\2\s*>",
                          re.S | re.I)
_TAG_RE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<!--.*?-->|<[^>]*>", re.S)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def literal_words(text):
    """The words of a template shown outside translate/blocktranslate (and outside code, pre,
    script, style and translate="no" elements): each is English only."""
    for pattern in (_BLOCK_RE, _VERBATIM_RE, _TAG_RE):
        text = pattern.sub(" ", text)
    text = re.sub(r"&[#\w]+;", " ", text)
    return [word for word in _WORD_RE.findall(text) if word not in NAMES]


def template_problems(portal_dir):
    """Every template whose text shows words that are not marked for translation."""
    found = []
    for path in sorted(Path(portal_dir).rglob("*.html")):
        if "templates" not in path.parts:
            continue
        words = literal_words(path.read_text(encoding="utf-8"))
        if words:
            found.append(f"{path.relative_to(portal_dir)}: text not marked for translation: {' '.join(words)}")
    return found


def _environment(copy):
    env = dict(os.environ)
    portal = Path(__file__).resolve().parent.parent
    env.update({"DJANGO_SETTINGS_MODULE": "opt_portal.settings", "PORTAL_TESTING": "1",
                "PORTAL_PROJECT_DIR": env.get("PORTAL_PROJECT_DIR", str(portal.parent)),
                "PORTAL_DATA_DIR": str(copy.parent / "data")})
    return env


def problems(portal_dir):
    """Every problem of the French catalogs of portal_dir (a list of lines; empty when all is well)."""
    portal_dir = Path(portal_dir)
    found = template_problems(portal_dir)
    with tempfile.TemporaryDirectory(prefix="portal-messages-") as tmp:
        copy = Path(tmp) / "portal"
        shutil.copytree(portal_dir, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "*.pyc"))
        run = subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
                             cwd=copy, env=_environment(copy), capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            return [f"makemessages failed: {run.stderr.strip() or run.stdout.strip()}"]
        translations = {}
        for fresh in sorted(copy.rglob(str(Path("locale") / CATALOG))):
            relative = fresh.relative_to(copy)
            committed = portal_dir / relative
            new_entries = [e for e in parse(fresh) if e[1]]
            for context, msgid, msgstrs, fuzzy in new_entries:
                where = f"{relative}: {msgid!r}" + (f" (context {context!r})" if context else "")
                if fuzzy:
                    found.append(f"{where}: fuzzy")
                elif not all(msgstrs):
                    found.append(f"{where}: no French text")
            for context, msgid, msgstrs, fuzzy in new_entries:
                translations.setdefault((context, msgid), {})[str(relative)] = tuple(msgstrs)
            if not committed.exists():
                found.append(f"{relative}: not committed (run: {UPDATE})")
                continue
            old = {(e[0], e[1]) for e in parse(committed) if e[1]}
            new = {(e[0], e[1]) for e in new_entries}
            for context, msgid in sorted(old - new, key=str):
                found.append(f"{relative}: {msgid!r} is no longer used (stale catalog: run: {UPDATE})")
            for context, msgid in sorted(new - old, key=str):
                found.append(f"{relative}: {msgid!r} is missing from the committed catalog (run: {UPDATE})")
    # gettext merges every catalog into one: a msgid translated two ways shows one of them
    # everywhere (the project's catalog first, then the apps in INSTALLED_APPS order).
    for (context, msgid), where in sorted(translations.items(), key=str):
        if len({texts for texts in where.values() if all(texts)}) > 1:
            ways = "; ".join(f"{catalog}: {' | '.join(texts)!r}" for catalog, texts in sorted(where.items()))
            found.append(f"{msgid!r}" + (f" (context {context!r})" if context else "")
                         + f" is translated differently in two catalogs ({ways}): gettext shows one of them "
                         "everywhere; use one translation, or a context (pgettext) for each meaning")
    return found
