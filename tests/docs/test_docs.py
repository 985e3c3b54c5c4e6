"""The operator guide (docs/en, docs/fr) against the repository: the error reference is up to date,
both languages have the same pages and structure, every playbook is documented in both, every
relative link resolves, and every command shown names a playbook and variables that exist."""
import importlib.util
import re
import shlex
import subprocess
import types
from pathlib import Path

import pytest
import yaml

from lab import guide

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LANGS = ("en", "fr")
OTHER = {"en": "fr", "fr": "en"}

FENCE_RE = re.compile(r"^\s*(```|~~~)")
HEADING_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1", re.S)
LINK_RE = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
PLAYBOOK_RE = re.compile(r"^(?:playbooks/)?([\w-]+\.yml)$")


def pages(lang):
    return sorted((DOCS / lang).glob("*.md"))


def split_markdown(text):
    """(prose lines, fenced code blocks) of a Markdown text; prose keeps its line numbers."""
    prose, blocks, block = [], [], None
    for line in text.splitlines():
        if FENCE_RE.match(line):
            if block is None:
                block = []
            else:
                blocks.append(block)
                block = None
            prose.append("")
            continue
        if block is not None:
            block.append(line)
            prose.append("")
        else:
            prose.append(line)
    return prose, blocks


def without_code_spans(line):
    return CODE_SPAN_RE.sub("", line)


def headings(path):
    prose, _ = split_markdown(path.read_text(encoding="utf-8"))
    found = []
    for line in prose:
        match = HEADING_RE.match(line)
        if match:
            found.append(CODE_SPAN_RE.sub(lambda m: m.group(2), match.group(2)))
    return found


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    seen, result = {}, set()
    for heading in headings(path):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else "%s-%d" % (base, count))
    return result


def links(path):
    """(line number, target) of every Markdown link outside code."""
    prose, _ = split_markdown(path.read_text(encoding="utf-8"))
    return [(number, match.group(1)) for number, line in enumerate(prose, 1)
            for match in LINK_RE.finditer(without_code_spans(line))]


def counterpart(path):
    """The page in the other language: the first link of the page into ../<other>/."""
    lang = path.parent.name
    for _number, target in links(path):
        if target.startswith("../%s/" % OTHER[lang]):
            return (path.parent / target.split("#")[0]).resolve()
    return None


# --- the error reference ---------------------------------------------------------------------

