"""Audit entries: secrets masked before saving; the pages show each user only what they may see."""
import tempfile
from pathlib import Path

from django.test import TestCase, override_settings

from accounts.tests.helpers import BACKOFFICE, InventoryMixin, make_users
from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig
from audit.masking import mask
from audit.models import Entry, Result
from audit.record import record
from clients import keys

# A private key made for the test (none is committed).
KEY = keys.new_key("audit-test")[0].strip()
VAULT = """opt_private_key: !vault |
          $ANSIBLE_VAULT;1.2;AES256;portal
          62313365396662343061393464336163383764373764613633653634306231386433626436623361
          6134333665353966363534333632666535333761666131620a663537646436643130383735626634
          3764"""
SECRET = "x9" * 20


class MaskingTests(TestCase):
    def test_private_key_block(self):
        text = mask("key:\n%s\nend" % KEY)
        self.assertNotIn("b3BlbnNzaC1rZXktdjEAAAAABG5v", text)
        self.assertRegex(text, r"key:\n<private key: sha256 [0-9a-f]{12}>\nend")

    def test_truncated_private_key_block(self):
        text = mask("+" + KEY[:120])
        self.assertNotIn("b3BlbnNzaC1rZXktdjEAAAAABG5v", text)

    def test_vault_block_in_a_diff(self):
        diff = "\n".join("+" + line for line in VAULT.splitlines()) + "\n+opt_ip: 10.128.0.12"
        text = mask(diff)
        self.assertNotIn("6231336539", text)
        self.assertNotIn("3764", text)
        self.assertIn("+opt_private_key: !vault |", text)
        self.assertIn("<vault: sha256 ", text)
        self.assertIn("+opt_ip: 10.128.0.12", text)

    def test_passwords_and_secrets_but_not_vault_references(self):
        text = mask('password: hunter2hunter2\n"db_password": "s3cr3t! with spaces"\nopt_admin_signing_secret: abc123def456\n'
                    'token=zzz111\nopt_private_key: "{{ vault_opt_private_key }}"\nopt_ip: 10.128.0.10')
        for secret in ("hunter2hunter2", "s3cr3t!", "with spaces", "abc123def456", "zzz111"):
            self.assertNotIn(secret, text)
        self.assertIn('opt_private_key: "{{ vault_opt_private_key }}"', text)
        self.assertIn("opt_ip: 10.128.0.10", text)
        self.assertIn("password: ********", text)
        self.assertIn('"db_password": "********"', text)

    def test_signature_header(self):
        signature = _clientsig.sign(SECRET, "acme")
        text = mask("proxy_set_header X-OPT-Client-Signature %s;" % signature)
        self.assertNotIn(signature, text)
        self.assertIn("<signature: sha256 ", text)

    def test_the_portal_secrets_wherever_they_appear(self):
        with tempfile.TemporaryDirectory() as tmp:
            secret_file, vault_file = Path(tmp) / "signing", Path(tmp) / "vault"
            secret_file.write_text(SECRET + "\n")
            vault_file.write_text("the vault password 123\n")
            with override_settings(PORTAL_SIGNING_SECRET_FILE=str(secret_file),
                                   PORTAL_VAULT_PASSWORD_FILE=str(vault_file)):
                text = mask("changed %s and the vault password 123 in a sentence" % SECRET)
        self.assertEqual(text, "changed <signing secret> and <vault password> in a sentence")

    def test_record_masks_summary_and_diff_before_saving(self):
        entry = record(None, "site_edit", "new key %s" % KEY, client="acme", diff=VAULT)
        stored = Entry.objects.get(pk=entry.pk)
        self.assertNotIn("PRIVATE KEY-----\nb3Bl", stored.summary)
        self.assertIn("<private key: sha256 ", stored.summary)
        self.assertNotIn("62313365", stored.diff)


class AuditPageTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()
        for n in range(60):
            record(cls.users["tech"], "site_add", "acme change %d" % n, client="acme", result=Result.QUEUED)
        record(cls.users["tech"], "site_add", "globex change", client="globex", result=Result.REFUSED)
        record(cls.users["tech"], "user_create", "back-office only")

    def page(self, user, url, host=BACKOFFICE, **extra):
        self.client.force_login(user)
        return self.client.get(url, HTTP_HOST=host, **extra)

    def test_technician_sees_every_entry_paginated(self):
        response = self.page(self.users["tech"], "/audit/")
        self.assertContains(response, 'id="audit"')
        self.assertContains(response, 'class="entry"', count=50)
        self.assertContains(response, "back-office only")
        self.assertContains(response, 'data-result="refused"')
        response = self.page(self.users["tech"], "/audit/?page=2")
        self.assertContains(response, 'class="entry"', count=12)
        self.assertContains(response, 'data-action="site_add"')

    def test_client_page_shows_only_that_client(self):
        response = self.page(self.users["acme"], "/audit/client/acme/")
        self.assertContains(response, 'class="entry"', count=50)
        response = self.page(self.users["acme"], "/audit/client/acme/?page=2")
        self.assertContains(response, 'class="entry"', count=10)
        body = response.content.decode() + self.page(self.users["acme"], "/audit/client/acme/").content.decode()
        self.assertNotIn("globex change", body)
        self.assertNotIn("back-office only", body)
        self.assertEqual(self.page(self.users["acme"], "/audit/client/globex/").status_code, 404)
        self.assertEqual(self.page(self.users["acme"], "/audit/").status_code, 404)
        response = self.page(self.users["globex"], "/audit/client/globex/")
        self.assertContains(response, 'class="entry"', count=1)
        self.assertContains(response, 'data-result="refused"')
