"""A client's SSH key: made here (ed25519), vaulted with the portal's vault secret into the client's
``vault.yml`` (``vault_opt_private_key: !vault |``, as ansible-vault encrypt_string writes it), and
its public half read back from the inventory for the key page.

The secret is chosen by the collection's own rule (module_utils/_vaultid.py): the lab's public
vault password may vault only a value of an inventory that carries that very password file.
"""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils.translation import get_language

from ansible_collections.coaxis.opt.plugins.module_utils import _vaultid

VAULT_VARIABLE = "vault_opt_private_key"
VAULT_HEADER = "---\n# The client's own SSH key for its tunnels, made and vaulted by the portal.\n"


class VaultError(Exception):
    """No vault secret the portal may vault with (the collection's message)."""


def new_key(comment):
    """(private key in OpenSSH PEM, public key line) of a new ed25519 key."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private, "%s %s" % (public, comment)


def public_key(private_text, comment=""):
    """The public key line of an OpenSSH private key (None when it cannot be read)."""
    try:
        key = serialization.load_ssh_private_key(str(private_text).encode(), password=None)
    except (ValueError, TypeError):
        return None
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return ("%s %s" % (line, comment)).strip()


def _secret():
    from clients.loading import vault_secrets
    secrets = vault_secrets()
    lang = (get_language() or "en")[:2]
    passwords = [(str(vault_id), secret.bytes) for vault_id, secret in secrets]
    lab = [p for p in [_vaultid.read_password(settings.PROJECT_DIR / "inventories" / "lab" / _vaultid.LAB_PASSWORD_FILE)]
           if p]
    inventory = Path(settings.PORTAL_INVENTORY)
    carried = [p for p in [_vaultid.read_password(inventory / _vaultid.LAB_PASSWORD_FILE)] if p]
    index, error = _vaultid.choose_secret(passwords, settings.PORTAL_VAULT_ID if secrets else None, lab, carried,
                                          [inventory.name], lang if lang in ("en", "fr") else "en")
    if error:
        raise VaultError(error)
    return secrets, secrets[index]


def vault_file(private_text):
    """The text of a client's vault.yml holding ``private_text``, vaulted with the portal's secret."""
    from ansible.parsing.vault import VaultLib
    secrets, (vault_id, secret) = _secret()
    ciphertext = VaultLib(secrets).encrypt(private_text.encode(), secret=secret, vault_id=vault_id)
    lines = ciphertext.decode() if isinstance(ciphertext, bytes) else str(ciphertext)
    return VAULT_HEADER + "%s: !vault |\n%s" % (VAULT_VARIABLE, "".join("          %s\n" % line
                                                                          for line in lines.splitlines()))
