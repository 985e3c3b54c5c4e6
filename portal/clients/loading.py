"""The inventory loaded the way ansible-playbook loads it: InventoryManager, VariableManager and the
templated host variables (``hostvars``), vaulted values decrypted with the portal's vault secret.

The collection's whole-inventory check (``opt_inventory_errors``) reads exactly this ``hostvars``,
so what the portal accepts is what the playbooks accept.
"""
from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
_finder_lock = threading.Lock()
_installed = []


def install_collection_finder():
    """Ansible's collection loader (lookups such as ansible.builtin.env in the inventory need it).

    It must come before the first import of ``ansible_collections``: ClientsConfig.ready() calls it.
    """
    with _finder_lock:
        if _installed:
            return
        from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
        paths = [str(settings.PROJECT_DIR / "collections")]
        if "ansible_collections" in sys.modules:
            logger.warning("ansible_collections imported before the collection loader: inventory lookups fail")
            return
        _AnsibleCollectionFinder(paths=paths)._install()
        _installed.append(paths)


def vault_secrets():
    """[(vault id, VaultSecret)] of the portal: settings.PORTAL_VAULT_ID with its password file."""
    from ansible.parsing.vault import VaultSecret
    path = settings.PORTAL_VAULT_PASSWORD_FILE
    if not path:
        return []
    password = Path(path).read_bytes().strip()
    return [(settings.PORTAL_VAULT_ID, VaultSecret(password))] if password else []


def _activate(secrets):
    """Ansible 2.19 decrypts vaulted variables through one process-wide context: make it ours."""
    from ansible.parsing.vault import VaultSecretsContext
    current = VaultSecretsContext.current(optional=True)
    if current is None:
        VaultSecretsContext.initialize(VaultSecretsContext(list(secrets)))
    else:
        current.secrets[:] = list(secrets)


_load_lock = threading.Lock()


class Loaded:
    """groups, hostvars (templated on access) and the manager of one inventory directory."""

    def __init__(self, root):
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.vars.hostvars import HostVars
        from ansible.vars.manager import VariableManager

        secrets = vault_secrets()
        loader = DataLoader()
        loader.set_vault_secrets(secrets)
        _activate(secrets)
        self.root = Path(root)
        self.manager = InventoryManager(loader=loader, sources=[str(root)])
        self.variables = VariableManager(loader=loader, inventory=self.manager)
        self.hostvars = HostVars(inventory=self.manager, variable_manager=self.variables, loader=loader)
        self.groups = {str(g): [str(h) for h in hosts] for g, hosts in self.manager.get_groups_dict().items()}

    def host(self, name):
        """The templated variables of one host (a mapping; vaulted values decrypt on str())."""
        return self.hostvars[name]


_cache = {}


def load(root, cached=True):
    """The loaded inventory at root; with ``cached``, reused while its files are unchanged (the
    pages read the live inventory many times; the checks of would-be copies pass cached=False)."""
    from clients.inventory import _state
    root = Path(root)
    state = _state(root) if cached else None
    with _load_lock:
        hit = _cache.get(root)
        if cached and hit and hit[0] == state and hit[2] == vault_secrets_key():
            return hit[1]
        loaded = Loaded(root)
        if cached:
            _cache[root] = (state, loaded, vault_secrets_key())
        return loaded


def vault_secrets_key():
    return (settings.PORTAL_VAULT_ID, settings.PORTAL_VAULT_PASSWORD_FILE)
