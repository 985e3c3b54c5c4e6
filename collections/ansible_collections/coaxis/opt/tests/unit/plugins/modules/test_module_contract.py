# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module has one shape: it runs through module_utils/_runner.py, documents the return
contract (doc fragment coaxis.opt.result, and plan/summary/errors in its RETURN), keeps main()
short, and shares no run of six lines of code with another module."""

from __future__ import annotations

import ast
import pathlib

import pytest
import yaml

from ansible_collections.coaxis.opt.plugins.module_utils._contract import CONTRACT

MODULES = pathlib.Path(__file__).resolve().parents[4] / 'plugins' / 'modules'
# opt_vault_encrypt runs as an action plugin on the controller (plugins/action): it answers the
# contract's keys from there.
RUN_BY_RUNNER = sorted(p for p in MODULES.glob('opt_*.py') if p.stem != 'opt_vault_encrypt')
ALL = sorted(MODULES.glob('opt_*.py'))
MAIN_LINES = 30
SHARED_RUN = 6


def constants(path):
    tree = ast.parse(path.read_text())
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value.value
    return tree, values


@pytest.mark.parametrize('path', ALL, ids=lambda p: p.stem)
def test_documents_the_return_contract(path):
    docs = constants(path)[1]
    documentation, returned = yaml.safe_load(docs['DOCUMENTATION']), yaml.safe_load(docs['RETURN'])
    assert 'coaxis.opt.result' in documentation.get('extends_documentation_fragment', [])
    for key in CONTRACT[1:]:  # changed is Ansible's own key; the three lists are documented
        assert key in returned, '%s: RETURN lacks %s' % (path.stem, key)
        assert returned[key]['type'] == 'list' and returned[key]['returned'] == 'always', (path.stem, key)


@pytest.mark.parametrize('path', RUN_BY_RUNNER, ids=lambda p: p.stem)
def test_main_is_short_and_runs_through_the_runner(path):
    tree = constants(path)[0]
    [main] = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == 'main']
    length = main.end_lineno - main.lineno + 1
    assert length <= MAIN_LINES, '%s: main() is %d lines' % (path.stem, length)
    assert 'Runner' in ast.unparse(main) or 'run_module' in ast.unparse(main), path.stem
    assert 'AnsibleModule(' not in path.read_text(), '%s builds its own AnsibleModule' % path.stem


def code_lines(path):
    """The module's code after its documentation, stripped, without blanks, comments and imports."""
    tree = constants(path)[0]
    imports = [node.lineno for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
               and not (isinstance(node, ast.ImportFrom) and node.module == '__future__')]
    if not imports:  # documentation only
        return []
    first = min(imports)
    lines = path.read_text().splitlines()[first - 1:]
    kept = []
    for line in lines:
        text = line.strip()
        if text and not text.startswith(('#', 'import ', 'from ')) and text not in ('"""', "'''"):
            kept.append(text)
    return kept


def windows(lines):
    return set(tuple(lines[i:i + SHARED_RUN]) for i in range(len(lines) - SHARED_RUN + 1))


def test_no_two_modules_share_six_lines_of_code():
    seen, shared = {}, []
    for path in ALL:
        for window in windows(code_lines(path)):
            if window in seen and seen[window] != path.stem:
                shared.append('%s and %s: %s' % (seen[window], path.stem, ' | '.join(window)))
            seen.setdefault(window, path.stem)
    assert not shared, '\n'.join(sorted(shared)[:20])
