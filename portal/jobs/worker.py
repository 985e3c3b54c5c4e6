"""The worker loop behind manage.py runjobs: claim, run, record, again.

SIGTERM (or SIGINT) stops the loop: no job is claimed any more, and the current playbook may end
for at most ``grace`` seconds; past that, or at a second signal, it is stopped and the job recorded
as failed ("worker stopped"). Either way its bookkeeping (state, recap, audit) is written before
the worker exits. A playbook stopped while it held the Docker host's lock leaves that lock to
expire (coaxis.opt.opt_lock's ttl), which is why the current run is given its grace first."""
import logging
import signal
import time

from django.db import close_old_connections, connection

from jobs import queue, runner
from jobs.outcome import finish

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, poll=2.0, once=False, worker=None, run=runner.run, grace=60.0, clock=time.monotonic):
        self.poll, self.once, self.grace = max(0.1, float(poll)), once, max(0.0, float(grace))
        self.id = worker or queue.worker_id()
        self.stopping, self.forced, self.stop_at = False, False, None
        self._run, self.clock = run, clock

    def stop(self, *_):
        """First call: finish the current job (within the grace), claim no more. Second: stop it now."""
        if self.stopping:
            self.forced = True
            return
        self.stopping, self.stop_at = True, self.clock()
        log.warning("stopping: the current job has %s s to end", self.grace)

    def cancel(self):
        """Polled by the runner: whether the current playbook must be stopped now."""
        return self.forced or (self.stopping and self.clock() - self.stop_at >= self.grace)

    def install_signals(self):
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self.stop)

    def run_one(self):
        """Claim and run one job; the job, or None when none may start now."""
        if not connection.in_atomic_block:  # (a test's transaction is no stale connection)
            close_old_connections()
        job = queue.claim(self.id)
        if job is None:
            return None
        log.info("job %s: %s %s started", job.pk, job.playbook, job.client or "*")
        job = self._run(job, cancel=self.cancel)
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
