"""Paths, runs and readers shared by the offline checks of awx/ (tests/awx)."""
import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AWX_DIR = ROOT / "awx"
CONFIGURE = AWX_DIR / "configure.yml"
# The inventory configure.yml is documented with: its clients get their teams.
INVENTORY = ROOT / "inventories" / "example"
EXAMPLE_CLIENTS = ["ma-societe", "acme"]
REAL_AWX = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections" / "awx" / "awx"
CONTROLLER = {"controller_host": "https://awx.test", "controller_oauthtoken": "test-token"}
LANGS = ("en", "fr")


def ssh_private_key():
    """A new Ed25519 private key, unencrypted, in OpenSSH's format (what ssh-keygen writes): a key
    AWX takes in a Machine credential. Made for each run, kept in memory and in the run's
    temporary files, never in the repository."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()).decode()


def stand_in_secrets():
    """Stand-ins for the vaulted secrets of awx/ (they only ever reach the recorder)."""
    return {"vault_awx_vault_password": "test-vault-password", "vault_awx_ssh_key": ssh_private_key()}


def ansible_env(**extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run(args, env=None, cwd=ROOT):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or ansible_env(), capture_output=True,
                          text=True, timeout=300)


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
