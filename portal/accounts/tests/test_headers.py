"""The host a request came through, and X-OPT-Client, only narrow; CSRF on every POST."""
import tempfile
from pathlib import Path

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from accounts import signing
from accounts.models import Role, User
from accounts.tests.helpers import BACKOFFICE, PASSWORD, InventoryMixin, make_users
from ansible_collections.coaxis.opt.plugins.module_utils import _clientsig

SECRET = "s" * 40


class HeaderTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()
        cls.zenith = User.objects.create_user("admin@zenith.test", PASSWORD, role=Role.CLIENT_ADMIN, client="zenith")

    def get(self, user, url, host=BACKOFFICE, **extra):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client.get(url, HTTP_HOST=host, **extra)

    def test_client_header_narrows_a_client_admin(self):
        # acme's administrator reaches acme, also through acme's own nginx...
        self.assertEqual(self.get(self.users["acme"], "/clients/acme/").status_code, 200)
        self.assertEqual(self.get(self.users["acme"], "/clients/acme/", "acme.coaxis.test",
                                  HTTP_X_OPT_CLIENT="acme").status_code, 200)
        # ...but a header naming acme gives zenith's administrator nothing.
        self.assertEqual(self.get(self.zenith, "/clients/acme/", "acme.coaxis.test",
                                  HTTP_X_OPT_CLIENT="acme").status_code, 404)
        self.assertEqual(self.get(self.zenith, "/audit/client/acme/", HTTP_X_OPT_CLIENT="acme").status_code, 404)

    def test_technician_through_a_client_host(self):
        tech = self.users["tech"]
        self.assertEqual(self.get(tech, "/clients/globex/").status_code, 200)
        self.assertEqual(self.get(tech, "/accounts/users/").status_code, 200)
        through_acme = {"host": "acme.coaxis.test", "HTTP_X_OPT_CLIENT": "acme"}
        self.assertEqual(self.get(tech, "/clients/acme/", **through_acme).status_code, 200)
        self.assertEqual(self.get(tech, "/clients/globex/", **through_acme).status_code, 404)
        for url in ("/accounts/users/", "/clients/", "/audit/", "/jobs/", "/accounts/users/create/"):
            self.assertEqual(self.get(tech, url, **through_acme).status_code, 404, url)
        # The subdomain alone narrows too.
        self.assertEqual(self.get(tech, "/clients/globex/", "acme.coaxis.test").status_code, 404)
        self.assertEqual(self.get(tech, "/accounts/users/", "acme.coaxis.test").status_code, 404)

    def test_anonymous_with_the_header_goes_to_login(self):
        response = self.get(None, "/clients/acme/", "acme.coaxis.test", HTTP_X_OPT_CLIENT="acme")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))

    def test_wrong_signature_refused_when_the_portal_has_the_secret(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "secret"
            path.write_text(SECRET + "\n")
            signing._secret.cache_clear()
            self.addCleanup(signing._secret.cache_clear)
            with override_settings(PORTAL_SIGNING_SECRET_FILE=str(path)):
                good = _clientsig.sign(SECRET, "acme")
                ok = self.get(self.users["acme"], "/clients/acme/", "acme.coaxis.test",
                              HTTP_X_OPT_CLIENT="acme", HTTP_X_OPT_CLIENT_SIGNATURE=good)
                self.assertEqual(ok.status_code, 200)
                for signature in ("0" * 64, _clientsig.sign(SECRET, "globex"), ""):
                    response = self.get(self.users["acme"], "/clients/acme/", "acme.coaxis.test",
                                        HTTP_X_OPT_CLIENT="acme", HTTP_X_OPT_CLIENT_SIGNATURE=signature)
                    self.assertEqual(response.status_code, 403, signature)
                # Also before login: the login page itself.
                response = self.get(None, "/accounts/login/", "acme.coaxis.test", HTTP_X_OPT_CLIENT="acme",
                                    HTTP_X_OPT_CLIENT_SIGNATURE="0" * 64)
                self.assertEqual(response.status_code, 403)

    def test_unknown_subdomain_is_404(self):
        self.assertEqual(self.get(None, "/accounts/login/", "nosuch.coaxis.test").status_code, 404)

    def test_login_on_another_client_host_refused(self):
        client = Client()
        response = client.post("/accounts/login/", {"username": "admin@globex.test", "password": PASSWORD},
                               HTTP_HOST="acme.coaxis.test", HTTP_X_OPT_CLIENT="acme")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This account cannot log in here.")
        self.assertNotIn("_auth_user_id", client.session)
        response = client.post("/accounts/login/", {"username": "admin@globex.test", "password": PASSWORD},
                               HTTP_HOST="globex.coaxis.test", HTTP_X_OPT_CLIENT="globex")
        self.assertEqual(response.status_code, 302)


class CsrfTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()

    def csrf_client(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/accounts/login/", HTTP_HOST=BACKOFFICE)  # sets the csrftoken cookie
        return client, client.cookies["csrftoken"].value

    def test_login_needs_the_token(self):
        client, token = self.csrf_client()
        data = {"username": "admin@acme.test", "password": PASSWORD}
        refused = client.post("/accounts/login/", data, HTTP_HOST=BACKOFFICE)
        self.assertEqual(refused.status_code, 403)
        self.assertContains(refused, 'id="csrf-refused"', status_code=403)
        response = client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": token}, HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)

    def test_logout_needs_the_token(self):
        client, token = self.csrf_client()
        client.force_login(self.users["acme"])
        self.assertEqual(client.post("/accounts/logout/", HTTP_HOST=BACKOFFICE).status_code, 403)
        self.assertIn("_auth_user_id", client.session)
        self.assertEqual(client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}, HTTP_HOST=BACKOFFICE).status_code, 302)
        self.assertNotIn("_auth_user_id", client.session)

    def test_change_forms_need_the_token(self):
        client, token = self.csrf_client()
        client.force_login(self.users["tech"])
        data = {"email": "new@acme.test", "role": "client_admin", "client": "acme"}
        self.assertEqual(client.post(reverse("accounts:user_create"), data, HTTP_HOST=BACKOFFICE).status_code, 403)
        self.assertFalse(User.objects.filter(email="new@acme.test").exists())
        target = reverse("accounts:user_deactivate", kwargs={"pk": self.users["acme"].pk})
        self.assertEqual(client.post(target, HTTP_HOST=BACKOFFICE).status_code, 403)
        self.assertTrue(User.objects.get(pk=self.users["acme"].pk).is_active)
        self.assertEqual(client.post("/i18n/setlang/", {"language": "fr"}, HTTP_HOST=BACKOFFICE).status_code, 403)
        response = client.post(reverse("accounts:user_create"), {**data, "csrfmiddlewaretoken": token}, HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.filter(email="new@acme.test").exists())

    def test_every_post_form_carries_the_token(self):
        client = Client()
        client.force_login(self.users["tech"])
        for url in ("/accounts/users/", "/accounts/users/create/", "/clients/"):
            body = client.get(url, HTTP_HOST=BACKOFFICE).content.decode()
            forms = body.count('method="post"')
            self.assertGreater(forms, 0, url)
            self.assertEqual(body.count('name="csrfmiddlewaretoken"'), forms, url)
