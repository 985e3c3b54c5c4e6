"""User management (back-office): list, create, set-password link and page, deactivation;
manage.py createtechnician."""
import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.helpers import BACKOFFICE, PASSWORD, InventoryMixin, make_users
from audit.models import Entry

NEW_PASSWORD = "Correct horse battery 42"


class UserPagesTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()

    def setUp(self):
        self.client.force_login(self.users["tech"])

    def get(self, url, **extra):
        return self.client.get(url, HTTP_HOST=BACKOFFICE, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, data or {}, HTTP_HOST=BACKOFFICE, **extra)

    def test_list_shows_every_user(self):
        response = self.get(reverse("accounts:users"))
        self.assertContains(response, 'id="users"')
        for user in self.users.values():
            self.assertContains(response, 'data-user="%s"' % user.email)
        self.assertContains(response, 'id="create-user"')

    def test_create_client_admin_then_set_password_then_log_in_on_its_host(self):
        response = self.get(reverse("accounts:user_create"))
        for field in ("id_email", "id_name", "id_role", "id_client", 'id="create-user"'):
            self.assertContains(response, field)
        # The client choices are the inventory's clients.
        self.assertContains(response, '<option value="acme">')
        self.assertContains(response, '<option value="globex">')
        response = self.post(reverse("accounts:user_create"), {
            "email": "Boss@Acme.test", "name": "Boss", "role": "client_admin", "client": "acme"}, follow=True)
        user = User.objects.get(email="boss@acme.test")
        self.assertEqual((user.role, user.client, user.has_usable_password()), ("client_admin", "acme", False))
        link = re.search(r'<a id="reset-link" href="([^"]+)"', response.content.decode()).group(1)
        self.assertTrue(link.startswith("http://opt.coaxis.test/accounts/reset/"), link)
        self.assertTrue(Entry.objects.filter(action="user_create", client="acme", user_email="tech@coaxis.test").exists())

        self.client.logout()
        path = link.split("opt.coaxis.test", 1)[1]
        response = self.client.get(path, HTTP_HOST="acme.coaxis.test", follow=True)
        self.assertContains(response, 'id="id_new_password1"')
        self.assertContains(response, 'id="set-password"')
        form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
        # The password validators are on.
        response = self.client.post(form_url, {"new_password1": "short", "new_password2": "short"},
                                    HTTP_HOST="acme.coaxis.test")
        self.assertContains(response, 'class="errorlist')
        self.assertFalse(User.objects.get(pk=user.pk).has_usable_password())
        response = self.client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                                    HTTP_HOST="acme.coaxis.test")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(pk=user.pk).check_password(NEW_PASSWORD))
        # The link is spent.
        response = self.client.get(path, HTTP_HOST="acme.coaxis.test", follow=True)
        self.assertContains(response, 'id="invalid-link"')
        response = self.client.post(reverse("accounts:login"), {"username": "boss@acme.test", "password": NEW_PASSWORD},
                                    HTTP_HOST="acme.coaxis.test")
        self.assertEqual(response.status_code, 302)

    def test_client_admin_needs_a_client_and_technician_has_none(self):
        response = self.post(reverse("accounts:user_create"), {"email": "a@x.test", "role": "client_admin", "client": ""})
        self.assertContains(response, "A client administrator needs a client.")
        response = self.post(reverse("accounts:user_create"), {"email": "t@x.test", "role": "technician", "client": "acme"})
        self.assertContains(response, "A technician belongs to no client.")
        response = self.post(reverse("accounts:user_create"), {"email": "a@x.test", "role": "client_admin", "client": "nosuch"})
        self.assertContains(response, 'class="errorlist')
        response = self.post(reverse("accounts:user_create"), {"email": "ADMIN@acme.test", "role": "client_admin", "client": "acme"})
        self.assertContains(response, "A user with this email address already exists.")
        self.assertEqual(User.objects.count(), 3)
        response = self.post(reverse("accounts:user_create"), {"email": "t@x.test", "role": "technician", "client": ""})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(User.objects.get(email="t@x.test").role, Role.TECHNICIAN)

    def test_reset_link_for_an_existing_user(self):
        response = self.get(reverse("accounts:user_reset", kwargs={"pk": self.users["globex"].pk}))
        self.assertContains(response, 'id="reset-link"')
        self.assertContains(response, "http://opt.coaxis.test/accounts/reset/")
        self.assertContains(response, "for 3 days at most")
        self.assertEqual(self.get(reverse("accounts:user_reset", kwargs={"pk": 999999})).status_code, 404)
        self.assertContains(self.get(reverse("accounts:user_reset", kwargs={"pk": self.users["globex"].pk}),
                                     HTTP_ACCEPT_LANGUAGE="fr"), "pendant 3 jours au plus")

    def test_deactivate_then_login_refused_then_reactivate(self):
        target = self.users["acme"]
        self.assertEqual(self.get(reverse("accounts:user_deactivate", kwargs={"pk": target.pk})).status_code, 405)
        response = self.post(reverse("accounts:user_deactivate", kwargs={"pk": target.pk}))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(User.objects.get(pk=target.pk).is_active)
        self.assertTrue(Entry.objects.filter(action="user_deactivate", client="acme").exists())
        other = self.client_class()
        response = other.post(reverse("accounts:login"), {"username": target.email, "password": PASSWORD},
                              HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist')
        self.post(reverse("accounts:user_deactivate", kwargs={"pk": target.pk}), {"active": "1"})
        self.assertTrue(User.objects.get(pk=target.pk).is_active)

    def test_deactivated_user_session_ends(self):
        other = self.client_class()
        other.force_login(self.users["acme"])
        self.assertEqual(other.get("/clients/acme/", HTTP_HOST=BACKOFFICE).status_code, 200)
        self.post(reverse("accounts:user_deactivate", kwargs={"pk": self.users["acme"].pk}))
        response = other.get("/clients/acme/", HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)

    def test_technician_cannot_deactivate_themself(self):
        self.post(reverse("accounts:user_deactivate", kwargs={"pk": self.users["tech"].pk}))
        self.assertTrue(User.objects.get(pk=self.users["tech"].pk).is_active)


class CreateTechnicianTests(TestCase):
    def run_command(self, *args):
        out = StringIO()
        call_command("createtechnician", *args, stdout=out)
        return out.getvalue()

    def test_creates_once_then_says_it_exists(self):
        out = self.run_command("--email", "Alice@Coaxis.test", "--name", "Alice")
        password = re.search(r"first password: (\S+)", out).group(1)
        user = User.objects.get(email="alice@coaxis.test")
        self.assertEqual((user.role, user.name, user.client), ("technician", "Alice", ""))
        self.assertTrue(user.check_password(password))
        self.assertGreaterEqual(len(password), 20)
        out = self.run_command("--email", "alice@coaxis.test")
        self.assertIn("exists already", out)
        self.assertIn("exists already", self.run_command("--email", "ALICE@coaxis.test"))
        self.assertNotIn("password", out)
        self.assertEqual(User.objects.count(), 1)
        self.assertTrue(User.objects.get().check_password(password))

    def test_reset_password_gives_an_existing_technician_a_new_one(self):
        first = self.run_command("--email", "bob@coaxis.test").strip().splitlines()[-1].split()[-1]
        again = self.run_command("--email", "bob@coaxis.test", "--reset-password").strip().splitlines()[-1].split()[-1]
        self.assertNotEqual(first, again)
        user = User.objects.get(email="bob@coaxis.test")
        self.assertTrue(user.check_password(again))
        self.assertFalse(user.check_password(first))
        # On a new address it simply creates the technician.
        made = self.run_command("--email", "carol@coaxis.test", "--reset-password").strip().split()[-1]
        self.assertTrue(User.objects.get(email="carol@coaxis.test").check_password(made))

    def test_a_client_administrator_is_not_turned_into_a_technician(self):
        User.objects.create_user("admin@acme.test", PASSWORD, role=Role.CLIENT_ADMIN, client="acme")
        with self.assertRaises(CommandError):
            self.run_command("--email", "admin@acme.test", "--reset-password")
        user = User.objects.get(email="admin@acme.test")
        self.assertEqual(user.role, Role.CLIENT_ADMIN)
        self.assertTrue(user.check_password(PASSWORD))

    def test_bad_email_refused(self):
        with self.assertRaises(CommandError):
            self.run_command("--email", "not-an-address")
        self.assertEqual(User.objects.count(), 0)
