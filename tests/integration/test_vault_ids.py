"""The production path never touches the lab's vault password.

ansible.cfg names no vault password: the lab's runs get the lab's as the vault id "lab" from their
own environment (lab/engine.sh exec). A run from the checkout with a production inventory gets
only the secrets it is given; site_key.yml vaults a new key with the password asked at
--ask-vault-pass (typed on a terminal: the test gives the run a pty), and opt_vault_encrypt
refuses the lab's password outside the lab, and a choice among several secrets it is not told.
No Docker: site_key.yml runs on the controller alone.
"""
import os
import pty
import select
import shutil
import signal
import subprocess
import time

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from conftest import LAB_INVENTORY, ROOT, Run, lab_environment, production_environment

PRODUCTION_PASSWORD = "a production secret typed at the prompt"
LAB_PASSWORD = (LAB_INVENTORY / "vault-password.txt").read_bytes().strip()
PLAYBOOK = str(ROOT / ".venv" / "bin" / "ansible-playbook")


def with_config(env):
    return {**env, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}


@pytest.fixture
def production(tmp_path):
    """A production-style inventory: a copy of inventories/example (no vault password file in it)
    with a new client that has no key yet."""
    path = tmp_path / "production"
    shutil.copytree(ROOT / "inventories" / "example", path)
    hosts = yaml.safe_load((path / "hosts.yml").read_text())
    hosts["all"]["children"]["opt_clients"]["hosts"]["newco"] = None
    (path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (path / "host_vars" / "newco").mkdir()
    (path / "host_vars" / "newco" / "main.yml").write_text("opt_ip: 172.16.0.30\nopt_subdomain: newco\n")
    assert not (path / "vault-password.txt").exists()
    return path


def run_on_a_terminal(cmd, env, prompt, answer, timeout=120):
    """Run cmd with a pty as its controlling terminal (what --ask-vault-pass reads), type
    ``answer`` once ``prompt`` shows; bounded. Returns (rc, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        try:
            os.chdir(ROOT)
            os.execve(cmd[0], cmd, env)
        finally:
            os._exit(127)
    output, typed, deadline = b"", False, time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"no end in {timeout} s:\n{output.decode(errors='replace')[-3000:]}")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            output += chunk
            if not typed and prompt.encode() in output:
                os.write(fd, answer.encode() + b"\n")
                typed = True
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    assert typed, output.decode(errors="replace")[-3000:]
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace").replace("\r\n", "\n")


def vaulted_block(folder):
    block = (folder / "vault.yml").read_text().split("!vault |", 1)[1]
    return "\n".join(line.strip() for line in block.strip().splitlines())


def decrypts_with(ciphertext, password):
    try:
        VaultLib([("any", VaultSecret(password))]).decrypt(ciphertext)
        return True
    except Exception:  # AnsibleVaultError: no secret fits
        return False


def site_key(inventory, *args, env):
    cmd = [PLAYBOOK, "-i", str(inventory), str(ROOT / "playbooks" / "site_key.yml"), "-e", "client=newco", *args]
    return Run(subprocess.run(cmd, cwd=ROOT, env=with_config(env), capture_output=True, text=True, timeout=300))


def test_ask_vault_pass_vaults_a_production_key_with_the_password_asked(production):
    """An operator's shell (no lab environment), a production inventory, --ask-vault-pass typed on a
    terminal: the key is vaulted with that password, never with the lab's."""
    cmd = [PLAYBOOK, "-i", str(production), str(ROOT / "playbooks" / "site_key.yml"), "-e", "client=newco",
           "--ask-vault-pass"]
    rc, out = run_on_a_terminal(cmd, with_config(production_environment()), "Vault password:", PRODUCTION_PASSWORD)
    assert rc == 0, out[-4000:]
    assert "ssh-ed25519 " in out and "PRIVATE KEY" not in out
    ciphertext = vaulted_block(production / "host_vars" / "newco")
    assert decrypts_with(ciphertext, PRODUCTION_PASSWORD.encode()), ciphertext[:40]
    assert not decrypts_with(ciphertext, LAB_PASSWORD)


def test_in_the_lab_shell_a_production_run_must_name_its_secret_and_never_gets_the_lab_one(production, tmp_path):
    """From the lab's environment (which adds the lab's vault id), a production run has two secrets:
    the key is vaulted only with the one named, and never with the lab's."""
    password = tmp_path / "prod-password"
    password.write_text(PRODUCTION_PASSWORD + "\n")
    folder = production / "host_vars" / "newco"
    env = lab_environment()

    unnamed = site_key(production, "--vault-id", f"prod@{password}", env=env)
    assert unnamed.rc != 0, unnamed
    assert ("this run has 2 vault secrets (lab, prod): name the one that vaults the new value with "
            "-e opt_vault_encrypt_id=<id>") in unnamed.out, unnamed
    assert not (folder / "vault.yml").exists()

    lab = site_key(production, "--vault-id", f"prod@{password}", "-e", "opt_vault_encrypt_id=lab", env=env)
    assert lab.rc != 0, lab
    assert f"vault secret lab is the lab's public password and the inventory in use ({production}) is not the lab" \
        in lab.out.replace("\n", " "), lab
    assert not (folder / "vault.yml").exists()

    # The lab's password under another id is the lab's all the same.
    lab_file = LAB_INVENTORY / "vault-password.txt"
    renamed = site_key(production, "--vault-id", f"prod@{lab_file}", env=production_environment())
    assert renamed.rc != 0 and "vault secret prod is the lab's public password" in renamed.out, renamed
    assert not (folder / "vault.yml").exists()

    named = site_key(production, "--vault-id", f"prod@{password}", "-e", "opt_vault_encrypt_id=prod", env=env)
    assert named.rc == 0, named
    ciphertext = vaulted_block(folder)
    assert ciphertext.startswith("$ANSIBLE_VAULT;1.2;AES256;prod"), ciphertext[:40]
    assert decrypts_with(ciphertext, PRODUCTION_PASSWORD.encode()) and not decrypts_with(ciphertext, LAB_PASSWORD)


def config_dump(env):
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-config"), "dump", "--only-changed"], cwd=ROOT,
                          env=with_config(env), capture_output=True, text=True, timeout=120, check=True).stdout


