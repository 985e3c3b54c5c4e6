"""The worker loop with a stand-in runner: claims in order, SIGTERM's grace, the bookkeeping."""
from django.test import TestCase

from audit.models import Entry, Result
from jobs.models import Job, Kind, State
from jobs.queue import enqueue
from jobs.worker import Worker


class FakeRun:
    """Stands for runner.run: polls cancel like ansible-runner does, for at most `polls` times."""

    def __init__(self, worker_ref, polls=5, signal_at=None, signals=1):
        self.worker_ref, self.polls, self.signal_at, self.signals = worker_ref, polls, signal_at, signals
        self.ran = []

    def __call__(self, job, cancel):
        self.ran.append(job.pk)
        canceled = False
        for poll in range(self.polls):
            if poll == self.signal_at:
                for _ in range(self.signals):
                    self.worker_ref[0].stop()
            if cancel():
                canceled = True
                break
            self.worker_ref[0].now += 1
        state = State.FAILED if canceled else State.SUCCEEDED
        Job.objects.filter(pk=job.pk).update(state=state, error="worker stopped" if canceled else "")
        job.refresh_from_db()
        return job


def worker(polls=5, signal_at=None, signals=1, grace=2.0, once=True):
    ref = []
    fake = FakeRun(ref, polls, signal_at, signals)
    made = Worker(poll=0.1, once=once, worker="test:1", run=fake, grace=grace, clock=lambda: made.now)
    made.now = 0.0
    ref.append(made)
    return made, fake


class WorkerTests(TestCase):
    def test_runs_the_queue_in_order_and_records_each_job(self):
        first = enqueue(Kind.APPLY, "acme", commit="a" * 40)
        second = enqueue(Kind.STATUS, "acme")
        made, fake = worker()
        self.assertEqual(made.loop(), 2)
        self.assertEqual(fake.ran, [first.pk, second.pk])
        self.assertEqual(Entry.objects.get(job=first, action="job.run").result, Result.APPLIED)
        self.assertEqual(Entry.objects.get(job=second, action="job.run").result, Result.OK)

    def test_sigterm_lets_the_current_job_end_within_the_grace_and_claims_no_more(self):
        current = enqueue(Kind.APPLY, "acme")
        waiting = enqueue(Kind.APPLY, "globex")
        made, fake = worker(polls=3, signal_at=1, grace=5, once=False)
        self.assertEqual(made.loop(), 1)
        current.refresh_from_db()
        waiting.refresh_from_db()
        self.assertEqual((current.state, waiting.state), (State.SUCCEEDED, State.QUEUED))

    def test_past_the_grace_the_job_is_stopped_and_recorded(self):
        current = enqueue(Kind.APPLY, "acme", commit="b" * 40)
        made, fake = worker(polls=50, signal_at=1, grace=3, once=False)
        made.loop()
        current.refresh_from_db()
        self.assertEqual(current.state, State.FAILED)
        self.assertEqual(made.now, 4.0)
        self.assertEqual(Entry.objects.get(job=current, action="job.run").result, Result.NOT_APPLIED)

    def test_a_second_signal_stops_it_at_once(self):
        current = enqueue(Kind.TUNNEL, "acme")
        made, fake = worker(polls=50, signal_at=1, signals=2, grace=60, once=False)
        made.loop()
        current.refresh_from_db()
        self.assertEqual(current.state, State.FAILED)
        self.assertEqual(made.now, 1.0)