def test_the_error_reference_is_up_to_date():
    # As make docs runs it: the checkout's venv python, whose coaxis-opt.pth names this checkout's collection.
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(DOCS / "gen_errors.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_errors", DOCS / "gen_errors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_catalog(sections, messages):
    """A catalog module's shape: its SECTIONS and MESSAGES."""
    return types.SimpleNamespace(SECTIONS=sections, MESSAGES=messages)


HELP_PAGE = {lang: {"language": "x", "title": "x", "intro": "x", "sections": "x", "back": "x"} for lang in LANGS}


def test_a_new_section_or_a_key_outside_sections_needs_an_explanation():
    gen = load_generator()
    messages = {"a": {"en": "a {x}", "fr": "a {x}"}, "b": {"en": "b", "fr": "b"}, "c": {"en": "c", "fr": ""},
                "d": {"en": "d", "fr": "d"}}
    catalog = sample_catalog({
        "engine": {"title": {"en": "Engine access", "fr": "Accès au moteur"}, "keys": ("a", "d")},
        "survey": {"title": {"en": "Surveys", "fr": ""}, "keys": ("b", "c", "d")},
    }, messages)
    sections = gen.sections_of(catalog)
    assert sections == [("engine", {"en": "Engine access", "fr": "Accès au moteur"}, ["a", "d"]),
                        ("survey", {"en": "Surveys", "fr": ""}, ["b", "c", "d"])]
    help_data = {"page": HELP_PAGE,
                 "sections": {"engine": {"en": "x", "fr": "x"}, "survey": {"en": "x"}, "gone": {"en": "x", "fr": "x"}}}
    problems = "\n".join(gen.problems_of(sections, dict(messages, e={"en": "e", "fr": "e"}), help_data))
    assert "section survey of the message catalog (3 key(s)) lacks fr" in problems
    assert "section survey of the message catalog has no fr title" in problems
    assert "message c has no fr text" in problems
    assert "message e is in no section" in problems
    assert "message d is in several sections of the catalog: engine, survey" in problems
    assert "explains the section gone, which the message catalog no longer has" in problems
    assert "section engine " not in problems


def test_the_sections_come_from_the_catalog_s_data_in_its_order():
    gen = load_generator()
    catalog = sample_catalog({
        "routes": {"title": {"en": "Routes", "fr": "Routes"}, "keys": ("b",)},
        "survey": {"title": {"en": "Surveys", "fr": "Questionnaires"}, "keys": ("a",)},
    }, {"a": {"en": "a", "fr": "a"}, "b": {"en": "b", "fr": "b"}})
    sections = gen.sections_of(catalog)
    assert [(section, keys) for section, _titles, keys in sections] == [("routes", ["b"]), ("survey", ["a"])]
    help_data = {"page": HELP_PAGE,
                 "sections": {"routes": {"en": "R.", "fr": "R."}, "survey": {"en": "S.", "fr": "S."}}}
    page = gen.render("fr", sections, catalog.MESSAGES, help_data)
    assert page.index("## Routes") < page.index("## Questionnaires") and "- [Questionnaires](#questionnaires)" in page


def test_the_generated_pages_list_every_message_key():
    gen = load_generator()
    keys = list(gen.load_catalog().MESSAGES) + list(gen.load_awx_texts().MESSAGES)
    for path in (DOCS / "en" / "errors.md", DOCS / "fr" / "erreurs.md"):
        text = path.read_text(encoding="utf-8")
        missing = [key for key in keys if "- `%s`" % key not in text]
        assert not missing, (path, missing)


# --- both languages --------------------------------------------------------------------------

def test_each_page_has_its_counterpart_in_the_other_language():
    problems = []
    for lang in LANGS:
        for path in pages(lang):
            other = counterpart(path)
            if other is None:
                problems.append("%s: no link to its page in docs/%s/" % (path.relative_to(ROOT), OTHER[lang]))
            elif not other.is_file():
                problems.append("%s: its counterpart %s does not exist" % (path.relative_to(ROOT), other))
            elif counterpart(other) != path.resolve():
                problems.append("%s links to %s, which does not link back" % (path.relative_to(ROOT),
                                                                              other.relative_to(ROOT)))
    assert not problems, "\n".join(problems)
    assert len(pages("en")) == len(pages("fr"))


@pytest.mark.parametrize("page", pages("en"), ids=lambda p: p.name)
def test_both_languages_have_the_same_number_of_headings(page):
    other = counterpart(page)
    assert other is not None and other.is_file(), page
    ours, theirs = headings(page), headings(other)
    assert len(ours) == len(theirs), "%s has %d headings, %s has %d:\n%s\n---\n%s" % (
        page.name, len(ours), other.name, len(theirs), "\n".join(ours), "\n".join(theirs))


def test_both_languages_have_the_same_heading_levels():
    for page in pages("en"):
        levels = [len(m.group(1)) for line in split_markdown(page.read_text(encoding="utf-8"))[0]
                  for m in [HEADING_RE.match(line)] if m]
        other = counterpart(page)
        theirs = [len(m.group(1)) for line in split_markdown(other.read_text(encoding="utf-8"))[0]
                  for m in [HEADING_RE.match(line)] if m]
        assert levels == theirs, (page.name, other.name)


@pytest.mark.parametrize("lang", LANGS)
def test_every_playbook_is_in_the_guide(lang):
    text = "\n".join(path.read_text(encoding="utf-8") for path in pages(lang))
    missing = [p.name for p in sorted((ROOT / "playbooks").glob("*.yml"))
               if not re.search(r"(?<![\w-])%s" % re.escape(p.name), text)]
    assert not missing, "docs/%s does not mention %s" % (lang, ", ".join(missing))


# --- links -----------------------------------------------------------------------------------

def test_every_relative_link_resolves():
    problems = []
    for path in sorted(DOCS.rglob("*.md")):
        for number, target in links(path):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path.resolve()
            where = "%s:%d: %s" % (path.relative_to(ROOT), number, target)
            if not dest.exists():
                problems.append(where + " does not exist")
            elif ROOT not in dest.parents and dest != ROOT:
                problems.append(where + " leaves the repository")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                problems.append(where + " names no heading of %s" % dest.name)
    assert not problems, "\n".join(problems)


# --- commands --------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """YAML of the repository, ignoring Ansible's tags (!vault)."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def load_yaml(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def identifiers(text):
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", text)
    return set(re.findall(r"[A-Za-z_]\w*", text))


def inventory_variables():
    names = set()
    for path in (ROOT / "inventories").glob("*/*_vars/**/*.yml"):
        data = load_yaml(path)
        if isinstance(data, dict):
            names.update(data)
    return names


def playbook_variables(playbook):
    """Every variable a run of ``playbook`` reads: its Jinja expressions and conditions, its vars,
    and those of the task files, roles and playbooks it pulls in; plus the inventories' variables."""
    names = inventory_variables()
    seen = set()

    def role(name):
        folder = ROOT / "roles" / name
        for path in sorted(folder.rglob("*.yml")):
            visit(path)
        defaults = folder / "defaults" / "main.yml"
        if defaults.is_file():
            names.update(load_yaml(defaults) or {})
        specs = folder / "meta" / "argument_specs.yml"
        if specs.is_file():
            for spec in (load_yaml(specs) or {}).get("argument_specs", {}).values():
                names.update(spec.get("options") or {})

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                short = str(key).rsplit(".", 1)[-1]
                if short in ("when", "that", "changed_when", "failed_when", "until"):
                    for item in value if isinstance(value, list) else [value]:
                        names.update(identifiers(str(item)))
                elif short == "vars" and isinstance(value, dict):
                    names.update(value)
                elif short in ("import_role", "include_role") and isinstance(value, dict):
                    role(value["name"])
                elif short in ("import_tasks", "include_tasks", "import_playbook"):
                    visit(path.parent / (value if isinstance(value, str) else value["file"]))
                walk(value, path)
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    def visit(path):
        if path in seen:
            return
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        for expression in re.findall(r"\{\{(.*?)\}\}", text, re.S):
            names.update(identifiers(expression))
        walk(load_yaml(path), path)

    visit(playbook)
    return names


def allowed_values(playbook):
    """{variable: allowed values} the playbook or its roles state, for the command checks."""
    values = {}
    if playbook.name == "tunnel.yml":
        actions = set(load_yaml(playbook)[0]["vars"]["tunnel_actions"])
        values.update(tunnel_action=actions, action=actions)
    if playbook.name == "routes.yml":
        specs = load_yaml(ROOT / "roles" / "coaxis_route" / "meta" / "argument_specs.yml")
        values["state"] = set(specs["argument_specs"]["main"]["options"]["coaxis_route_state"]["choices"])
    if playbook.name == "remove_client.yml":
        values["purge"] = {"true", "false"}
    return values


def commands():
    """(where, text) of every ansible-playbook command shown in docs/: lines of code blocks and code
    spans that call ansible-playbook, and code spans that start with a playbook and its options."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        prose, blocks = split_markdown(path.read_text(encoding="utf-8"))
        for block in blocks:
            joined = "\n".join(block).replace("\\\n", " ")
            found += [(path, line) for line in joined.splitlines() if "ansible-playbook" in line]
        for match in CODE_SPAN_RE.finditer("\n".join(prose)):
            span = " ".join(match.group(2).split())
            tokens = span.split(" ")
            if "ansible-playbook" in span and any(PLAYBOOK_RE.match(t) for t in tokens):
                found.append((path, span))
            elif PLAYBOOK_RE.match(tokens[0]) and " -" in span \
                    and (ROOT / "playbooks" / PLAYBOOK_RE.match(tokens[0]).group(1)).is_file():
                found.append((path, span))
    return found


# ansible-playbook options the guide may use, and whether each takes a value.
OPTIONS = {"-i": True, "--inventory": True, "-e": True, "--extra-vars": True, "-l": True, "--limit": True,
           "--check": False, "-C": False, "--diff": False, "-D": False, "--vault-id": True,
           "--vault-password-file": True, "--ask-vault-pass": False, "-J": False, "--syntax-check": False,
           "--list-tasks": False, "-v": False, "-vv": False, "-vvv": False}


def check_command(text):
    """The problems of one command line."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        return ["cannot parse: %s" % exc]
    if any(Path(t).name == "ansible-playbook" for t in tokens):
        tokens = tokens[[Path(t).name for t in tokens].index("ansible-playbook") + 1:]
    problems, playbook, extra = [], None, []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith("-"):
            if token not in OPTIONS:
                problems.append("unknown ansible-playbook option %s" % token)
            elif OPTIONS[token]:
                index += 1
                value = tokens[index] if index < len(tokens) else ""
                if token in ("-e", "--extra-vars"):
                    extra.append(value)
                elif token in ("-i", "--inventory") and "<" not in value and not (ROOT / value).exists():
                    problems.append("inventory %s does not exist" % value)
        elif PLAYBOOK_RE.match(token) and playbook is None:
            playbook = ROOT / "playbooks" / PLAYBOOK_RE.match(token).group(1)
            if not playbook.is_file():
                problems.append("no playbook %s" % token)
                return problems
        else:
            problems.append("unexpected argument %s" % token)
        index += 1
    if playbook is None:
        return problems + ["no playbook named"]
    known, values = playbook_variables(playbook), allowed_values(playbook)
    for value in extra:
        if value.startswith(("@", "{")):
            continue
        for pair in value.split():
            name, equals, setting = pair.partition("=")
            if not equals:
                problems.append("-e %s is not name=value" % pair)
            elif name not in known:
                problems.append("%s does not read a variable %s" % (playbook.name, name))
            elif name in values and "<" not in setting and "…" not in setting and setting not in values[name]:
                problems.append("%s=%s: %s takes %s" % (name, setting, playbook.name, ", ".join(sorted(values[name]))))
    return problems


def test_the_guide_shows_commands():
    found = commands()
    for lang in LANGS:
        assert sum(1 for path, _ in found if path.parent.name == lang) >= 20, lang


def test_every_command_names_an_existing_playbook_and_its_variables():
    problems = ["%s: %s\n    %s" % (path.relative_to(ROOT), text, "; ".join(found))
                for path, text in commands() for found in [check_command(text)] if found]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, expected", [
    ("ansible-playbook playbooks/nope.yml", "no playbook"),
    ("ansible-playbook playbooks/tunnel.yml -e client=acme -e tunnel_actoin=stop",
     "does not read a variable tunnel_actoin"),
    ("ansible-playbook playbooks/tunnel.yml -e client=acme -e tunnel_action=reboot", "tunnel_action=reboot"),
    ("ansible-playbook playbooks/routes.yml -e state=gone", "state=gone"),
    ("ansible-playbook -i inventories/nowhere playbooks/status.yml", "inventory inventories/nowhere"),
    ("ansible-playbook playbooks/status.yml --chek", "unknown ansible-playbook option --chek"),
])
def test_the_command_check_catches_mistakes(text, expected):
    assert any(expected in problem for problem in check_command(text)), check_command(text)


