"""The jobs' pages, rendered from stored jobs; job ids through the scope; retry; actions queued."""
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from audit.models import Entry, Result
from jobs.models import Job, Kind, State
from jobs.outcome import finish
from jobs.tests.helpers import BACKOFFICE, client_admin, stored_job, technician

REPORT = {"checked_at": "2026-12-04T13:00:00Z", "clients": [{
    "client": "acme", "service": "degraded", "container_state": "running", "error": None, "sites": [
        {"site": "lyon", "state": "up", "tcp": {"state": "up", "ms": 1.2}, "ping": {"state": "up", "ms": 0.3},
         "printers": [{"name": "accueil", "state": "up"}, {"name": "compta", "state": "down", "error": "refused"}]},
        {"site": "paris", "state": "down", "last_error": "Connection refused", "tcp": {"state": "down"},
         "ping": {"state": "up"}, "printers": [{"name": "atelier", "state": "unknown"}]},
    ]}]}


class ScopeTests(TestCase):
    def setUp(self):
        self.acme_job = stored_job(client="acme")
        self.globex_job = stored_job(client="globex")
        self.fleet_job = stored_job(kind=Kind.DRIFT, client="")

    def get(self, job, host=BACKOFFICE):
        return self.client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HOST=host)

    def test_a_client_administrator_sees_only_their_client_jobs(self):
        self.client.force_login(client_admin("acme"))
        self.assertEqual(self.get(self.acme_job).status_code, 200)
        self.assertEqual(self.get(self.globex_job).status_code, 404)
        self.assertEqual(self.get(self.fleet_job).status_code, 404)
        self.assertEqual(self.client.get(reverse("jobs:list"), HTTP_HOST=BACKOFFICE).status_code, 404)
        self.assertEqual(self.client.get(reverse("jobs:client_jobs", args=["globex"]),
                                         HTTP_HOST=BACKOFFICE).status_code, 404)

    def test_a_technician_sees_every_job_on_the_back_office_only_the_client_through_its_host(self):
        self.client.force_login(technician())
        for job in (self.acme_job, self.globex_job, self.fleet_job):
            self.assertEqual(self.get(job).status_code, 200)
        self.assertEqual(self.get(self.acme_job, host="acme.coaxis.test").status_code, 200)
        self.assertEqual(self.get(self.globex_job, host="acme.coaxis.test").status_code, 404)

    def test_retry_of_another_client_job_is_a_404(self):
        failed = stored_job(client="globex", state=State.FAILED)
        self.client.force_login(client_admin("acme"))
        response = self.client.post(reverse("jobs:retry", args=[failed.pk]), HTTP_HOST=BACKOFFICE)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Job.objects.filter(retry_of=failed).count(), 0)

    def test_client_jobs_lists_that_client_only(self):
        self.client.force_login(client_admin("acme"))
        response = self.client.get(reverse("jobs:client_jobs", args=["acme"]), HTTP_HOST=BACKOFFICE)
        self.assertContains(response, f'data-job="{self.acme_job.pk}"')
        self.assertNotContains(response, f'data-job="{self.globex_job.pk}"')


def compile_french():
    """The French catalogs compiled (the .mo files are built, never committed), loaded afresh."""
    from django.core.management import call_command
    from django.utils.translation import trans_real
    call_command("compilemessages", locale=["fr"], verbosity=0)
    trans_real._translations.clear()
    trans_real._default = None


class DetailTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        compile_french()

    def setUp(self):
        self.client.force_login(technician())

    def page(self, job):
        return self.client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HOST=BACKOFFICE)

    def test_a_running_job_shows_its_tasks_and_refreshes(self):
        job = stored_job(state=State.RUNNING, progress=["Refuse an unknown client", "Take the Docker host's lock"])
        response = self.page(job)
        self.assertContains(response, 'id="job-state" class="state-running" data-state="running"')
        self.assertContains(response, "<li>Take the Docker host&#x27;s lock</li>")
        self.assertContains(response, '<meta http-equiv="refresh"')
        self.assertNotContains(response, 'id="retry"')

    def test_a_failed_apply_shows_its_error_retry_and_not_applied(self):
        job = stored_job(state=State.FAILED, commit="d" * 40, error="acme: 10.128.0.1 is the gateway",
                         summary={"lab-docker-host": {"ok": 3, "changed": 0, "failed": 1, "unreachable": 0}})
        response = self.page(job)
        self.assertContains(response, 'data-state="failed"')
        self.assertContains(response, '<pre id="job-error">acme: 10.128.0.1 is the gateway</pre>')
        self.assertContains(response, 'id="retry"')
        self.assertContains(response, 'id="job-not-applied"')
        self.assertContains(response, '<td class="failed">1</td>')
        self.assertNotContains(response, '<meta http-equiv="refresh"')

    def test_a_succeeded_job_has_no_retry(self):
        response = self.page(stored_job(result={"messages": ["acme: container 0123abcd, IP 10.128.0.10"]}))
        self.assertNotContains(response, 'id="retry"')
        self.assertContains(response, "acme: container 0123abcd, IP 10.128.0.10")

    def test_french(self):
        job = stored_job(state=State.FAILED)
        response = self.client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HOST=BACKOFFICE,
                                   HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, "Relancer")
        self.assertContains(response, "échouée")


