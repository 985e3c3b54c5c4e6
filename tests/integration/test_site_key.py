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


def new_client_as_the_guide_writes_it(inventory, name, ip, refers):
    """A client declared as docs/en/add-client.md step 1 shows, before site_key.yml has run: its
    host_vars directory with main.yml only (no vault.yml), with or without the opt_private_key line."""
    values = {"opt_ip": ip, "opt_sites": []}
    if refers:
        values["opt_private_key"] = "{{ vault_opt_private_key }}"
    inventory.add_client(name, **values)
    folder = inventory.path / "host_vars" / name
    folder.mkdir()
    (inventory.path / "host_vars" / f"{name}.yml").rename(folder / "main.yml")
    return folder


@pytest.mark.parametrize("refers", [True, False], ids=["main-refers-to-the-vault", "main-without-the-line"])
def test_the_first_run_prints_the_new_key(inventory, refers):
    """The client's main.yml may already refer to vault_opt_private_key (as the guide writes it):
    the run that writes vault.yml makes Ansible read the client's host_vars again, and the client
    "has a key" from then on; the first run must still end with the public key it made."""
    folder = new_client_as_the_guide_writes_it(inventory, "nova", "10.128.0.32", refers)
    first = inventory.playbook("site_key.yml", "-e", "client=nova")
    assert first.rc == 0, first
    vault = (folder / "vault.yml").read_text()
    assert "vault_opt_private_key: !vault |" in vault and "PRIVATE KEY" not in vault
    lines = first.out.splitlines()
    header = "nova: public key to add to the authorized_keys of the SSH account at each of its sites:"
    at = next(i for i, line in enumerate(lines) if header in line)
    public = re.search(r"ssh-ed25519 \S+ opt-nova", lines[at + 1]).group(0)
    assert "new key stored in host_vars/nova/vault.yml" in first.out, first
    # The reminder to add the opt_private_key line, only when main.yml lacks it.
    reminder = "the key is not used until host_vars/nova/main.yml has the line"
    assert (reminder in first.out) is not refers, first
    again = inventory.playbook("site_key.yml", "-e", "client=nova")
    assert again.rc == 0 and again.changed("localhost") == 0, again
    assert public in again.out and "new key stored" not in again.out, again
    assert (reminder in again.out) is not refers, again
    if not refers:
        inventory.client("nova", opt_private_key="{{ vault_opt_private_key }}")
        fixed = inventory.playbook("site_key.yml", "-e", "client=nova")
        assert fixed.rc == 0 and public in fixed.out and reminder not in fixed.out, fixed
    assert (folder / "vault.yml").read_text() == vault  # never regenerated
    assert "PRIVATE KEY" not in first.out + again.out


def test_a_vault_file_without_the_key_is_refused_before_any_key_is_made(inventory):
    """vault.yml is never overwritten: a key made beside one that lacks vault_opt_private_key
    would be printed and lost."""
    folder = new_client_as_the_guide_writes_it(inventory, "nova", "10.128.0.32", refers=True)
    (folder / "vault.yml").write_text("---\nvault_other_secret: x\n")
    run = inventory.playbook("site_key.yml", "-e", "client=nova")
    assert run.rc != 0, run
    assert "nova: host_vars/nova/vault.yml exists and holds no vault_opt_private_key" in run.out, run
    assert "ssh-ed25519" not in run.out, run
    assert (folder / "vault.yml").read_text() == "---\nvault_other_secret: x\n"


def test_check_mode_writes_nothing_and_shows_the_existing_key(inventory):
    """--check makes no key and writes nothing; once the client has one, it prints its public key."""
    folder = new_client_as_the_guide_writes_it(inventory, "nova", "10.128.0.32", refers=True)
    check = inventory.playbook("site_key.yml", "-e", "client=nova", "--check")
    assert check.rc == 0 and check.changed("localhost") == 0, check
    assert "nova: check mode: a new key would be made and stored in host_vars/nova/vault.yml" in check.out, check
    assert "ssh-ed25519" not in check.out and not (folder / "vault.yml").exists(), check
    first = inventory.playbook("site_key.yml", "-e", "client=nova")
    assert first.rc == 0, first
    public = re.search(r"ssh-ed25519 \S+ opt-nova", first.out).group(0)
    again = inventory.playbook("site_key.yml", "-e", "client=nova", "--check")
    assert again.rc == 0 and again.changed("localhost") == 0 and public in again.out, again