def test_the_command_check_accepts_the_documented_variables():
    for text in ("ansible-playbook -i inventories/<env> playbooks/tunnel.yml -e client=acme -e tunnel_action=restart "
                 "-e site=lyon -e opt_tunnel_wait=60",
                 "ansible-playbook playbooks/upgrade.yml -e clients=acme,globex -e opt_upgrade_wait=300",
                 "ansible-playbook playbooks/status.yml -e opt_lang=fr -e opt_report_dir=/srv/r",
                 "ansible-playbook playbooks/add_client.yml -e client=acme -e opt_lock_timeout=600 --check --diff"):
        assert check_command(text) == [], (text, check_command(text))


COLLECTION = ROOT / "collections" / "ansible_collections" / "coaxis" / "opt"


def module_attributes():
    """{module: (check_mode support, diff_mode support)} from each module's DOCUMENTATION."""
    found = {}
    for path in sorted((COLLECTION / "plugins" / "modules").glob("*.py")):
        source = path.read_text()
        start = source.index('DOCUMENTATION = r"""') + len('DOCUMENTATION = r"""')
        attributes = yaml.safe_load(source[start:source.index('"""', start)])["attributes"]
        found[path.stem] = (attributes["check_mode"]["support"], attributes["diff_mode"]["support"])
    return found


