"""After its removal, the client leaves the inventory (or the next converge would bring it back)."""
import yaml
from django.test import TestCase

from accounts.models import User
from clients import lifecycle
from clients.tests.fixtures import InventoryMixin, git


class ForgetTests(InventoryMixin, TestCase):
    def test_forget_takes_the_client_out_and_keeps_the_rest(self):
        tech = User.objects.create_technician("tech@coaxis.test", "x" * 20, name="Tech")
        hosts_before = self.read("hosts.yml")
        result = lifecycle.forget_client("globex", tech, "en")
        self.assertEqual(result.sha, self.head())
        hosts = yaml.safe_load(self.read("hosts.yml"))
        self.assertEqual(list(hosts["all"]["children"]["opt_clients"]["hosts"]), ["acme"])
        self.assertEqual(self.read("hosts.yml"), hosts_before.replace("        globex:\n", ""))
        self.assertFalse((self.inventory / "host_vars" / "globex").exists())
        self.assertEqual(git(self.repo, "log", "-1", "--format=%s").strip(), "portal: globex: forget client")
        self.assertEqual(git(self.repo, "status", "--porcelain"), "")
        self.assertIsNone(lifecycle.forget_client("globex", tech, "en"))
