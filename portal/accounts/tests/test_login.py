from django.test import TestCase
from django.urls import reverse

from accounts.models import User


class LoginTests(TestCase):
    def test_technician_lands_on_client_list(self):
        User.objects.create_technician("tech@coaxis.test", "a long enough password 1")
        response = self.client.post(reverse("accounts:login"),
                                    {"username": "tech@coaxis.test", "password": "a long enough password 1"},
                                    HTTP_HOST="opt.coaxis.test", follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="clients"')
