"""playbooks/site_key.yml: a client's own key, made once, vaulted, its public key printed."""
import re


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
