"""Offline checks of the AWX configuration (awx/) and the execution environment.

No AWX and no lab: awx/configure.yml runs for real against a stand-in of the awx.awx collection
that records what each task would send (recorder.py); the records are checked against the real
modules' documentation and against what AWX accepts.
"""
import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from awx_support import (BIN, CONFIGURE, CONTROLLER, INVENTORY, LANGS, REAL_AWX, ROOT, ansible_env, run,
                         stand_in_secrets)
from recorder import make_fake_awx, read_records


@pytest.fixture(scope="session")
def fake_awx(tmp_path_factory):
    assert REAL_AWX.is_dir(), f"awx.awx is not installed at {REAL_AWX} (requirements/dev.in: ansible)"
    return make_fake_awx(REAL_AWX, tmp_path_factory.mktemp("fake-awx"))


@pytest.fixture(scope="session")
def secrets():
    """The vaulted variables' stand-ins for this run (a fresh SSH key)."""
    return stand_in_secrets()


@pytest.fixture(scope="session")
def configure(fake_awx, secrets, tmp_path_factory):
    """Run awx/configure.yml on the recorder: configure(*extra_args) -> (CompletedProcess, records)."""
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.yml"
    secrets_file.write_text(yaml.safe_dump(secrets))
    counter = itertools.count()

    def _configure(*extra, with_secrets=True):
        record = tmp_path_factory.getbasetemp() / f"awx-record-{next(counter)}.jsonl"
        env = ansible_env(AWX_RECORD=str(record), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
                          ANSIBLE_COLLECTIONS_PATH=f"{fake_awx}:{ROOT / 'collections'}")
        args = [BIN / "ansible-playbook", "-i", INVENTORY, CONFIGURE]
        for key, value in CONTROLLER.items():
            args += ["-e", f"{key}={value}"]
        if with_secrets:
            args += ["-e", f"@{secrets_file}"]
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
