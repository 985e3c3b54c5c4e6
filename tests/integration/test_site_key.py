"""playbooks/site_key.yml: a client's own key, made once, vaulted, its public key printed."""
import re

import pytest


def test_a_new_client_gets_its_own_vaulted_key(inventory):
    inventory.add_client("newco", opt_ip="10.128.0.30")
    folder = inventory.path / "host_vars" / "newco"
    (folder).mkdir()
    (inventory.path / "host_vars" / "newco.yml").rename(folder / "main.yml")
    first = inventory.playbook("site_key.yml", "-e", "client=newco")
    assert first.rc == 0, first
    vault = (folder / "vault.yml").read_text()
    assert "vault_opt_private_key: !vault |" in vault and "PRIVATE KEY" not in vault
    public = re.search(r"ssh-ed25519 \S+ opt-newco", first.out).group(0)
    inventory.client("newco", opt_private_key="{{ vault_opt_private_key }}")
    second = inventory.playbook("site_key.yml", "-e", "client=newco")
    assert second.rc == 0 and public in second.out, second
    assert (folder / "vault.yml").read_text() == vault  # never regenerated
    assert "PRIVATE KEY" not in first.out + second.out


def test_an_unknown_client_is_refused(inventory):
    run = inventory.playbook("site_key.yml", "-e", "client=nobody")
    assert run.rc != 0 and "nobody: unknown client" in run.out


def test_the_key_is_vaulted_with_the_runs_own_secret(inventory, tmp_path):
    """Production passes its own --vault-id: the new key is vaulted with that secret, never with
    the one another configuration (the lab's ansible.cfg) would give a separate process."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    inventory.add_client("prodco", opt_ip="10.128.0.31")
    folder = inventory.path / "host_vars" / "prodco"
    folder.mkdir()
    (inventory.path / "host_vars" / "prodco.yml").rename(folder / "main.yml")
    password = tmp_path / "prod-vault-password"
    password.write_text("a production secret\n")
    run = inventory.playbook("site_key.yml", "-e", "client=prodco", "--vault-id", f"prod@{password}",
                             "-e", "opt_vault_encrypt_id=prod")
    assert run.rc == 0, run
    block = (folder / "vault.yml").read_text().split("!vault |", 1)[1]
    ciphertext = "\n".join(line.strip() for line in block.strip().splitlines())
    assert ciphertext.startswith("$ANSIBLE_VAULT;1.2;AES256;prod"), ciphertext[:40]
    key = VaultLib([("prod", VaultSecret(b"a production secret"))]).decrypt(ciphertext).decode()
    assert "OPENSSH PRIVATE KEY" in key
    lab = VaultSecret((inventory.path / "vault-password.txt").read_bytes().strip())
    with pytest.raises(Exception):
        VaultLib([("default", lab)]).decrypt(ciphertext)
