"""The worker loop behind manage.py runjobs: claim, run, record, again. SIGTERM (and SIGINT)
stop the current playbook, record the job as failed ("worker stopped") and end the loop."""
import logging
import signal
import time

from django.db import close_old_connections

from jobs import queue, runner
from jobs.outcome import finish

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, poll=2.0, once=False, worker=None, run=runner.run):
        self.poll, self.once = max(0.1, float(poll)), once
        self.id = worker or queue.worker_id()
        self.stopping = False
        self._run = run

    def stop(self, *_):
        self.stopping = True

    def install_signals(self):
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self.stop)

    def run_one(self):
        """Claim and run one job; the job, or None when none may start now."""
        close_old_connections()
        job = queue.claim(self.id)
        if job is None:
            return None
        log.info("job %s: %s %s started", job.pk, job.playbook, job.client or "*")
        job = self._run(job, cancel=lambda: self.stopping)
        finish(job)
        log.info("job %s: %s", job.pk, job.state)
        return job

    def sleep(self):
        """Wait at most poll seconds, in short steps so a stop is seen at once."""
        deadline = time.monotonic() + self.poll
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def loop(self):
        """Run jobs until stopped (or, with once, until none may start). Returns how many ran."""
        count = queue.recover(self.id)
        if count:
            log.warning("%d job(s) left running by a stopped worker marked failed", count)
        ran = 0
        while not self.stopping:
            job = self.run_one()
            if job is not None:
                ran += 1
                continue
            if self.once:
                break
            queue.recover(self.id)
            self.sleep()
        return ran
