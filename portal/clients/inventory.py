"""The inventory, read the way Ansible reads it: the clients (hosts of opt_clients), their
Docker host and their variables. It is the portal's model of a client; the database holds none.

Reads are cached per inventory state (the git HEAD and the files' modification times), so a page
costs one stat walk, not one parse, until the inventory changes.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

CLIENT_GROUP = "opt_clients"
DOCKER_HOST_GROUP = "docker_hosts"


@dataclass(frozen=True)
class Client:
    name: str
    docker_host: str
    subdomain: str
    ip: str
    sites: list = field(default_factory=list)
    # Every variable of the host, untemplated (vault references stay references).
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    root: Path
    clients: dict
    docker_hosts: dict

    def names(self):
        return sorted(self.clients)

    def client(self, name):
        return self.clients.get(name)

    def by_subdomain(self, subdomain):
        for client in self.clients.values():
            if client.subdomain and client.subdomain == subdomain:
                return client
        return None


def _state(root):
    """What changes when the inventory changes: its files' names, sizes and mtimes."""
    stamp = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name != ".git")
        for name in sorted(files):
            info = os.stat(os.path.join(folder, name))
            stamp.append((folder, name, info.st_size, info.st_mtime_ns))
    return tuple(stamp)


def _plain(value):
    """Ansible's tagged containers as plain Python (vault values left as their object)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value).__name__ in ("AnsibleVaultEncryptedUnicode", "EncryptedString"):
        return value
    if isinstance(value, str):
        return str(value)
    return value


def parse(root):
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(root)])
    variables = VariableManager(loader=loader, inventory=manager)
    groups = manager.get_groups_dict()
    docker_hosts = {}
    for name in groups.get(DOCKER_HOST_GROUP, []):
        docker_hosts[name] = _plain(variables.get_vars(host=manager.get_host(name), include_hostvars=False))
    clients = {}
    for name in groups.get(CLIENT_GROUP, []):
        hv = _plain(variables.get_vars(host=manager.get_host(name), include_hostvars=False))
        clients[name] = Client(
            name=name,
            docker_host=str(hv.get("opt_docker_host") or ""),
            subdomain=str(hv.get("opt_subdomain") or ""),
            ip=str(hv.get("opt_ip") or ""),
            sites=list(hv.get("opt_sites") or []),
            variables=hv,
        )
    return Inventory(root=Path(root), clients=clients, docker_hosts=docker_hosts)


_cache = {}
_lock = threading.Lock()


def load(root=None):
    """The inventory at root (default settings.PORTAL_INVENTORY), parsed once per state."""
    root = Path(root or settings.PORTAL_INVENTORY)
    state = _state(root)
    with _lock:
        cached = _cache.get(root)
        if cached and cached[0] == state:
            return cached[1]
    inventory = parse(root)
    with _lock:
        _cache[root] = (state, inventory)
    return inventory