def test_the_checkouts_configuration_gives_no_vault_secret():
    """The lab's environment gives its runs the lab's id; the checkout's configuration gives none."""
    assert "DEFAULT_VAULT_IDENTITY_LIST" in config_dump(lab_environment())
    dump = config_dump(production_environment())
    assert "VAULT" not in dump and "vault-password" not in dump, dump


def test_a_plain_run_with_the_example_inventory_cannot_read_a_lab_secret(tmp_path):
    """ansible-playbook from the checkout with -i inventories/example: a value vaulted with the lab's
    password stays encrypted (first shown readable from the lab's environment)."""
    playbook = tmp_path / "read.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "Read a lab secret", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"name": "Decrypt it", "ansible.builtin.assert": {
            "that": ["vault_opt_private_key is search('PRIVATE KEY')"], "quiet": True}}]}]))
    cmd = [PLAYBOOK, "-i", "inventories/example", str(playbook),
           "-e", f"@{LAB_INVENTORY / 'host_vars' / 'acme' / 'vault.yml'}"]

    def run(env):
        return Run(subprocess.run(cmd, cwd=ROOT, env=with_config(env), capture_output=True, text=True, timeout=300))

    lab = run(lab_environment())
    assert lab.rc == 0, lab
    plain = run(production_environment())
    assert plain.rc != 0 and "PRIVATE KEY-----" not in plain.out, plain
    assert "no vault secrets" in plain.out.lower() or "decrypt" in plain.out.lower(), plain
