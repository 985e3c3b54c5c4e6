"""The clients pages through the test client: forms with the collection's messages, changes committed
then audited and applied, refusals that change nothing, the host-key pinning, the state read."""
from unittest import mock

import yaml
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from audit.models import Entry
from clients import engines, keys
from clients.tests.fixtures import InventoryMixin, git
from jobs.models import Job, Kind

LYON_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDUOG2VewaDO7QtihdYTPAR1AsbDfdT77OMZv4yVaqIw"
OPT = {"HTTP_HOST": "opt.coaxis.test"}
ACME = {"HTTP_HOST": "acme.coaxis.test"}


class PortalCase(InventoryMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.tech = User.objects.create_technician("tech@coaxis.test", "x" * 20, name="Tech")
        self.admin = User.objects.create_user("admin@acme.example", "x" * 20, role="client_admin", client="acme")
        self.other = User.objects.create_user("admin@globex.example", "x" * 20, role="client_admin", client="globex")

    def as_user(self, user):
        self.client.force_login(user)

    def main(self, client="acme"):
        return yaml.safe_load(self.read("host_vars/%s/main.yml" % client))


class ListTests(PortalCase):
    def test_unreachable_engine_renders_unknown_with_the_error(self):
        self.as_user(self.tech)
        response = self.client.get(reverse("clients:list"), **OPT)
        self.assertContains(response, 'id="create-client"')
        self.assertContains(response, '<tr data-client="acme">')
        self.assertContains(response, 'data-state="unknown"')
        self.assertContains(response, "nonexistent/opt-portal-test.sock")

    def test_one_engine_read_per_docker_host_and_absent_without_container(self):
        self.as_user(self.tech)
        states = {"acme": {"state": "running", "id": "0123456789ab", "ip": "10.128.0.10"}}
        with mock.patch.object(engines, "container_states", return_value=states) as read:
            response = self.client.get(reverse("clients:list"), **OPT)
        self.assertEqual(read.call_count, 1)  # two clients, one Docker host
        self.assertContains(response, 'class="state" data-state="running"', count=1)
        self.assertContains(response, 'class="state" data-state="absent"', count=1)
        self.assertContains(response, '<td class="container-id">0123456789ab</td>')

    def test_container_states_maps_the_engine_s_list(self):
        summaries = [
            {"Id": "a" * 64, "State": "running", "Labels": {"coaxis.opt.client": "acme"},
             "NetworkSettings": {"Networks": {"opt-clients": {"IPAddress": "10.128.0.10"}}}},
            {"Id": "b" * 64, "State": "exited", "Labels": {"coaxis.opt.client": "globex"}, "NetworkSettings": {}},
        ]
        fake = mock.Mock()
        fake.api.containers.return_value = summaries
        with mock.patch.object(engines, "connect", return_value=fake):
            states = engines.container_states(engines.Engine(url="unix:///x"), "en")
        self.assertEqual(states, {"acme": {"state": "running", "id": "a" * 12, "ip": "10.128.0.10"},
                                  "globex": {"state": "stopped", "id": "b" * 12, "ip": ""}})
        fake.api.containers.assert_called_once_with(all=True, filters={"label": engines.MANAGED})

    def test_client_admins_do_not_see_the_list(self):
        self.as_user(self.admin)
        self.assertEqual(self.client.get(reverse("clients:list"), **OPT).status_code, 404)


class DetailTests(PortalCase):
    def test_client_page_shows_sites_printers_key_and_actions(self):
        self.as_user(self.admin)
        response = self.client.get(reverse("clients:detail", kwargs={"client": "acme"}), **ACME)
        for needle in ('id="client-ip">10.128.0.10<', 'data-site="lyon"', 'data-printer="accueil"', 'class="add-printer"',
                       'class="edit-site"', 'id="add-site"', 'id="apply"', 'id="public-key">ssh-ed25519 '):
            self.assertContains(response, needle)
        self.assertNotContains(response, 'id="remove-client"')

    def test_public_key_is_the_vaulted_private_key_s(self):
        self.as_user(self.admin)
        response = self.client.get(reverse("clients:key", kwargs={"client": "acme"}), **ACME)
        self.assertContains(response, 'id="public-key">ssh-ed25519 AAAA')

    def test_other_client_s_admin_gets_404(self):
        self.as_user(self.other)
        for name in ("detail", "key", "site_add"):
            self.assertEqual(self.client.get(reverse("clients:" + name, kwargs={"client": "acme"}), **OPT).status_code,
                             404, name)


class SiteTests(PortalCase):
    def test_site_add_scans_then_pins_on_confirmation_then_commits_audits_and_applies(self):
        self.as_user(self.admin)
        before = self.head()
        response = self.client.post(reverse("clients:site_add", kwargs={"client": "acme"}),
                                    {"name": "nantes", "host": "10.130.0.10", "port": 22, "user": "coaxis"}, **ACME)
        self.assertRedirects(response, reverse("clients:site_hostkey", kwargs={"client": "acme", "site": "nantes"}),
                             fetch_redirect_response=False)
        self.assertEqual(self.head(), before)  # nothing written before the key is confirmed
        with mock.patch.object(engines, "scan_host_key", return_value=LYON_KEY) as scan:
            page = self.client.get(response.url, **ACME)
        self.assertEqual(scan.call_args.args[1:3], ("10.130.0.10", 22))
        self.assertContains(page, 'id="fingerprint">SHA256:')
        self.assertContains(page, 'id="scanned-key">%s<' % LYON_KEY)
        self.assertContains(page, 'id="confirm-hostkey"')
        done = self.client.post(response.url, {}, **ACME)
        self.assertNotEqual(self.head(), before)
        site = [s for s in self.main()["opt_sites"] if s["name"] == "nantes"][0]
        self.assertEqual(site, {"name": "nantes", "host": "10.130.0.10", "host_key": LYON_KEY})
        self.assertEqual(git(self.repo, "log", "-1", "--format=%ae %s").strip(),
                         "admin@acme.example portal: acme: add site nantes")
        job = Job.objects.get()
        self.assertEqual((job.kind, job.client, job.commit), (Kind.APPLY, "acme", self.head()))
        entry = Entry.objects.get()
        self.assertEqual((entry.action, entry.result, entry.commit, entry.job), ("site_add", "queued", self.head(), job))
        self.assertIn("+  - name: nantes", entry.diff)
        self.assertEqual(done.status_code, 302)

    def test_failed_scan_shows_the_error_and_offers_no_confirmation(self):
        self.as_user(self.admin)
        self.client.post(reverse("clients:site_add", kwargs={"client": "acme"}),
                         {"name": "nantes", "host": "10.130.0.99", "port": 22, "user": "coaxis"}, **ACME)
        url = reverse("clients:site_hostkey", kwargs={"client": "acme", "site": "nantes"})
        with mock.patch.object(engines, "scan_host_key", side_effect=engines.EngineError("No SSH server answered")):
            page = self.client.get(url, **ACME)
        self.assertContains(page, "No SSH server answered")
        self.assertNotContains(page, 'id="confirm-hostkey"')
        before = self.head()
        self.client.post(url, {}, **ACME)  # a confirmation without a scanned key pins nothing
        self.assertEqual(self.head(), before)

    def test_field_errors_are_the_collection_s_messages_in_the_user_s_language(self):
        self.as_user(self.admin)
        response = self.client.post(reverse("clients:site_add", kwargs={"client": "acme"}),
                                    {"name": "Lyon!", "host": "10.130.0.300", "port": 70000, "user": "coaxis"},
                                    HTTP_ACCEPT_LANGUAGE="fr", **ACME)
        self.assertContains(response, "nom de site invalide")
        self.assertContains(response, "10.130.0.300")
        self.assertContains(response, "70000")
        response = self.client.post(reverse("clients:site_add", kwargs={"client": "acme"}),
                                    {"name": "lyon", "host": "10.130.0.10", "port": 22, "user": "coaxis"}, **ACME)
        self.assertContains(response, "site lyon is listed 2 times")

    def test_site_edit_without_moving_commits_directly(self):
        self.as_user(self.admin)
        response = self.client.post(reverse("clients:site_edit", kwargs={"client": "acme", "site": "paris"}),
                                    {"name": "paris", "host": "10.130.0.11", "port": 22, "user": "coaxis",
                                     "upload_kbps": 2048}, **ACME)
        self.assertEqual(response.status_code, 302)
        paris = [s for s in self.main()["opt_sites"] if s["name"] == "paris"][0]
        self.assertEqual(paris["upload_kbps"], 2048)
        self.assertIn("# The site's SSH host key, pinned", self.read("host_vars/acme/main.yml"))

    def test_site_remove(self):
        self.as_user(self.admin)
        self.client.post(reverse("clients:site_remove", kwargs={"client": "acme", "site": "paris"}), **ACME)
        self.assertEqual([s["name"] for s in self.main()["opt_sites"]], ["lyon"])
        self.assertEqual(Entry.objects.get().action, "site_remove")


class PrinterTests(PortalCase):
    def url(self, name, **kw):
        return reverse("clients:" + name, kwargs=dict(client="acme", site="lyon", **kw))

    def test_printer_add_commits_and_queues(self):
        self.as_user(self.admin)
        response = self.client.post(self.url("printer_add"), {"name": "hall", "address": "10.131.1.30", "port": 9100,
                                                              "listen_port": 9110}, **ACME)
        self.assertEqual(response.status_code, 302)
        lyon = self.main()["opt_sites"][0]
        self.assertEqual(lyon["printers"][-1], {"name": "hall", "address": "10.131.1.30", "listen_port": 9110})
        self.assertEqual(Job.objects.get().kind, Kind.APPLY)

    def test_whole_inventory_refusal_is_shown_and_changes_nothing(self):
        self.as_user(self.admin)
        before, text = self.head(), self.read("host_vars/acme/main.yml")
        response = self.client.post(self.url("printer_add"), {"name": "hall", "address": "10.131.1.30", "port": 9100,
                                                              "listen_port": 9201}, **ACME)  # atelier's (paris)
        self.assertContains(response, "listen_port 9201 is used by site")
        self.assertContains(response, 'id="form-errors"')
        self.assertEqual((self.head(), self.read("host_vars/acme/main.yml")), (before, text))
        self.assertFalse(Job.objects.exists())
        self.assertEqual(Entry.objects.get().result, "refused")

    def test_printer_edit_and_remove(self):
        self.as_user(self.admin)
        self.client.post(self.url("printer_edit", printer="compta"), {"name": "compta", "address": "10.131.1.21",
                                                                      "port": 9100, "listen_port": 9105}, **ACME)
        self.assertEqual(self.main()["opt_sites"][0]["printers"][1]["listen_port"], 9105)
        self.client.post(self.url("printer_remove", printer="compta"), **ACME)
        self.assertEqual([p["name"] for p in self.main()["opt_sites"][0]["printers"]], ["accueil"])
        self.assertEqual(Job.objects.count(), 2)


class CreateRemoveTests(PortalCase):
    def test_create_allocates_writes_vaults_commits_and_applies(self):
        self.as_user(self.tech)
        response = self.client.post(reverse("clients:create"), {"name": "zenith", "ip": "", "subdomain": "zenith"},
                                    **OPT)
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        hosts = yaml.safe_load(self.read("hosts.yml"))
        self.assertIn("zenith", hosts["all"]["children"]["opt_clients"]["hosts"])
        self.assertIn("# one host per Coaxis customer", self.read("hosts.yml"))
        main = self.main("zenith")
        self.assertIn('opt_private_key: "{{ vault_opt_private_key }}"\n', self.read("host_vars/zenith/main.yml"))
        self.assertEqual(main, {"opt_docker_host": "lab-docker-host", "opt_ip": "10.128.0.3", "opt_subdomain": "zenith",
                                "opt_private_key": "{{ vault_opt_private_key }}", "opt_sites": []})
        vault = self.read("host_vars/zenith/vault.yml")
        self.assertIn("vault_opt_private_key: !vault |\n          $ANSIBLE_VAULT;1.2;AES256;lab\n", vault)
        job = Job.objects.get()
        self.assertEqual((job.kind, job.client, job.commit), (Kind.APPLY, "zenith", self.head()))
        self.assertNotIn("ANSIBLE_VAULT", Entry.objects.get().diff)
        page = self.client.get(reverse("clients:detail", kwargs={"client": "zenith"}), **OPT)
        self.assertContains(page, 'id="public-key">ssh-ed25519 ')
        self.assertContains(page, 'id="client-ip">10.128.0.3<')

    def test_create_refused_by_the_whole_inventory_check_changes_nothing(self):
        self.as_user(self.tech)
        before = self.head()
        response = self.client.post(reverse("clients:create"), {"name": "zenith", "ip": "10.128.0.10",
                                                                "subdomain": "acme"}, **OPT)
        self.assertContains(response, "10.128.0.10")
        self.assertContains(response, "acme")
        self.assertEqual(self.head(), before)
        self.assertFalse((self.inventory / "host_vars" / "zenith").exists())
        self.assertFalse(Job.objects.exists())

    def test_create_is_for_technicians_on_the_back_office(self):
        self.as_user(self.admin)
        self.assertEqual(self.client.get(reverse("clients:create"), **OPT).status_code, 404)
        self.as_user(self.tech)
        self.assertEqual(self.client.get(reverse("clients:create"), **ACME).status_code, 404)

    def test_purge_needs_a_second_confirmation(self):
        self.as_user(self.tech)
        url = reverse("clients:remove", kwargs={"client": "globex"})
        page = self.client.post(url, {"purge": "on"}, **OPT)
        self.assertContains(page, 'id="confirm-purge"')
        self.assertFalse(Job.objects.exists())
        self.client.post(url, {"purge": "on", "confirm": "purge"}, **OPT)
        job = Job.objects.get()
        self.assertEqual((job.kind, job.extravars), (Kind.REMOVE, {"purge": True, "client": "globex"}))

    def test_remove_without_purge(self):
        self.as_user(self.tech)
        self.client.post(reverse("clients:remove", kwargs={"client": "globex"}), {}, **OPT)
        self.assertEqual(Job.objects.get().extravars, {"purge": False, "client": "globex"})

    def test_forget_refused_while_the_container_exists(self):
        self.as_user(self.tech)
        running = {"globex": {"state": "running", "id": "0123456789ab", "ip": "10.128.0.11"}}
        with mock.patch.object(engines, "container_states", return_value=running):
            self.client.post(reverse("clients:forget", kwargs={"client": "globex"}), **OPT)
        self.assertIn("globex", self.read("hosts.yml"))

    def test_forget_takes_a_removed_client_out_of_the_inventory(self):
        self.as_user(self.tech)
        head = git(self.inventory, "rev-parse", "HEAD")
        with mock.patch.object(engines, "container_states", return_value={}):
            page = self.client.get(reverse("clients:detail", kwargs={"client": "globex"}), **OPT)
            self.assertContains(page, 'id="forget-client"')
            response = self.client.post(reverse("clients:forget", kwargs={"client": "globex"}), **OPT)
        self.assertRedirects(response, reverse("clients:list"), fetch_redirect_response=False)
        self.assertNotIn("globex", self.read("hosts.yml"))
        self.assertFalse((self.inventory / "host_vars" / "globex").exists())
        self.assertNotEqual(git(self.inventory, "rev-parse", "HEAD"), head)
        self.assertEqual(Entry.objects.get(action="client_forget").client, "globex")

    def test_apply_is_a_post_that_queues(self):
        self.as_user(self.admin)
        url = reverse("clients:apply", kwargs={"client": "acme"})
        self.assertEqual(self.client.get(url, **ACME).status_code, 405)
        self.client.post(url, **ACME)
        self.assertEqual(Job.objects.get().kind, Kind.APPLY)


class KeyTests(TestCase):
    def test_new_key_s_public_half_reads_back(self):
        private, public = keys.new_key("opt-zenith")
        self.assertEqual(keys.public_key(private, "opt-zenith"), public)
        self.assertTrue(public.startswith("ssh-ed25519 "))


class ReservedNameTests(PortalCase):
    def test_a_client_named_like_a_page_is_refused(self):
        self.as_user(self.tech)
        response = self.client.post(reverse("clients:create"), {"name": "create", "ip": "", "subdomain": ""}, **OPT)
        self.assertContains(response, "is a word of the admin interface")
        self.assertFalse((self.inventory / "host_vars" / "create").exists())


class ScanTests(TestCase):
    def fake(self, logs):
        fake = mock.Mock()
        fake.api.containers.return_value = [{"Id": "leftover"}]
        fake.api.create_container.return_value = {"Id": "helper"}
        fake.api.wait.return_value = {"StatusCode": 0}
        fake.api.logs.side_effect = lambda _id, stdout, stderr: logs if stdout else b""
        return fake

    def test_scan_runs_a_labelled_host_network_helper_and_removes_it(self):
        fake = self.fake(b"10.130.0.10 " + LYON_KEY.encode() + b"\n")
        with mock.patch.object(engines, "connect", return_value=fake):
            key = engines.scan_host_key(engines.Engine(url="unix:///x", image="coaxis/docker-opt:lab"), "10.130.0.10",
                                        22, "en")
        self.assertEqual(key, LYON_KEY)
        kwargs = fake.api.create_container.call_args.kwargs
        self.assertEqual(fake.api.create_container.call_args.args, ("coaxis/docker-opt:lab",))
        self.assertEqual(kwargs["entrypoint"] + kwargs["command"],
                         ["ssh-keyscan", "-T", "5", "-t", "ed25519", "-p", "22", "10.130.0.10"])
        self.assertEqual(kwargs["labels"], engines.HELPER_LABELS)
        fake.api.create_host_config.assert_called_once_with(network_mode="host")
        removed = [c.args[0] for c in fake.api.remove_container.call_args_list]
        self.assertEqual(removed, ["leftover", "helper"])

    def test_no_key_is_a_clear_error_and_the_helper_is_removed(self):
        fake = self.fake(b"")
        with mock.patch.object(engines, "connect", return_value=fake), self.assertRaises(engines.EngineError) as error:
            engines.scan_host_key(engines.Engine(url="unix:///x", image="i"), "10.129.0.1", 2222, "en")
        self.assertIn("No SSH server answered at 10.129.0.1 port 2222", str(error.exception))
        self.assertIn("helper", [c.args[0] for c in fake.api.remove_container.call_args_list])
