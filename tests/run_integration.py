"""Run the integration tests in halves, each in its own lab, at the same time.

    python tests/run_integration.py [--labs 1|2] [PYTEST_ARGS...]

The tests spend most of their time waiting on ansible-playbook and the engine, one at a time: two
labs (lab/engine.sh and its twin, lab/twin.sh, with the same addresses in separate network
namespaces) run two halves side by side. The files are shared out by the seconds each took in
a whole run (durations.json beside them; a file not listed counts as DEFAULT_SECONDS), longest
first onto the lighter half. Each half's output is printed whole when it ends; the last line
adds the halves up.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "integration"
DURATIONS = TESTS / "durations.json"
DEFAULT_SECONDS = 60
# One bound for a half: a cold CI run takes about a quarter of it.
HALF_TIMEOUT = 3600
LABS = [["lab/engine.sh", "exec", "--"], ["lab/twin.sh", "exec", "--"]]


def share(files, weights, halves):
    """Files shared out onto `halves` lists, longest first onto the lightest (pure)."""
    load = [[0.0, []] for _ in range(halves)]
    for name in sorted(files, key=lambda f: (-weights.get(f, DEFAULT_SECONDS), f)):
        lightest = min(load, key=lambda item: item[0])
        lightest[0] += weights.get(name, DEFAULT_SECONDS)
        lightest[1].append(name)
    return [sorted(files_of) for _, files_of in load if files_of]


def counts(junit):
    """(passed, failed, skipped) of a pytest JUnit XML report; a missing report is one failure."""
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return 0, 1, 0
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", type=int, choices=(1, 2), default=2)
    args, pytest_args = parser.parse_known_args()
    weights = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    files = sorted(p.name for p in TESTS.glob("test_*.py"))
    halves = share(files, weights, args.labs)
    with tempfile.TemporaryDirectory(prefix="coaxis-integration-") as work:
        runs = []
        for i, half in enumerate(halves):
            junit = Path(work) / f"half-{i}.xml"
            out = open(Path(work) / f"half-{i}.log", "w+")
            cmd = [*LABS[i], str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider",
                   f"--junitxml={junit}", *pytest_args, *(str(TESTS / f) for f in half)]
            print(f"[integration] {LABS[i][0]}: {' '.join(half)}", flush=True)
            runs.append((LABS[i][0], junit, out, subprocess.Popen(
                cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)))
        started = time.monotonic()
        totals = [0, 0, 0]
        for lab, junit, out, proc in runs:
            try:
                rc = proc.wait(timeout=max(1, HALF_TIMEOUT - (time.monotonic() - started)))
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
                print(f"[integration] {lab}: stopped after {HALF_TIMEOUT} s", flush=True)
            out.seek(0)
            print(f"[integration] {lab}: exit {rc} after {time.monotonic() - started:.0f} s", flush=True)
            sys.stdout.write(out.read())
            out.close()
            passed, failed, skipped = counts(junit)
            if rc != 0 and failed == 0:
                failed = 1  # pytest failed without a test failing (collection, a crash)
            for k, n in enumerate((passed, failed, skipped)):
                totals[k] += n
    print(f"integration: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped", flush=True)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
