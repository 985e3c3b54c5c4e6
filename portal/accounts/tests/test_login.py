"""Login, throttling, session expiry, logout, the cache table."""
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import throttle
from accounts.tests.helpers import BACKOFFICE, PASSWORD, InventoryMixin, make_users
from audit.models import Entry

LOGIN = "/accounts/login/"
THROTTLED_EN = "Too many failed logins for this account or from this address"
THROTTLED_FR = "échecs de connexion pour ce compte ou depuis cette adresse"


class LoginTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()

    def setUp(self):
        cache.clear()

    def login(self, email, password, host=BACKOFFICE, **extra):
        return self.client.post(reverse("accounts:login"), {"username": email, "password": password},
                                HTTP_HOST=host, **extra)

    def test_technician_lands_on_client_list(self):
        response = self.client.post(reverse("accounts:login"), {"username": "tech@coaxis.test", "password": PASSWORD},
                                    HTTP_HOST=BACKOFFICE, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="clients"')

    def test_wrong_password_is_refused_with_the_usual_text(self):
        response = self.login("admin@acme.test", "not the password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist')
        self.assertNotContains(response, THROTTLED_EN)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=3, PORTAL_LOGIN_WINDOW=600)
    def test_account_throttled_after_the_allowed_failures_even_with_the_right_password(self):
        # The right password works before the failures: the refusal below is the throttle's.
        self.assertEqual(self.login("admin@acme.test", PASSWORD).status_code, 302)
        self.client.logout()
        for n in range(3):
            response = self.login("admin@acme.test", "wrong %d" % n, REMOTE_ADDR="10.0.0.%d" % (n + 1))
            self.assertNotContains(response, THROTTLED_EN)
        # From yet another address, the account is throttled: the right password is not even checked.
        response = self.login("admin@acme.test", PASSWORD, REMOTE_ADDR="10.0.0.9")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, THROTTLED_EN)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from that address is not affected.
        self.assertEqual(self.login("admin@globex.test", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code, 302)
        # One audit entry for the lockout, on the account's client, not one per attempt.
        entries = Entry.objects.filter(action="login_throttled")
        self.assertEqual([(e.client, e.result) for e in entries], [("acme", "refused")])
        self.assertIn("account 'admin@acme.test'", entries[0].summary)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=3, PORTAL_LOGIN_WINDOW=600)
    def test_address_throttled_across_accounts(self):
        for n in range(3):
            self.login("nobody%d@coaxis.test" % n, "wrong", REMOTE_ADDR="10.0.0.5")
        response = self.login("admin@globex.test", PASSWORD, REMOTE_ADDR="10.0.0.5")
        self.assertContains(response, THROTTLED_EN)
        self.assertEqual(self.login("admin@globex.test", PASSWORD, REMOTE_ADDR="10.0.0.6").status_code, 302)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=2, PORTAL_LOGIN_WINDOW=600)
    def test_throttled_password_is_not_checked(self):
        for _ in range(2):
            self.login("admin@acme.test", "wrong")
        from unittest import mock
        with mock.patch("django.contrib.auth.forms.authenticate") as authenticate:
            response = self.login("admin@acme.test", PASSWORD)
        authenticate.assert_not_called()
        self.assertContains(response, THROTTLED_EN)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=2, PORTAL_LOGIN_WINDOW=600)
    def test_throttle_message_in_french(self):
        for _ in range(2):
            self.login("admin@acme.test", "wrong")
        response = self.login("admin@acme.test", PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, THROTTLED_FR)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=2, PORTAL_LOGIN_WINDOW=600)
    def test_window_lapses(self):
        from unittest import mock
        import time
        start = time.time()
        with mock.patch("accounts.throttle.time.time", return_value=start):
            for _ in range(2):
                self.login("admin@acme.test", "wrong")
            self.assertContains(self.login("admin@acme.test", PASSWORD), THROTTLED_EN)
        with mock.patch("accounts.throttle.time.time", return_value=start + 601):
            self.assertEqual(self.login("admin@acme.test", PASSWORD).status_code, 302)

    @override_settings(PORTAL_LOGIN_ATTEMPTS=3, PORTAL_LOGIN_WINDOW=600)
    def test_success_forgets_the_account_failures(self):
        for _ in range(2):
            self.login("admin@acme.test", "wrong", REMOTE_ADDR="10.0.1.1")
        self.assertEqual(self.login("admin@acme.test", PASSWORD, REMOTE_ADDR="10.0.1.2").status_code, 302)
        self.client.logout()
        for _ in range(2):
            self.login("admin@acme.test", "wrong", REMOTE_ADDR="10.0.1.3")
        self.assertEqual(self.login("admin@acme.test", PASSWORD, REMOTE_ADDR="10.0.1.4").status_code, 302)

    def test_failures_are_kept_in_the_database_cache(self):
        self.login("admin@acme.test", "wrong")
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM portal_cache")
            self.assertGreaterEqual(cursor.fetchone()[0], 2)

    def test_wrong_host_refused(self):
        response = self.login("admin@acme.test", PASSWORD, host="globex.coaxis.test")
        self.assertContains(response, "This account cannot log in here.")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.login("admin@acme.test", PASSWORD, host="acme.coaxis.test").status_code, 302)


