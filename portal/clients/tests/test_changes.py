"""A change: checked with the collection's whole-inventory check, then written, committed and diffed;
refused with the collection's messages and nothing touched."""
import threading
from unittest import mock

from django.test import TestCase
from django.utils import translation

from clients import changes, keys, yamledit
from clients.tests.fixtures import InventoryMixin, git

from accounts.models import User

PRINTER = {"name": "compta2", "address": "10.131.1.22", "listen_port": 9103}


def add_printer(site, printer, client="acme"):
    rel = "host_vars/%s/main.yml" % client

    def edit(read):
        doc = yamledit.load(read(rel))
        yamledit.add_printer(doc, site, printer)
        return {rel: doc.dump()}
    return edit


class ChangeTests(InventoryMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.user = User.objects.create_user("admin@acme.example", "x" * 20, role="client_admin", client="acme",
                                             name="Acme Admin")

    def test_valid_change_is_committed_by_the_user_with_its_diff(self):
        before = self.head()
        result = changes.apply_change("acme", self.user, "portal: acme: add printer compta2",
                                      add_printer("lyon", PRINTER), "en")
        self.assertNotEqual(result.sha, before)
        self.assertEqual(result.sha, self.head())
        log = git(self.repo, "log", "-1", "--format=%an <%ae>|%s")
        self.assertEqual(log.strip(), "Acme Admin <admin@acme.example>|portal: acme: add printer compta2")
        self.assertEqual(git(self.repo, "show", "--name-only", "--format=", "HEAD").split(),
                         ["inventories/prod/host_vars/acme/main.yml"])
        self.assertIn("+      - name: compta2", result.diff)
        self.assertEqual(git(self.repo, "status", "--porcelain"), "")

    def test_invalid_change_is_refused_with_the_collection_s_message_and_nothing_changes(self):
        before, text = self.head(), self.read("host_vars/acme/main.yml")
        bad = dict(PRINTER, listen_port=9101)  # accueil's port on lyon
        for lang, word in (("en", "used by"), ("fr", "utilisé par")):
            with translation.override(lang), self.assertRaises(changes.Refused) as refused:
                changes.apply_change("acme", self.user, "portal: acme: add printer compta2",
                                     add_printer("lyon", bad), lang)
            self.assertTrue(any("9101" in e and word in e for e in refused.exception.errors), refused.exception.errors)
        self.assertEqual(self.head(), before)
        self.assertEqual(self.read("host_vars/acme/main.yml"), text)
        self.assertEqual(git(self.repo, "status", "--porcelain"), "")

    def test_host_wide_error_blocks_even_when_already_there(self):
        self.write("host_vars/lab-docker-host/main.yml", "opt_docker_url: ftp://nowhere\n")
        with self.assertRaises(changes.Refused) as refused:
            changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en")
        self.assertTrue(any(e.startswith("lab-docker-host: ") for e in refused.exception.errors))

    def test_another_broken_client_warns_without_blocking(self):
        globex = self.read("host_vars/globex/main.yml").replace("listen_port: 9101", "listen_port: 80")
        self.write("host_vars/globex/main.yml", globex, "globex broken by hand")
        result = changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en")
        self.assertEqual(result.sha, self.head())
        self.assertTrue(result.warnings and all("globex" in w for w in result.warnings), result.warnings)

    def test_a_new_error_in_the_edited_client_blocks_even_if_others_are_broken(self):
        globex = self.read("host_vars/globex/main.yml").replace("listen_port: 9101", "listen_port: 80")
        self.write("host_vars/globex/main.yml", globex, "globex broken by hand")
        with self.assertRaises(changes.Refused) as refused:
            changes.apply_change("acme", self.user, "m", add_printer("lyon", dict(PRINTER, address="")), "en")
        self.assertTrue(all("globex" not in e for e in refused.exception.errors), refused.exception.errors)

    def test_no_change_commits_nothing(self):
        before = self.head()
        self.assertIsNone(changes.apply_change("acme", self.user, "m",
                                               lambda read: {"host_vars/acme/main.yml": read("host_vars/acme/main.yml")},
                                               "en"))
        self.assertEqual(self.head(), before)

    def test_git_failure_puts_the_files_back(self):
        text = self.read("host_vars/acme/main.yml")
        real = changes.git

        def failing(top, *args, **kw):
            if args[0] == "commit":
                raise changes.GitError("git commit: refused")
            return real(top, *args, **kw)
        with mock.patch.object(changes, "git", failing), self.assertRaises(changes.GitError):
            changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en")
        self.assertEqual(self.read("host_vars/acme/main.yml"), text)
        self.assertEqual(git(self.repo, "status", "--porcelain"), "")

    def test_writers_are_serialised_and_the_wait_is_bounded(self):
        git_dir = self.repo / ".git"
        held, release = threading.Event(), threading.Event()

        def holder():
            with changes._Lock(git_dir):
                held.set()
                release.wait(10)
        thread = threading.Thread(target=holder)
        thread.start()
        held.wait(5)
        try:
            with mock.patch.object(changes, "LOCK_WAIT", 0.3), self.assertRaises(changes.Busy):
                changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en")
        finally:
            release.set()
            thread.join(10)
        self.assertIsNotNone(changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en"))

    def test_push_when_a_remote_is_set(self):
        remote = self.repo.parent / "remote.git"
        git(self.repo.parent, "init", "-q", "--bare", str(remote))
        git(self.repo, "remote", "add", "origin", str(remote))
        with self.settings(PORTAL_GIT_REMOTE="origin"):
            result = changes.apply_change("acme", self.user, "m", add_printer("lyon", PRINTER), "en")
        self.assertEqual(git(remote, "rev-parse", "main").strip(), result.sha)


# A key's first line, from a key made here (no key text is committed).
BEGIN_LINE = keys.new_key("mask-test")[0].splitlines()[0]


class MaskTests(TestCase):
    def test_vault_ciphertext_and_private_keys_are_masked(self):
        diff = ("+++ b/host_vars/z/vault.yml\n+vault_opt_private_key: !vault |\n"
                "+          $ANSIBLE_VAULT;1.2;AES256;portal\n+          3531346435396437613035633336\n"
                "+          6238383838383838383838383838\n" + BEGIN_LINE + "\n+opt_ip: 10.128.0.12\n")
        out = changes.mask(diff)
        self.assertNotIn("3531346435396437613035633336", out)
        self.assertNotIn("ANSIBLE_VAULT", out)
        self.assertNotIn("BEGIN OPENSSH", out)
        self.assertIn("+opt_ip: 10.128.0.12", out)
        self.assertIn("+vault_opt_private_key: !vault |", out)

    def test_a_private_key_is_masked_whole_to_its_last_short_line(self):
        private = keys.new_key("mask-test")[0]
        diff = "+a: 1\n" + "".join("+      %s\n" % line for line in private.splitlines()) + "+b: 2\n"
        out = changes.mask(diff)
        self.assertEqual(out, "+a: 1\n+    (secret masked)\n+b: 2\n")


class UnreadableTests(InventoryMixin, TestCase):
    def test_a_variable_that_cannot_be_templated_refuses_with_ansible_s_error(self):
        user = User.objects.create_technician("tech@coaxis.test", "x" * 20)
        self.write("host_vars/lab-docker-host/main.yml",
                   "opt_admin_url: \"{{ lookup('ansible.builtin.file', '/nonexistent/opt-portal-test') }}\"\n")
        before = self.head()
        with self.assertRaises(changes.Refused) as refused:
            changes.apply_change("acme", user, "m", add_printer("lyon", PRINTER), "en")
        self.assertIn("/nonexistent/opt-portal-test", refused.exception.errors[0])
        self.assertEqual(self.head(), before)
