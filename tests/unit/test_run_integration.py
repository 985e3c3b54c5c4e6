"""The integration runner shares the test files out evenly and adds the halves' counts up."""
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("run_integration", ROOT / "tests" / "run_integration.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


def test_longest_first_onto_the_lighter_half():
    weights = {"a.py": 100, "b.py": 60, "c.py": 50, "d.py": 10}
    assert runner.share(list(weights), weights, 2) == [["a.py", "d.py"], ["b.py", "c.py"]]


def test_an_unknown_file_counts_as_the_default_and_one_lab_takes_all():
    assert runner.share(["new.py", "old.py"], {"old.py": 1}, 1) == [["new.py", "old.py"]]
    halves = runner.share(["new.py", "old.py"], {"old.py": 1}, 2)
    assert halves == [["new.py"], ["old.py"]]


def test_no_empty_half():
    assert runner.share(["only.py"], {}, 2) == [["only.py"]]


def test_every_test_file_has_a_recorded_duration():
    recorded = json.loads((ROOT / "tests" / "integration" / "durations.json").read_text())
    files = {p.name for p in (ROOT / "tests" / "integration").glob("test_*.py")}
    assert files == set(recorded)


def test_counts_read_the_junit_report(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text('<testsuites><testsuite tests="7" failures="1" errors="1" skipped="2"/></testsuites>')
    assert runner.counts(report) == (3, 2, 2)
    assert runner.counts(tmp_path / "missing.xml") == (0, 1, 0)
