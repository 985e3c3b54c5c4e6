"""Shared by the portal's tests: a private copy of the lab inventory (a git working copy of its
own, as the portal's inventory is), and one user per role."""
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from accounts.models import Role, User

BACKOFFICE = "opt.coaxis.test"
PASSWORD = "a long enough password 1"
GIT_ENV = {"GIT_AUTHOR_NAME": "tests", "GIT_AUTHOR_EMAIL": "tests@coaxis.test",
           "GIT_COMMITTER_NAME": "tests", "GIT_COMMITTER_EMAIL": "tests@coaxis.test", "PATH": "/usr/bin:/bin"}


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout.strip()


def inventory_copy():
    """A temporary copy of inventories/lab, committed in a repository of its own: (root, cleanup)."""
    parent = Path(tempfile.mkdtemp(prefix="portal-inventory-"))
    root = parent / "lab"
    shutil.copytree(settings.PROJECT_DIR / "inventories" / "lab", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "lab inventory")
    return root, lambda: shutil.rmtree(parent, ignore_errors=True)


class InventoryMixin:
    """The test class runs on its own copy of the lab inventory (settings.PORTAL_INVENTORY)."""

    @classmethod
    def setUpClass(cls):
        cls.inventory, cleanup = inventory_copy()
        cls.addClassCleanup(cleanup)
        override = override_settings(PORTAL_INVENTORY=cls.inventory)
        override.enable()
        cls.addClassCleanup(override.disable)
        super().setUpClass()


def make_users():
    """acme's and globex's administrators and a technician, all with PASSWORD."""
    return {
        "tech": User.objects.create_technician("tech@coaxis.test", PASSWORD, name="Tech"),
        "acme": User.objects.create_user("admin@acme.test", PASSWORD, role=Role.CLIENT_ADMIN, client="acme"),
        "globex": User.objects.create_user("admin@globex.test", PASSWORD, role=Role.CLIENT_ADMIN, client="globex"),
    }
