"""The execution environment: ansible-builder makes its build context offline, with the collection's
tarball, ansible-core and ansible-runner as pinned, and the collection's Python and system packages."""
import re
import shutil
import subprocess

import pytest
import yaml

from awx_support import BIN, ROOT, run

COLL = ROOT / "collections" / "ansible_collections" / "coaxis" / "opt"
EE = ROOT / "execution-environment.yml"


def constraints():
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version.strip()
    return pins


def pins_of(text):
    return {name.lower(): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def offline():
    """Run in a network namespace of its own when this machine allows it (root): proof of no network."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True) if shutil.which("unshare") else None
    return ["unshare", "-n", "--"] if probe is not None and probe.returncode == 0 else []


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The EE definition beside what it names (the collection's lists, its tarball), then its context."""
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(EE, work / EE.name)
    definition = yaml.safe_load(EE.read_text())
    for key in ("python", "system"):
        target = work / definition["dependencies"][key]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / definition["dependencies"][key], target)
    build = run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", work / "build", COLL])
    assert build.returncode == 0, build.stdout + build.stderr
    made = run(offline() + [BIN / "ansible-builder", "create", "-f", work / EE.name, "-c", work / "context",
                            "--output-filename", "Containerfile"], cwd=work)
    assert made.returncode == 0, made.stdout + made.stderr
    return work / "context"


def test_the_definition_is_version_3_and_names_this_collection():
    definition = yaml.safe_load(EE.read_text())
    version = yaml.safe_load((COLL / "galaxy.yml").read_text())["version"]
    assert definition["version"] == 3
    tarball = f"coaxis-opt-{version}.tar.gz"
    assert definition["additional_build_files"] == [{"src": f"build/{tarball}", "dest": "."}]
    assert definition["dependencies"]["galaxy"] == {"collections": [{"name": f"/build/{tarball}", "type": "file"}]}


def test_containerfile_installs_the_pinned_ansible_and_the_collection(context):
    containerfile = (context / "Containerfile").read_text()
    pins = constraints()
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    assert sorted(refs) == sorted([f"ansible-core=={pins['ansible-core']}",
                                   f"ansible-runner=={pins['ansible-runner']}"])
    assert "ansible-galaxy collection install" in containerfile and "COPY _build /build" in containerfile
    version = yaml.safe_load((COLL / "galaxy.yml").read_text())["version"]
    assert (context / "_build" / f"coaxis-opt-{version}.tar.gz").is_file()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements == {"collections": [{"name": f"/build/coaxis-opt-{version}.tar.gz", "type": "file"}]}


def test_python_requirements_are_the_pinned_ones(context):
    wanted = pins_of((context / "_build" / "requirements.txt").read_text())
    assert {"docker", "netaddr", "jinja2"} <= set(wanted)
    pins = constraints()
    assert {name: pins[name] for name in wanted} == wanted


def test_system_requirements_carry_the_ssh_client(context):
    bindep = (context / "_build" / "bindep.txt").read_text()
    assert "openssh-clients [platform:rpm]" in bindep and "openssh-client [platform:dpkg]" in bindep


def test_the_collection_declares_the_same_lists_for_any_ee():
    meta = yaml.safe_load((COLL / "meta" / "execution-environment.yml").read_text())
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    definition = yaml.safe_load(EE.read_text())
    for key, name in meta["dependencies"].items():
        assert (ROOT / definition["dependencies"][key]) == COLL / name


# --- the lab's vault password stays in the lab -------------------------------------------------------
def test_the_projects_configuration_gives_an_awx_job_no_vault_password():
    """An AWX job reads the project's ansible.cfg: it names no vault password (the job's Vault
    credential gives it its own), so a job never decrypts nor vaults with the lab's."""
    import configparser
    config = configparser.ConfigParser()
    config.read(ROOT / "ansible.cfg")
    vault_keys = {key for section in config.sections() for key in config[section]
                  if key.startswith("vault_") and key != "vault_encrypt_identity"}
    assert vault_keys == set(), vault_keys
    assert "vault-password" not in "".join(line for line in (ROOT / "ansible.cfg").read_text().splitlines()
                                          if not line.lstrip().startswith("#"))


def test_the_execution_environment_carries_no_lab_password(context):
    found = [p for p in context.rglob("*") if p.is_file() and
             (p.name == "vault-password.txt" or b"vault-password" in p.read_bytes() and p.suffix != ".gz")]
    assert found == [], found
    tarball = next((context / "_build").glob("coaxis-opt-*.tar.gz"))
    import tarfile
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert not [n for n in names if n.endswith("vault-password.txt")], names