class ClientAddressTests(TestCase):
    def meta(self, remote, forwarded=None):
        from django.test import RequestFactory
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_untrusted_peer_forwarded_header_ignored(self):
        with override_settings(PORTAL_TRUSTED_PROXIES=[]):
            self.assertEqual(throttle.client_address(self.meta("198.51.100.7", "10.9.9.9")), "198.51.100.7")

    def test_trusted_proxy_last_hop(self):
        from ipaddress import ip_network
        with override_settings(PORTAL_TRUSTED_PROXIES=[ip_network("10.128.0.0/16")]):
            # The browser forged the first entry; the edge appended the real one.
            request = self.meta("10.128.0.10", "6.6.6.6, 203.0.113.5")
            self.assertEqual(throttle.client_address(request), "203.0.113.5")
            self.assertEqual(throttle.client_address(self.meta("10.128.0.10", "junk")), "10.128.0.10")
            self.assertEqual(throttle.client_address(self.meta("10.127.0.1", "203.0.113.5")), "10.127.0.1")

    @override_settings(PORTAL_LOGIN_ATTEMPTS=2, PORTAL_LOGIN_WINDOW=600)
    def test_forged_first_hop_does_not_escape_the_throttle(self):
        from ipaddress import ip_network
        cache.clear()
        with override_settings(PORTAL_TRUSTED_PROXIES=[ip_network("127.0.0.1/32")]):
            for n in range(2):
                self.client.post(LOGIN, {"username": "x%d@coaxis.test" % n, "password": "wrong"},
                                 HTTP_HOST=BACKOFFICE, REMOTE_ADDR="127.0.0.1",
                                 HTTP_X_FORWARDED_FOR="6.6.6.%d, 203.0.113.5" % n)
            response = self.client.post(LOGIN, {"username": "y@coaxis.test", "password": "wrong"},
                                        HTTP_HOST=BACKOFFICE, REMOTE_ADDR="127.0.0.1",
                                        HTTP_X_FORWARDED_FOR="6.6.6.99, 203.0.113.5")
        self.assertContains(response, THROTTLED_EN)


class SessionTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()

    def test_session_cookie_ends_with_the_browser_and_expires_when_idle(self):
        response = self.client.post(LOGIN, {"username": "admin@acme.test", "password": PASSWORD}, HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies["opt_session"]
        self.assertEqual(cookie["expires"], "")  # no expiry date: gone when the browser closes
        self.assertTrue(cookie["httponly"])
        session = Session.objects.get()
        age = (session.expire_date - timezone.now()).total_seconds()
        self.assertAlmostEqual(age, 28800, delta=60)
        # Reachable while the session lives...
        self.assertEqual(self.client.get("/clients/acme/", HTTP_HOST=BACKOFFICE).status_code, 200)
        # ...each request pushes the expiry on (idle timeout)...
        Session.objects.update(expire_date=timezone.now() + timedelta(seconds=30))
        self.client.get("/clients/acme/", HTTP_HOST=BACKOFFICE)
        self.assertGreater((Session.objects.get().expire_date - timezone.now()).total_seconds(), 28000)
        # ...and once idle past its age, the next request goes to the login page.
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
        response = self.client.get("/clients/acme/", HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_logout_ends_the_session(self):
        self.client.force_login(self.users["acme"])
        self.assertEqual(self.client.get("/clients/acme/", HTTP_HOST=BACKOFFICE).status_code, 200)
        self.assertEqual(self.client.get(reverse("accounts:logout"), HTTP_HOST=BACKOFFICE).status_code, 405)
        response = self.client.post(reverse("accounts:logout"), HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Session.objects.count(), 0)
        response = self.client.get("/clients/acme/", HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_not_found_page_keeps_logout_and_language_switch(self):
        self.client.force_login(self.users["acme"])
        response = self.client.get("/clients/globex/", HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, 'id="not-found"', status_code=404)
        self.assertContains(response, 'id="logout"', status_code=404)
        self.assertContains(response, 'id="language"', status_code=404)
        response = self.client.get("/clients/globex/", HTTP_HOST=BACKOFFICE, HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, "Se déconnecter", status_code=404)

    def test_every_page_has_logout_and_language_switch(self):
        self.client.force_login(self.users["tech"])
        for url in ("/clients/", "/accounts/users/", "/audit/"):
            response = self.client.get(url, HTTP_HOST=BACKOFFICE)
            self.assertContains(response, 'id="logout"')
            self.assertContains(response, 'id="language"')
            self.assertContains(response, 'name="language" value="fr"')


class CacheTableTests(TestCase):
    def test_migrate_creates_the_cache_table(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE portal_cache")
        self.assertNotIn("portal_cache", connection.introspection.table_names())
        call_command("migrate", verbosity=0, interactive=False)
        self.assertIn("portal_cache", connection.introspection.table_names())
