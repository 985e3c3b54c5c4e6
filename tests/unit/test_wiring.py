"""The tooling's wiring: one path setting (no script or test edits sys.path), bench/ apart from the
tests, and `make check`, the offline tier that runs first and needs no lab."""
import ast
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Set in the makes these tests run: a dry run that ran a recipe for real would not run them again.
PLAN = "COAXIS_MAKE_PLAN"
if os.environ.get(PLAN):
    pytest.skip("inside a make dry run of these very tests", allow_module_level=True)
# What only the lab (or the Debian packages of the whole set-up) brings: none of it in `make check`.
LAB_ONLY = ("lab/engine.sh", "lab/twin.sh", "lab/images.py", "lab/topology.py", "docker.io", "debootstrap")


def repository_files(pattern):
    """The files of the checkout matching `pattern`, tracked or new (what git does not ignore)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "--", pattern], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return sorted(ROOT / line for line in out.splitlines() if (ROOT / line).is_file())


def shell_scripts():
    """Every shell script of the repository: *.sh, or a file whose first line names sh or bash."""
    found = []
    for path in repository_files("*"):
        if path.suffix == ".sh":
            found.append(path)
            continue
        with open(path, "rb") as handle:
            first = handle.readline(200)
        if first.startswith(b"#!") and first.split(b"/")[-1].split()[-1] in (b"sh", b"bash"):
            found.append(path)
    return found


def sys_path_edits(path):
    """Lines where a Python file changes sys.path (insert, append, extend, remove, a slice or a new list)."""
    tree = ast.parse(path.read_text(), str(path))

    def is_sys_path(node):
        return (isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name)
                and node.value.id == "sys")

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_sys_path(node.func.value):
            if node.func.attr in ("insert", "append", "extend", "remove", "pop", "clear"):
                lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if is_sys_path(target) or (isinstance(target, ast.Subscript) and is_sys_path(target.value)):
                    lines.append(node.lineno)
    return lines


def make(*args):
    """`make ARGS` at the root, outside any make that runs these tests (its flags would leak in)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env[PLAN] = "1"
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_no_python_file_edits_sys_path():
    edits = {str(path.relative_to(ROOT)): lines for path in repository_files("*.py")
             if (lines := sys_path_edits(path))}
    assert edits == {}, "sys.path is set once: pyproject.toml (pytest) and the venv's coaxis-opt.pth (scripts)"


def test_bench_imports_nothing_from_the_tests():
    test_modules = {path.stem for path in (ROOT / "tests").rglob("*.py")} | {"tests"}
    imported = {}
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.split(".")[0] in test_modules:
                    imported.setdefault(path.name, []).append(name)
    assert imported == {}


def test_a_script_run_with_the_venv_finds_the_collection_and_the_lab_helpers(tmp_path):
    """What a directly run script (bench/, lab/, docs/gen_errors.py) imports, from any directory."""
    code = ("import ansible_collections.coaxis.opt.plugins.module_utils._messages as m, lab.paths as p; "
            "print(m.__file__); print(p.__file__)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    messages, paths = (Path(line).resolve() for line in run.stdout.splitlines())
    assert messages == (ROOT / "collections" / "ansible_collections" / "coaxis" / "opt" / "plugins" / "module_utils"
                        / "_messages.py")
    assert paths == ROOT / "lab" / "paths.py"


def test_a_dry_run_runs_no_recipe():
    """With .ONESHELL, a recipe that calls $(MAKE) runs whole under `make -n`: none does."""
    recipes = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("\t")]
    assert [line for line in recipes if "$(MAKE)" in line or "${MAKE}" in line] == []


@pytest.fixture(scope="module")
def check_plan():
    run = make("-n", "check")
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("step", ["pytest -q -p no:cacheprovider", "ruff check", "shellcheck", "ansible-lint",
                                  "sanity-offline.sh", "manage.py test"])
def test_make_check_runs_the_offline_tier(check_plan, step):
    assert step in check_plan


def test_make_check_needs_no_lab(check_plan):
    runs = "\n".join(line for line in check_plan.splitlines() if not line.startswith("shellcheck "))
    assert [word for word in LAB_ONLY if word in runs] == []


def test_make_check_lints_every_shell_script(check_plan):
    line = next(line for line in check_plan.splitlines() if line.startswith("shellcheck "))
    checked = {ROOT / word for word in line.split() if (ROOT / word).is_file()}
    missing = [str(path.relative_to(ROOT)) for path in shell_scripts() if path not in checked]
    assert len(shell_scripts()) >= 10 and missing == []


def test_make_test_checks_before_it_builds_the_lab():
    plan = make("-n", "test").stdout
    assert "lab/engine.sh up" in plan and "ruff check" in plan
    assert plan.index("ruff check") < plan.index("lab/engine.sh up")
    assert plan.index("pytest -q") < plan.index("lab/engine.sh up")


def test_make_help_lists_check():
    assert any(line.split()[:1] == ["check"] for line in make("help").stdout.splitlines())
