"""The queue: claim order, one job at a time per client, fleet jobs alone, dead workers' jobs."""
import os
import socket
from datetime import timedelta

from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.translation import override

from jobs.models import Job, Kind, State
from jobs.queue import claim, enqueue, recover

ME = f"{socket.gethostname()}:{os.getpid()}"


class ClaimTests(TestCase):
    def test_oldest_queued_job_first(self):
        first = enqueue(Kind.STATUS, "acme")
        enqueue(Kind.STATUS, "globex")
        self.assertEqual(claim(ME), first)
        first.refresh_from_db()
        self.assertEqual(first.state, State.RUNNING)
        self.assertIsNotNone(first.started_at)
        self.assertEqual(first.worker, ME)

    def test_second_job_of_a_client_waits_while_the_first_runs(self):
        first = enqueue(Kind.APPLY, "acme", commit="a" * 40)
        second = enqueue(Kind.TUNNEL, "acme", extravars={"tunnel_action": "restart"})
        self.assertEqual(claim(ME), first)
        # Not claimable while the first runs, by this worker or another one.
        self.assertIsNone(claim(ME))
        self.assertIsNone(claim("other-host:1"))
        second.refresh_from_db()
        self.assertEqual(second.state, State.QUEUED)
        Job.objects.filter(pk=first.pk).update(state=State.SUCCEEDED)
        self.assertEqual(claim(ME), second)

    def test_another_client_runs_beside(self):
        enqueue(Kind.APPLY, "acme")
        enqueue(Kind.APPLY, "acme")
        third = enqueue(Kind.STATUS, "globex")
        claim(ME)
        self.assertEqual(claim(ME), third)
        self.assertIsNone(claim(ME))

    def test_a_claimed_job_is_not_claimed_twice(self):
        job = enqueue(Kind.STATUS, "acme")
        self.assertEqual(claim(ME), job)
        Job.objects.filter(pk=job.pk).update(state=State.QUEUED)
        # Two workers that both read it as queued: the conditional update gives it to one of them.
        from jobs import queue
        self.assertTrue(queue._take(job, "other-host:1"))
        self.assertFalse(queue._take(job, ME))
        job.refresh_from_db()
        self.assertEqual(job.worker, "other-host:1")

    def test_fleet_job_waits_until_no_job_runs(self):
        acme = enqueue(Kind.APPLY, "acme")
        self.assertEqual(claim(ME), acme)
        fleet = enqueue(Kind.DRIFT)
        later = enqueue(Kind.STATUS, "globex")
        # The fleet job waits for acme's, and the job queued after it waits for the fleet job.
        self.assertIsNone(claim(ME))
        Job.objects.filter(pk=acme.pk).update(state=State.SUCCEEDED)
        self.assertEqual(claim(ME), fleet)
        # While the fleet job runs, nothing else starts.
        self.assertIsNone(claim(ME))
        Job.objects.filter(pk=fleet.pk).update(state=State.FAILED)
        self.assertEqual(claim(ME), later)

    def test_client_job_queued_before_a_fleet_job_runs_first(self):
        acme = enqueue(Kind.STATUS, "acme")
        enqueue(Kind.UPGRADE)
        self.assertEqual(claim(ME), acme)
        self.assertIsNone(claim(ME))

    def test_enqueue_keeps_the_language_and_the_client(self):
        with override("fr"):
            job = enqueue(Kind.TUNNEL, "acme", extravars={"tunnel_action": "status"})
        self.assertEqual(job.lang, "fr")
        self.assertEqual(job.extravars, {"client": "acme", "tunnel_action": "status"})
        self.assertEqual(enqueue(Kind.STATUS, "acme", lang="en-us").lang, "en")
        self.assertEqual(job.playbook, "tunnel.yml")


class RecoverTests(TestCase):
    def running(self, worker, started=None):
        job = enqueue(Kind.APPLY, "acme", commit="b" * 40)
        Job.objects.filter(pk=job.pk).update(state=State.RUNNING, worker=worker,
                                             started_at=started or timezone.now())
        return job

    def test_a_job_of_a_dead_worker_on_this_host_is_failed(self):
        dead = self.running(f"{socket.gethostname()}:999999999")
        self.assertEqual(recover(ME), 1)
        dead.refresh_from_db()
        self.assertEqual(dead.state, State.FAILED)
        self.assertIn("worker stopped", dead.error)
        self.assertIsNotNone(dead.finished_at)

    def test_a_live_worker_keeps_its_job(self):
        live = self.running(ME)
        other_host = self.running("elsewhere:12")
        self.assertEqual(recover(f"{socket.gethostname()}:1"), 0)
        live.refresh_from_db()
        other_host.refresh_from_db()
        self.assertEqual((live.state, other_host.state), (State.RUNNING, State.RUNNING))

    @override_settings(PORTAL_JOB_TIMEOUT=60)
    def test_a_job_past_its_timeout_on_another_host_is_failed(self):
        old = self.running("elsewhere:12", started=timezone.now() - timedelta(seconds=600))
        self.assertEqual(recover(ME), 1)
        old.refresh_from_db()
        self.assertEqual(old.state, State.FAILED)
