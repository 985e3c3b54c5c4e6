"""/healthz: what the container's health check, the edge and the clients' nginx rely on."""
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase, override_settings

from opt_portal import settings as portal_settings

SECRET = "a-signing-secret-of-32-characters-or-more"


def signature(client, secret=SECRET):
    return hmac.new(secret.encode(), client.encode(), hashlib.sha256).hexdigest()


class HealthTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = tempfile.TemporaryDirectory()
        cls.secret_file = Path(cls.folder.name) / "signing_secret"
        cls.secret_file.write_text(SECRET + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()
        super().tearDownClass()

    def test_healthy_without_login_on_the_back_office(self):
        answer = self.client.get("/healthz", HTTP_HOST="localhost")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json()["status"], "ok")
        self.assertEqual(answer.json()["database"], "ok")
        self.assertIsNone(answer.json()["client"])

    def test_with_a_slash_too_past_a_clients_nginx_whose_own_healthz_answers_for_the_container(self):
        answer = self.client.get("/healthz/?x=1", HTTP_HOST="localhost")
        self.assertEqual((answer.status_code, answer.json()["path"]), (200, "/healthz/?x=1"))

    def test_the_proxies_scheme_and_host_are_what_django_sees(self):
        answer = self.client.get("/healthz", HTTP_HOST="10.129.0.20:8000", HTTP_X_FORWARDED_HOST="opt.coaxis.test",
                                 HTTP_X_FORWARDED_PROTO="https")
        self.assertEqual((answer.json()["host"], answer.json()["scheme"]), ("opt.coaxis.test", "https"))

    def test_a_signed_client_header_names_the_client_and_a_forged_one_is_refused(self):
        with override_settings(PORTAL_SIGNING_SECRET_FILE=str(self.secret_file)):
            good = self.client.get("/healthz", HTTP_HOST="localhost", HTTP_X_OPT_CLIENT="acme",
                                   HTTP_X_OPT_CLIENT_SIGNATURE=signature("acme"))
            self.assertEqual((good.status_code, good.json()["client"]), (200, "acme"))
            for forged in (signature("globex"), signature("acme", SECRET + "x"), "", "0" * 64):
                answer = self.client.get("/healthz", HTTP_HOST="localhost", HTTP_X_OPT_CLIENT="acme",
                                         HTTP_X_OPT_CLIENT_SIGNATURE=forged)
                self.assertEqual(answer.status_code, 403, forged)


class SecretFileTests(TestCase):
    """Secrets come as files in a deployment (PORTAL_SECRET_KEY_FILE, PORTAL_DATABASE_URL_FILE)."""

    def test_the_variable_wins_then_the_file_then_the_default(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("from-the-file\n")
        try:
            with self.env(PORTAL_X=None, PORTAL_X_FILE=handle.name):
                self.assertEqual(portal_settings.env_or_file("PORTAL_X"), "from-the-file")
            with self.env(PORTAL_X="from-the-environment", PORTAL_X_FILE=handle.name):
                self.assertEqual(portal_settings.env_or_file("PORTAL_X"), "from-the-environment")
            with self.env(PORTAL_X=None, PORTAL_X_FILE=None):
                self.assertEqual(portal_settings.env_or_file("PORTAL_X", "default"), "default")
            with self.env(PORTAL_X=None, PORTAL_X_FILE=handle.name + ".missing"):
                with self.assertRaisesRegex(ImproperlyConfigured, "PORTAL_X_FILE: cannot read"):
                    portal_settings.env_or_file("PORTAL_X")
        finally:
            os.unlink(handle.name)

    @staticmethod
    def env(**values):
        from unittest import mock
        patched = {key: value for key, value in values.items() if value is not None}
        cleared = mock.patch.dict(os.environ, patched)

        class Both:
            def __enter__(self):
                cleared.__enter__()
                for key, value in values.items():
                    if value is None:
                        os.environ.pop(key, None)

            def __exit__(self, *exc):
                return cleared.__exit__(*exc)
        return Both()
