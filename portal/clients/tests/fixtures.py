"""A throw-away inventory for the tests: a copy of the lab inventory in a git repository of its own,
its vault password as the portal's secret; the lab-only lookups (TLS files under the lab's state
directory) left out so that no lab is needed."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import override_settings

LAB = Path(settings.PROJECT_DIR) / "inventories" / "lab"


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


class InventoryMixin:
    """Sets self.repo, self.inventory and overrides the portal's settings for the test."""

    def setUp(self):
        super().setUp()
        self._tmp = tempfile.TemporaryDirectory(prefix="opt-portal-test-")
        self.repo = Path(self._tmp.name) / "repo"
        self.inventory = self.repo / "inventories" / "prod"
        shutil.copytree(LAB, self.inventory)
        docker_hosts = self.inventory / "group_vars" / "docker_hosts.yml"
        text = docker_hosts.read_text()
        text = re.sub(r"(?m)^opt_(tls_cert|tls_key|domain):.*\n", "", text)
        text = text.replace("opt_docker_url: \"unix://{{ lookup('ansible.builtin.env', 'LAB_SOCK') | "
                            "default('/run/coaxis-lab/docker.sock', true) }}\"",
                            "opt_docker_url: unix:///nonexistent/opt-portal-test.sock")
        docker_hosts.write_text(text)
        git(self.repo, "init", "-q", "-b", "main")
        git(self.repo, "add", "-A")
        git(self.repo, "-c", "user.name=Test", "-c", "user.email=test@example.test", "commit", "-q", "-m", "inventory")
        self._settings = override_settings(PORTAL_INVENTORY=self.inventory,
                                           PORTAL_VAULT_PASSWORD_FILE=str(self.inventory / "vault-password.txt"),
                                           PORTAL_VAULT_ID="lab", PORTAL_GIT_REMOTE="")
        self._settings.enable()

    def tearDown(self):
        self._settings.disable()
        self._tmp.cleanup()
        super().tearDown()

    def head(self):
        return git(self.repo, "rev-parse", "HEAD").strip()

    def read(self, rel):
        return (self.inventory / rel).read_text()

    def write(self, rel, text, message="hand edit"):
        (self.inventory / rel).write_text(text)
        git(self.repo, "add", "-A")
        git(self.repo, "-c", "user.name=Test", "-c", "user.email=test@example.test", "commit", "-q", "-m", message)