class RetryTests(TestCase):
    def test_retry_queues_the_same_playbook_and_commit(self):
        user = client_admin("acme")
        self.client.force_login(user)
        failed = stored_job(state=State.FAILED, commit="e" * 40, extravars={"client": "acme"})
        response = self.client.post(reverse("jobs:retry", args=[failed.pk]), HTTP_HOST=BACKOFFICE)
        again = Job.objects.get(retry_of=failed)
        self.assertRedirects(response, reverse("jobs:detail", args=[again.pk]), fetch_redirect_response=False)
        self.assertEqual((again.kind, again.playbook, again.commit, again.client, again.state),
                         (Kind.APPLY, "add_client.yml", "e" * 40, "acme", State.QUEUED))
        self.assertEqual(again.extravars, {"client": "acme"})
        self.assertEqual(again.created_by, user)
        self.assertTrue(Entry.objects.filter(job=again, action="job.retry", result=Result.QUEUED).exists())

    def test_only_a_failed_job_is_retried(self):
        self.client.force_login(technician())
        done = stored_job()
        self.assertEqual(self.client.post(reverse("jobs:retry", args=[done.pk]), HTTP_HOST=BACKOFFICE).status_code, 404)
        failed = stored_job(state=State.FAILED)
        self.assertEqual(self.client.get(reverse("jobs:retry", args=[failed.pk]), HTTP_HOST=BACKOFFICE).status_code, 405)


class StatusPageTests(TestCase):
    def setUp(self):
        self.client.force_login(client_admin("acme"))

    def page(self):
        return self.client.get(reverse("jobs:status", args=["acme"]), HTTP_HOST=BACKOFFICE)

    def test_states_per_site_and_printer_from_the_latest_status_job(self):
        stored_job(kind=Kind.STATUS, result={"clients": [{"client": "acme", "sites": []}]})
        shown = stored_job(kind=Kind.STATUS, result=REPORT)
        response = self.page()
        self.assertContains(response, 'class="site" data-site="lyon"')
        self.assertContains(response, 'class="service state-up" data-state="up"')
        self.assertContains(response, 'class="service state-down" data-state="down"')
        self.assertContains(response, 'class="tcp state-down" data-state="down"')
        self.assertContains(response, 'class="printer" data-printer="compta" data-of-site="lyon"')
        self.assertContains(response, 'class="reach state-down" data-state="down"')
        self.assertContains(response, 'class="reach state-up" data-state="up"')
        self.assertContains(response, 'form method="post" action="/jobs/client/acme/tunnel/" class="tunnel inline" data-site="paris"')
        self.assertContains(response, 'name="action" value="restart"')
        self.assertContains(response, f'<a href="/jobs/{shown.pk}/">')
        self.assertNotContains(response, '<meta http-equiv="refresh"')
        # A state cell holds the state's word alone (its error is beside it).
        self.assertContains(response, 'data-state="down">down</td>')
        self.assertContains(response, "Connection refused")

    def test_state_words_in_french(self):
        stored_job(kind=Kind.STATUS, result=REPORT)
        response = self.client.get(reverse("jobs:status", args=["acme"]), HTTP_HOST=BACKOFFICE,
                                   HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, 'class="service state-up" data-state="up">actif</td>')
        self.assertContains(response, 'class="service state-down" data-state="down">en panne</td>')
        self.assertContains(response, 'class="reach state-unknown" data-state="unknown">inconnu</td>')

    def test_a_running_status_job_refreshes_and_the_last_report_stays(self):
        stored_job(kind=Kind.STATUS, result=REPORT)
        running = stored_job(kind=Kind.STATUS, state=State.RUNNING)
        response = self.page()
        self.assertContains(response, '<meta http-equiv="refresh"')
        self.assertContains(response, f'id="status-job" data-state="running"><a href="/jobs/{running.pk}/">')
        self.assertContains(response, 'class="service state-up" data-state="up"')

    def test_post_queues_a_status_job(self):
        response = self.client.post(reverse("jobs:status", args=["acme"]), HTTP_HOST=BACKOFFICE)
        job = Job.objects.get(kind=Kind.STATUS)
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual((job.client, job.playbook, job.state), ("acme", "status.yml", State.QUEUED))
        self.assertContains(self.page(), 'id="status-job" data-state="queued"')
        # A second click while it waits queues nothing more.
        self.client.post(reverse("jobs:status", args=["acme"]), HTTP_HOST=BACKOFFICE)
        self.assertEqual(Job.objects.filter(kind=Kind.STATUS).count(), 1)

    def test_another_client_status_is_a_404(self):
        self.assertEqual(self.client.get(reverse("jobs:status", args=["globex"]), HTTP_HOST=BACKOFFICE).status_code, 404)
        self.assertEqual(self.client.post(reverse("jobs:status", args=["globex"]), HTTP_HOST=BACKOFFICE).status_code, 404)
        self.assertFalse(Job.objects.exists())


