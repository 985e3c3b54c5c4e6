import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mast import cli, health
from mast.status import healthy, render

MAST_ROOT = Path(__file__).resolve().parents[1]


def test_parse_defaults():
    a = cli.build_parser().parse_args(["status"])
    assert (a.config_dir, a.run_dir, a.log_dir, a.sites, a.json) == (
        "/etc/mast", "/run/mast", "/var/log/mast", [], False)
    a = cli.build_parser().parse_args(["stop", "lyon", "paris", "--run-dir", "/tmp/r"])
    assert a.sites == ["lyon", "paris"] and a.run_dir == "/tmp/r"
    a = cli.build_parser().parse_args(["status", "lyon", "--json"])
    assert a.json and a.sites == ["lyon"]


@pytest.mark.parametrize("argv", [[], ["bogus"], ["status", "--nope"], ["reload", "x"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as ei:
        cli.main(argv)
    assert ei.value.code == 2


def test_no_daemon_exit_3(tmp_path, capsys):
    assert cli.main(["status", "--run-dir", str(tmp_path)]) == 3
    assert cli.main(["health", "--run-dir", str(tmp_path)]) == 3
    assert "not running" in capsys.readouterr().err


def test_check(tmp_path, capsys):
    (tmp_path / "sites").mkdir()
    assert cli.main(["check", "--config-dir", str(tmp_path)]) == 0
    (tmp_path / "sites" / "x.json").write_text(json.dumps({"name": "y"}))
    assert cli.main(["check", "--config-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "x.json: name" in err and "INVALID" in err


SITE = {"site": "lyon", "state": "up", "pid": 12, "autossh_pid": 11, "since": "2026-01-01T00:00:00Z",
        "last_error": None, "limits": {"upload_kbps": 64, "download_kbps": None},
        "printers": [{"name": "p1", "address": "10.0.0.5", "port": 9100, "listen_port": 9102,
                      "connections": 0, "bytes_up": 5, "bytes_down": 0}],
        "config_hash": "abc", "operator_stopped": False}


def test_health_and_render():
    st = {"ok": True, "sites": [dict(SITE)], "nginx": {"state": "running", "pid": 5},
          "config_error": None}
    assert healthy(st)
    st["sites"].append(dict(SITE, site="paris", state="stopped", operator_stopped=True))
    assert healthy(st)
    st["sites"].append(dict(SITE, site="nice", state="connecting"))
    assert not healthy(st)
    assert not healthy({"sites": [], "config_error": ["bad"]})
    text = render(st)
    assert "lyon" in text and "up 64 KiB/s, down unlimited" in text and ":9102" in text


def test_health_verdict_names_what_is_not_up():
    st = {"ok": True, "sites": [dict(SITE), dict(SITE, site="paris", state="stopped", operator_stopped=True)],
          "config_error": None}
    assert health.verdict(st) == (0, "healthy")
    st["sites"].append(dict(SITE, site="nice", state="connecting"))
    st["config_error"] = ["bad"]
    assert health.verdict(st) == (1, "unhealthy: nice connecting, configuration invalid")


def test_the_healthcheck_imports_neither_the_cli_nor_the_probes():
    """`mast health` runs every minute in every container: it stays off argparse and asyncio."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "mast", "health"], capture_output=True,
                         text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(MAST_ROOT)})
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "mast.health" in imported
    assert not imported & {"argparse", "asyncio", "mast.cli", "mast.probe", "mast.config"}, imported
    if not Path(health.RUN_DIR, "mast.sock").exists():
        assert run.returncode == 3 and "not running" in run.stderr
