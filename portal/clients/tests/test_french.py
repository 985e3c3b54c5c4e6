"""The clients app in French: every string of its catalog translated, and the pages use it."""
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from clients import engines
from clients.tests.test_views import OPT, PortalCase

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


class CatalogTests(SimpleTestCase):
    def test_every_string_is_translated_and_none_is_fuzzy(self):
        entries = CATALOG.read_text().split("\n\n")[1:]
        self.assertTrue(entries)
        for entry in entries:
            self.assertNotIn("#, fuzzy", entry)
            msgstr = "".join(re.findall(r'"(.*)"', entry.split("\nmsgstr ", 1)[1]))
            self.assertTrue(msgstr, entry)


@unittest.skipUnless(shutil.which("msgfmt"), "msgfmt (gettext) not installed")
class FrenchPageTests(PortalCase):
    def setUp(self):
        super().setUp()
        self._locale = tempfile.TemporaryDirectory(prefix="opt-portal-locale-")
        target = Path(self._locale.name) / "fr" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(CATALOG)], check=True)
        self._locale_settings = override_settings(LOCALE_PATHS=[self._locale.name])
        self._locale_settings.enable()

    def tearDown(self):
        self._locale_settings.disable()
        self._locale.cleanup()
        super().tearDown()

    def test_client_list_in_french(self):
        self.as_user(self.tech)
        states = {"acme": {"state": "running", "id": "0123456789ab", "ip": "10.128.0.10"}}
        with mock.patch.object(engines, "container_states", return_value=states):
            response = self.client.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="fr", **OPT)
        self.assertContains(response, "Créer un client")
        self.assertContains(response, 'data-state="running">démarré')
        self.assertContains(response, 'data-state="absent">absent')
