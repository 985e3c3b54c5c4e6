"""The end of a client's life in the inventory. remove_client.yml needs the client in the inventory
(its Docker host, its volumes); once it has succeeded, the client is taken out, or the next converge
(site.yml, a fleet converge) would bring its container back.

    forget_client("zenith", user, lang)   # after the remove job succeeded

Commits "portal: zenith: forget client" (hosts.yml without it, its host_vars files deleted: the
vaulted key goes with them; git keeps the history).
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from clients import changes, yamledit
from clients.inventory import CLIENT_GROUP

HOSTS_FILES = ("hosts.yml", "hosts.yaml")


def forget_client(client, user, lang, root=None):
    """Take client out of the inventory (a Committed, or None when it was not there)."""
    root = Path(root or settings.PORTAL_INVENTORY)
    hosts_rel = next((name for name in HOSTS_FILES if (root / name).is_file()), HOSTS_FILES[0])
    folder = root / "host_vars" / client
    own = [str(path.relative_to(root)) for path in sorted(folder.rglob("*")) if path.is_file()] if folder.is_dir() else []
    single = root / "host_vars" / ("%s.yml" % client)
    if single.is_file():
        own.append(str(single.relative_to(root)))

    def edit(read):
        doc = yamledit.load(read(hosts_rel) or "")
        files = {rel: None for rel in own}
        if yamledit.remove_host_from_group(doc, CLIENT_GROUP, client):
            files[hosts_rel] = doc.dump()
        return files
    committed = changes.apply_change(client, user, "portal: %s: forget client" % client, edit, lang, root=root)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return committed
