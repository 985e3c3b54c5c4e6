"""awx/configure.yml: it parses, and every awx.awx call it makes is one the module takes."""
import re

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

from awx_support import (AWX_DIR, BIN, CONFIGURE, EXAMPLE_CLIENTS, INVENTORY, LANGS, ROOT,
                      module_documentation, run)

PYTHON_TYPES = {"str": str, "bool": bool, "int": int, "float": (int, float), "list": list, "dict": dict,
                "path": str}


def awx_tasks():
    play = yaml.safe_load(CONFIGURE.read_text())[0]
    tasks = [task for task in play["tasks"] if any(key.startswith("awx.awx.") for key in task)]
    defaults = play["module_defaults"]["group/awx.awx.controller"]
    return tasks, defaults


def test_syntax_check_with_the_real_collection():
    proc = run([BIN / "ansible-playbook", "--syntax-check", "-i", INVENTORY, CONFIGURE])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_playbook_is_a_loop_over_data():
    # The surveys, templates and teams are in awx/vars; configure.yml names no job template itself.
    text = CONFIGURE.read_text()
    for name in ("Add client", "Tunnel action", "client-", "Coaxis technicians"):
        assert name not in text


@pytest.mark.parametrize("task", awx_tasks()[0], ids=lambda task: task["name"])
def test_every_static_parameter_is_documented(task):
    module = next(key for key in task if key.startswith("awx.awx."))
    options = module_documentation(module.split(".")[-1])
    accepted = set(options) | {alias for option in options.values() for alias in option.get("aliases") or []}
    assert set(task[module]) - accepted == set(), module
    assert set(awx_tasks()[1]) - accepted == set(), "module_defaults"


def test_every_call_uses_documented_parameters_with_their_types_and_choices(recorded):
    for lang in LANGS:
        assert recorded[lang], "no awx.awx call recorded"
        for record in recorded[lang]:
            module = record["module"].split(".")[-1]
            options = module_documentation(module)
            args = record["args"]
            assert set(args) <= set(options), (module, sorted(set(args) - set(options)))
            for name, option in options.items():
                if option.get("required"):
                    assert name in args, (module, name)
            for name, value in args.items():
                option = options[name]
                if "choices" in option:
                    assert value in option["choices"], (module, name, value)
                expected = PYTHON_TYPES.get(option.get("type"))
                if expected:
                    assert isinstance(value, expected), (module, name, value)


def test_the_controller_connection_comes_from_variables(recorded):
    for record in recorded["en"]:
        assert record["args"]["controller_host"] == "https://awx.test"
        assert record["args"]["controller_oauthtoken"] == "test-token"


def test_the_objects_in_order(recorded):
    modules = [r["module"].split(".")[-1] for r in recorded["en"]]
    order = ["organization", "execution_environment", "project", "credential", "inventory", "inventory_source",
             "job_template", "team", "role"]
    assert [m for i, m in enumerate(modules) if i == 0 or modules[i - 1] != m] == order
    project = next(r["args"] for r in recorded["en"] if r["module"] == "awx.awx.project")
    assert (project["scm_type"], project["organization"]) == ("git", "Coaxis")
    source = next(r["args"] for r in recorded["en"] if r["module"] == "awx.awx.inventory_source")
    assert (source["source"], source["source_project"]) == ("scm", project["name"])
    assert (ROOT / source["source_path"]).is_file()


def test_every_template_runs_a_playbook_of_the_project(recorded):
    templates = [r["args"] for r in recorded["en"] if r["module"] == "awx.awx.job_template"]
    assert len(templates) == 7 + 2 * len(EXAMPLE_CLIENTS)
    for template in templates:
        assert (ROOT / template["playbook"]).is_file(), template["name"]
        assert template["playbook"].startswith("playbooks/")


# --- credentials: references to vaulted variables, never a secret in clear --------------------------
SECRET_INPUTS = {"password", "ssh_key_data", "ssh_key_unlock", "become_password", "vault_password"}


def test_credentials_take_their_secrets_from_vaulted_variables():
    data = yaml.safe_load((AWX_DIR / "vars" / "controller.yml").read_text())
    secrets = [(c["name"], key, value) for c in data["awx_credentials"] for key, value in c["inputs"].items()
               if key in SECRET_INPUTS]
    assert secrets, "no secret input at all"
    for name, key, value in secrets:
        assert re.fullmatch(r"\{\{ (vault_awx_\w+) \| default\(''\) \}\}", value), (name, key, value)
        assert re.search(r"vault_awx_\w+", value).group(0) in data["awx_secret_variables"]


def test_the_credentials_task_is_no_log_and_sends_the_vaulted_values(recorded, secrets):
    credentials = [r for r in recorded["en"] if r["module"] == "awx.awx.credential"]
    assert credentials and all(r["no_log"] for r in credentials)
    sent = {key: value for r in credentials for key, value in r["args"]["inputs"].items() if key in SECRET_INPUTS}
    assert sorted(sent.values()) == sorted(secrets.values())
    assert all(r["args"]["update_secrets"] is False for r in credentials)


def test_the_ssh_credential_gets_a_key_awx_takes(recorded):
    """AWX refuses a Machine credential whose ssh_key_data is no private key ("Invalid certificate or
    key"): the stand-in is a real key, made for the run (an unencrypted OpenSSH one, as ssh-keygen writes)."""
    [machine] = [r["args"] for r in recorded["en"]
                 if r["module"] == "awx.awx.credential" and r["args"]["credential_type"] == "Machine"]
    key = machine["inputs"]["ssh_key_data"]
    assert re.fullmatch(r"-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n",
                        key), key[:100]
    assert isinstance(load_ssh_private_key(key.encode(), password=None), Ed25519PrivateKey)


def test_no_secret_material_in_awx():
    for path in AWX_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "PRIVATE KEY" not in text and "$ANSIBLE_VAULT" not in text, path


# --- refusals, before any call ------------------------------------------------------------------------
def test_no_run_without_the_vaulted_secrets(configure):
    proc, records = configure("-e", "awx_lang=fr", with_secrets=False)
    message = "les identifiants ont besoin de la ou des variables chiffrées vault_awx_vault_password, vault_awx_ssh_key"
    assert proc.returncode != 0 and message in proc.stdout
    assert records == []


def test_client_names_become_names_only_when_dns_label_like(configure):
    proc, records = configure("-e", '{"awx_clients": ["acme", "Bad_Name"]}', "-e", "awx_lang=en")
    assert proc.returncode != 0 and "Bad_Name: invalid client name" in proc.stdout
    assert records == []


def test_survey_language_en_or_fr(configure):
    proc, records = configure("-e", "awx_lang=de")
    assert proc.returncode != 0 and "de: not a valid value of awx_lang; use one of: en, fr" in proc.stdout
    assert records == []