def test_the_collection_readme_lists_every_module_with_its_true_attributes():
    rows = re.findall(r"^\| `coaxis\.opt\.(\w+)` \| [^|]+ \| (\w+) \| (\w+) \|$",
                      (COLLECTION / "README.md").read_text(), re.M)
    assert {name: (check, diff) for name, check, diff in rows} == module_attributes()


# The blocks the onboarding walkthrough (tests/integration/test_walkthrough.py) runs or checks.
WALKTHROUGH_BLOCKS = {
    "vault-file", "vault-value", "signing-secret", "declare-client", "client-vars", "no-key-yet expects", "site-key",
    "site-key expects",
    "host-key-scan", "sites", "add-client", "add-client expects", "routes", "routes expects", "status",
    "status-file expects", "status expects", "tunnel", "tunnel expects", "upgrade-image", "upgrade",
    "upgrade expects", "remove-client", "remove-client expects", "add-back", "drift", "drift expects",
}


def test_the_walkthrough_finds_its_blocks_in_both_languages():
    for lang in ("en", "fr"):
        assert set(guide.steps(lang).blocks) == WALKTHROUGH_BLOCKS, lang


def test_both_languages_give_the_walkthrough_the_same_commands():
    english, french = guide.steps("en"), guide.steps("fr")
    for name, block in english.blocks.items():
        other = french.blocks[name]
        assert (block.kind, len(block.lines)) == (other.kind, len(other.lines)), name
        if block.kind == "sh":
            assert block.lines == other.lines, name
