"""lab/guide.py: the walkthrough's reading of the operator guide's marked blocks."""
import pytest

from lab.guide import GuideError, missing, pattern, read, substitute

PAGE = """# A page

<!-- walkthrough: add -->

```sh
ansible-playbook -i inventories/<env> playbooks/add_client.yml -e client=acme --check --diff
ansible-playbook -i inventories/<env> playbooks/add_client.yml -e client=acme \\
  -e opt_lang=fr
```

Text.

<!-- walkthrough: add expects -->

    acme: container <container id>, IP 172.16.0.11/16 via 172.16.0.1, running (create)
    acme/lyon: up since 2026-11-25T19:52:24Z; last error: -

1. A list item:

   <!-- walkthrough: scan -->

   ```sh
   ssh-keyscan -t ed25519 10.130.0.10 > lyon.pub
   ```
"""


def test_marked_blocks_are_read_fenced_indented_and_in_a_list():
    blocks = read(PAGE)
    assert sorted(blocks) == ["add", "add expects", "scan"]
    assert blocks["add"].lines[1].endswith("-e client=acme    -e opt_lang=fr")
    assert blocks["add expects"].lines[1] == "acme/lyon: up since 2026-11-25T19:52:24Z; last error: -"
    assert blocks["scan"].text == "ssh-keyscan -t ed25519 10.130.0.10 > lyon.pub\n"


@pytest.mark.parametrize("page, error", [
    ("<!-- walkthrough: a -->\n\nJust text.\n", "followed by text"),
    ("<!-- walkthrough: a -->\n", "followed by no block"),
    ("<!-- walkthrough: a -->\n```sh\nls\n", "never closed"),
    ("<!-- walkthrough: a -->\n```sh\nls\n```\n<!-- walkthrough: a -->\n```sh\nls\n```\n", "used twice"),
])
def test_a_marker_without_its_block_is_an_error(page, error):
    with pytest.raises(GuideError, match=error):
        read(page)


def test_an_expected_line_matches_what_differs_between_runs_and_nothing_else():
    line = "acme: container <container id>, key AAAA… opt-acme, up since 2026-11-25T19:52:24Z, report 20261125T195230Z"
    assert pattern(line).search("x acme: container 3f2a9c, key AAAAC3Nz opt-acme, up since 2026-12-04T20:01:02Z, "
                                "report 20261204T200102Z")
    assert not pattern(line).search("acme: container 3f2a9c, key BBBBC3Nz opt-acme, up since 2026-12-04T20:01:02Z, "
                                    "report 20261204T200102Z")
    assert not pattern("acme: running (create)").search("acme: running (recreate)")
    assert missing(["a: 1", "b: 2"], "a: 1\nc: 3\n") == ["b: 2"]


def test_the_example_values_are_replaced_as_whole_names():
    table = {"acme": "nova", "172.16.0.1": "10.128.0.1", "172.16.0.11": "10.128.0.11"}
    assert substitute("opt-acme acme.coaxis.com acmex 172.16.0.11 via 172.16.0.1", table) == \
        "opt-nova nova.coaxis.com acmex 10.128.0.11 via 10.128.0.1"
