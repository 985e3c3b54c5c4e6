"""fr and en for the whole interface: the language switch, and the catalogs complete and current
(accounts/i18ncheck.py runs makemessages on a copy and compares)."""
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase

from accounts.i18ncheck import literal_words, parse, problems
from accounts.tests.helpers import BACKOFFICE, InventoryMixin, make_users


class CatalogTests(SimpleTestCase):
    def test_catalogs_complete_and_current(self):
        found = problems(settings.PORTAL_DIR)
        self.assertEqual(found, [], "\n" + "\n".join(found))

    def test_the_check_catches_untranslated_fuzzy_and_stale(self):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "portal"
            shutil.copytree(settings.PORTAL_DIR, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
            (copy / "templates" / "extra.html").write_text(
                '{% load i18n %}{% translate "A string nobody translated" %}{% translate "Log out" %}'
                '<p title="{% translate "Log out" %}">Forgot to mark this</p>')
            catalog = copy / "accounts" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
            text = catalog.read_text()
            text = text.replace('msgid "Deactivate"', '#, fuzzy\nmsgid "Deactivate"')
            text += '\nmsgid "A string no code uses"\nmsgstr "Une chaîne inutile"\n'
            catalog.write_text(text)
            audit = copy / "audit" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
            audit.write_text(audit.read_text().replace('msgstr "Journal d\'audit"', 'msgstr "Journal"'))
            found = "\n".join(problems(copy))
        self.assertIn("'A string nobody translated': no French text", found)
        self.assertIn("'Deactivate': fuzzy", found)
        self.assertIn("'A string no code uses' is no longer used", found)
        self.assertIn("'A string nobody translated' is missing from the committed catalog", found)
        self.assertNotIn("'Log out'", found)
        self.assertIn("templates/extra.html: text not marked for translation: Forgot to mark this", found)
        self.assertIn("'Audit log' is translated differently in two catalogs", found)
        self.assertIn("audit/locale/fr/LC_MESSAGES/django.po: 'Journal'", found)

    def test_literal_words_of_a_template(self):
        self.assertEqual(literal_words(
            '{% load i18n %}<h1>{% translate "Users" %}</h1>{{ user.email }} · Coaxis OPT &nbsp; #{{ job.pk }}'
            '{% blocktranslate with n=1 %}Page {{ n }}{% endblocktranslate %}<code>add_client.yml</code>'
            '<td data-state="up">{{ state }}</td>{# a comment #}<!-- html comment -->'), [])
        self.assertEqual(literal_words('<td>Up</td><button>{% translate "Save" %} now</button>'), ["Up", "now"])
        self.assertEqual(literal_words('<tr translate="no"><th>ok</th><th>changed</th></tr><td>12 ms</td>'), [])

    def test_parse_reads_plurals_contexts_and_skips_obsolete(self):
        with tempfile.TemporaryDirectory() as tmp:
            po = Path(tmp) / "django.po"
            po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgctxt "menu"\nmsgid "One"\nmsgid_plural "Many"\n'
                          'msgstr[0] "Un"\nmsgstr[1] ""\n\n#~ msgid "Old"\n#~ msgstr "Vieux"\n\n'
                          'msgid "a \\"quoted\\"\\n"\n"continued"\nmsgstr "x"\n')
            entries = parse(po)
        self.assertEqual(entries[1], ("menu", "One", ["Un", ""], False))
        self.assertEqual(entries[2][1], 'a "quoted"\ncontinued')
        self.assertEqual(len(entries), 3)


class LanguageSwitchTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()

    def test_switch_to_french_and_back(self):
        response = self.client.get("/accounts/login/", HTTP_HOST=BACKOFFICE)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, 'id="login">Log in<')
        response = self.client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"}, HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 302)
        response = self.client.get("/accounts/login/", HTTP_HOST=BACKOFFICE)
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, 'id="login">Se connecter<')
        self.client.force_login(self.users["tech"])
        response = self.client.get("/accounts/users/", HTTP_HOST=BACKOFFICE)
        self.assertContains(response, "Utilisateurs")
        self.assertContains(response, "Se déconnecter")
        self.assertContains(response, "Désactiver")
        response = self.client.get("/audit/", HTTP_HOST=BACKOFFICE)
        self.assertContains(response, "Journal d'audit")
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"}, HTTP_HOST=BACKOFFICE)
        self.assertContains(self.client.get("/audit/", HTTP_HOST=BACKOFFICE), "Audit log")

    def test_browser_language_picks_french(self):
        response = self.client.get("/accounts/login/", HTTP_HOST=BACKOFFICE, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
        self.assertContains(response, '<html lang="fr">')
