"""Offline checks of the AWX configuration (awx/) and the execution environment.

No AWX and no lab: awx/configure.yml runs for real against a stand-in of the awx.awx collection
that records what each task would send (recorder.py); the records are checked against the real
modules' documentation and against what AWX accepts.
"""
import ast
import itertools
import os
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from recorder import make_fake_awx, read_records

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AWX_DIR = ROOT / "awx"
CONFIGURE = AWX_DIR / "configure.yml"
# The inventory configure.yml is documented with: its clients get their teams.
INVENTORY = ROOT / "inventories" / "example"
EXAMPLE_CLIENTS = ["ma-societe", "acme"]
REAL_AWX = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections" / "awx" / "awx"
# Stand-ins for the vaulted secrets; they only ever reach the recorder.
FAKE_SECRETS = {"vault_awx_vault_password": "test-vault-password", "vault_awx_ssh_key": "test-ssh-key"}
CONTROLLER = {"controller_host": "https://awx.test", "controller_oauthtoken": "test-token"}
LANGS = ("en", "fr")


def ansible_env(**extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run(args, env=None, cwd=ROOT):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or ansible_env(), capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="session")
def fake_awx(tmp_path_factory):
    assert REAL_AWX.is_dir(), f"awx.awx is not installed at {REAL_AWX} (requirements/dev.in: ansible)"
    return make_fake_awx(REAL_AWX, tmp_path_factory.mktemp("fake-awx"))


@pytest.fixture(scope="session")
def configure(fake_awx, tmp_path_factory):
    """Run awx/configure.yml on the recorder: configure(*extra_args) -> (CompletedProcess, records)."""
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.yml"
    secrets.write_text(yaml.safe_dump(FAKE_SECRETS))
    counter = itertools.count()

    def _configure(*extra, with_secrets=True):
        record = tmp_path_factory.getbasetemp() / f"awx-record-{next(counter)}.jsonl"
        env = ansible_env(AWX_RECORD=str(record), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
                          ANSIBLE_COLLECTIONS_PATH=f"{fake_awx}:{ROOT / 'collections'}")
        args = [BIN / "ansible-playbook", "-i", INVENTORY, CONFIGURE]
        for key, value in CONTROLLER.items():
            args += ["-e", f"{key}={value}"]
        if with_secrets:
            args += ["-e", f"@{secrets}"]
        proc = run(args + list(extra), env=env)
        return proc, read_records(record) if record.exists() else []

    return _configure


@pytest.fixture(scope="session")
def recorded(configure):
    """What configure.yml sends, per survey language."""
    with ThreadPoolExecutor(max_workers=len(LANGS)) as pool:
        runs = dict(zip(LANGS, pool.map(lambda lang: configure("-e", f"awx_lang={lang}"), LANGS)))
    for proc, _records in runs.values():
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {lang: records for lang, (_proc, records) in runs.items()}


def module_documentation(module):
    """The options of awx.awx.<module> as its DOCUMENTATION says, with the auth fragment's."""
    tree = ast.parse((REAL_AWX / "plugins" / "modules" / f"{module}.py").read_text())
    doc = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
               and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
    doc = yaml.safe_load(doc)
    options = dict(doc.get("options") or {})
    fragments = doc.get("extends_documentation_fragment") or []
    for fragment in [fragments] if isinstance(fragments, str) else fragments:
        name = fragment.split(".")[-1]
        source = ast.parse((REAL_AWX / "plugins" / "doc_fragments" / f"{name}.py").read_text())
        for node in ast.walk(source):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
                options.update(yaml.safe_load(node.value.value).get("options") or {})
    return options


def job_templates(records):
    return {r["args"]["name"]: r["args"] for r in records if r["module"] == "awx.awx.job_template"}
