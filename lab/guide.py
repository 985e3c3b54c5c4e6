"""The operator guide's own commands, examples and expected output, as the walkthrough runs them.

A block of the guide (docs/<lang>/*.md) that the onboarding walkthrough runs is marked by an HTML
comment on the line before it, invisible once rendered:

    <!-- walkthrough: add-client -->
    ```sh
    ansible-playbook -i inventories/<env> playbooks/add_client.yml -e client=acme --check --diff
    ```

and the output the guide says the operator will see by `<!-- walkthrough: add-client expects -->`
before an indented block. The marked block is taken as it is written, so changing a command in
the guide changes what the walkthrough runs.

An expected line is matched as written, except for what differs from one run to the next: a
`<placeholder>`, an ellipsis `…`, a time (`2026-11-25T19:52:24Z`, `20261125T195230Z`).
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs"
MARKER = re.compile(r"^\s*<!-- walkthrough: (?P<name>[a-z0-9-]+)(?P<expects> expects)? -->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<kind>\w*)")
# What changes between two runs, in an expected line (once escaped for a regular expression).
VARIABLE = [
    (re.compile(r"<[^<>\s][^<>]*>"), r"\S+"),
    (re.compile("…"), r"\S*"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
    (re.compile(r"\d{8}T\d{6}Z"), r"\d{8}T\d{6}Z"),
]
VARIABLES = re.compile("|".join(f"(?P<v{i}>{regex.pattern})" for i, (regex, _) in enumerate(VARIABLE)))


class GuideError(Exception):
    """A marker without its block, or one used twice: the guide and the walkthrough disagree."""


@dataclass
class Block:
    name: str
    page: str
    text: str
    kind: str = "output"       # the fence's language (sh, yaml), or output for an indented block

    @property
    def expects(self):
        return self.name.endswith(" expects")

    @property
    def lines(self):
        """The block's lines; a shell line continued with a backslash is one command."""
        return [line for line in self.text.replace("\\\n", " ").splitlines() if line.strip()]


@dataclass
class Steps:
    lang: str
    blocks: dict = field(default_factory=dict)

    def block(self, name):
        try:
            return self.blocks[name]
        except KeyError:
            raise GuideError(f"docs/{self.lang}: no block marked 'walkthrough: {name}'") from None

    def command(self, name, contains="", without=()):
        """The one line of the block that holds `contains` and none of `without`: the command the
        walkthrough runs."""
        found = [line for line in self.block(name).lines
                 if contains in line and not any(word in line for word in without)]
        if len(found) != 1:
            raise GuideError(f"docs/{self.lang}: block {name} has {len(found)} line(s) with {contains!r}"
                             f" and without {list(without)}")
        return found[0].strip()

    def expected(self, name):
        return self.block(f"{name} expects").lines


def _block_after(lines, start, page, name):
    """(kind, text) of the fenced or indented block that starts at the first non-empty line from
    `start`."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index == len(lines):
        raise GuideError(f"{page}: marker {name} is followed by no block")
    fence = FENCE.match(lines[index])
    if fence:
        indent = len(fence["indent"])
        body = []
        for line in lines[index + 1:]:
            if FENCE.match(line):
                return fence["kind"] or "text", "\n".join(body) + "\n"
            body.append(line[indent:])
        raise GuideError(f"{page}: the block after marker {name} is never closed")
    if not lines[index].startswith("    "):
        raise GuideError(f"{page}: marker {name} is followed by text, not a block")
    body = []
    for line in lines[index:]:
        if line.strip() and not line.startswith("    "):
            break
        body.append(line[4:])
    return "output", "\n".join(body).strip("\n") + "\n"


def read(text, page="page"):
    """{name: Block} of one markdown page."""
    lines = text.splitlines()
    blocks = {}
    for number, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            continue
        name = marker["name"] + (" expects" if marker["expects"] else "")
        if name in blocks:
            raise GuideError(f"{page}: marker {name} is used twice")
        kind, text = _block_after(lines, number + 1, page, name)
        blocks[name] = Block(name, page, text, kind)
    return blocks


def steps(lang, guide=GUIDE):
    """Every marked block of the guide in one language."""
    found = Steps(lang)
    for page in sorted((guide / lang).glob("*.md")):
        for name, block in read(page.read_text(encoding="utf-8"), f"docs/{lang}/{page.name}").items():
            if name in found.blocks:
                raise GuideError(f"docs/{lang}: marker {name} is in {found.blocks[name].page} and {block.page}")
            found.blocks[name] = block
    return found


def pattern(line):
    """An expected line as a regular expression: literal, but for what differs between runs."""
    text = line.strip()
    pieces, position = [], 0
    for found in VARIABLES.finditer(text):
        pieces += [re.escape(text[position:found.start()]), VARIABLE[int(found.lastgroup[1:])][1]]
        position = found.end()
    return re.compile("".join(pieces) + re.escape(text[position:]))


def missing(expected_lines, output):
    """The expected lines that no line of the output holds."""
    out = output.splitlines()
    return [line for line, regex in ((line, pattern(line)) for line in expected_lines)
            if not any(regex.search(o) for o in out)]


def substitute(text, table):
    """The guide's example values replaced by the run's (whole words, longest first)."""
    for example in sorted(table, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(example)}(?!\w)", table[example], text)
    return text