class TunnelTests(TestCase):
    def setUp(self):
        self.client.force_login(client_admin("acme"))

    def post(self, client="acme", **data):
        return self.client.post(reverse("jobs:tunnel", args=[client]), data, HTTP_HOST=BACKOFFICE)

    def test_restart_of_one_site_queues_tunnel_yml(self):
        response = self.post(site="lyon", action="restart")
        job = Job.objects.get()
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual(job.playbook, "tunnel.yml")
        self.assertEqual(job.extravars, {"client": "acme", "tunnel_action": "restart", "site": "lyon"})
        self.assertTrue(Entry.objects.filter(job=job, action="tunnel.restart", result=Result.QUEUED).exists())

    def test_unknown_action_or_site_queues_nothing(self):
        self.post(site="lyon", action="explode")
        self.post(site="nowhere", action="restart")
        self.assertFalse(Job.objects.exists())
        self.assertEqual(self.post(client="globex", site="", action="restart").status_code, 404)
        self.assertFalse(Job.objects.exists())


class LogsTests(TestCase):
    def test_last_lines_per_site(self):
        self.client.force_login(client_admin("acme"))
        read = {"lyon": {"lines": ["tunnel up", "relay accueil<-10.129.0.10"], "error": ""},
                "paris": {"lines": [], "error": "no such file"}}
        with mock.patch("jobs.views.read_site_logs", return_value=read) as reader:
            response = self.client.get(reverse("jobs:logs", args=["acme"]), HTTP_HOST=BACKOFFICE)
        reader.assert_called_once_with("acme", "lab-docker-host", ["lyon", "paris"])
        self.assertContains(response, '<pre class="tunnel-log" data-site="lyon">tunnel up\nrelay accueil&lt;-10.129.0.10\n</pre>')
        self.assertContains(response, "no such file")


class FleetTests(TestCase):
    def test_technician_queues_an_upgrade_of_named_clients(self):
        self.client.force_login(technician())
        response = self.client.post(reverse("jobs:fleet", args=["upgrade"]), {"clients": "acme, globex"},
                                    HTTP_HOST=BACKOFFICE)
        job = Job.objects.get()
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual((job.client, job.playbook, job.extravars), ("", "upgrade.yml", {"clients": "acme,globex"}))

    def test_unknown_clients_and_kinds_are_refused(self):
        self.client.force_login(technician())
        response = self.client.post(reverse("jobs:fleet", args=["upgrade"]), {"clients": "zenith"}, HTTP_HOST=BACKOFFICE)
        self.assertContains(response, "zenith")
        self.assertEqual(self.client.post(reverse("jobs:fleet", args=["explode"]), HTTP_HOST=BACKOFFICE).status_code, 404)
        self.assertFalse(Job.objects.exists())

    def test_drift_and_converge(self):
        self.client.force_login(technician())
        self.client.post(reverse("jobs:fleet", args=["drift"]), {"prune": "on"}, HTTP_HOST=BACKOFFICE)
        self.client.post(reverse("jobs:fleet", args=["converge"]), {}, HTTP_HOST=BACKOFFICE)
        drift, converge = Job.objects.order_by("id")
        self.assertEqual((drift.playbook, drift.extravars), ("drift.yml", {"prune": "true"}))
        self.assertEqual((converge.playbook, converge.client), ("site.yml", ""))

    def test_a_client_administrator_has_no_fleet(self):
        self.client.force_login(client_admin("acme"))
        self.assertEqual(self.client.post(reverse("jobs:fleet", args=["drift"]), HTTP_HOST=BACKOFFICE).status_code, 404)
        self.assertFalse(Job.objects.exists())


class OutcomeTests(TestCase):
    def test_the_linked_entry_gets_the_result_and_the_run_is_recorded(self):
        user = client_admin("acme")
        job = stored_job(state=State.FAILED, commit="f" * 40, error="boom", created_by=user)
        from audit.record import record
        change = record(user, "site.add", "site paris", client="acme", result=Result.QUEUED, commit=job.commit, job=job)
        finish(job)
        change.refresh_from_db()
        self.assertEqual(change.result, Result.NOT_APPLIED)
        run = Entry.objects.get(action="job.run")
        self.assertEqual((run.result, run.client, run.user, run.job), (Result.NOT_APPLIED, "acme", user, job))
        self.assertIn("boom", run.summary)

    def test_results(self):
        self.assertEqual(finish(stored_job()).result, Result.APPLIED)
        self.assertEqual(finish(stored_job(kind=Kind.TUNNEL)).result, Result.OK)
        self.assertEqual(finish(stored_job(kind=Kind.TUNNEL, state=State.FAILED)).result, Result.FAILED)
        self.assertEqual(finish(stored_job(state=State.FAILED)).result, Result.FAILED)
