"""Queue a playbook run, and claim the next one. The worker (manage.py runjobs) runs the jobs of
one client one at a time, oldest first; jobs over every client (empty client) run alone: they
wait until no job runs and the jobs queued after them wait for them. The Docker host's lock
(taken by the playbooks) serialises them with operators and AWX."""
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language

from jobs.models import Job, Kind, State

# The playbook each kind runs, relative to settings.PORTAL_PLAYBOOKS.
PLAYBOOKS = {
    Kind.APPLY: "add_client.yml",
    Kind.TUNNEL: "tunnel.yml",
    Kind.STATUS: "status.yml",
    Kind.REMOVE: "remove_client.yml",
    Kind.UPGRADE: "upgrade.yml",
    Kind.DRIFT: "drift.yml",
    # Every client of every Docker host, and the routes: one run, the way operators converge.
    Kind.CONVERGE: "site.yml",
}
# The languages the playbooks speak (opt_lang).
LANGUAGES = ("en", "fr")
# What a job left running by a worker that is gone says.
WORKER_STOPPED = "worker stopped"
# Any worker's claims are serialised by this PostgreSQL advisory lock (SQLite serialises writes).
CLAIM_LOCK = 0x4F5054  # "OPT"


def job_lang(lang=None):
    """fr or en, from the language given or the active one (the user's, in a request)."""
    code = (lang or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in LANGUAGES else "en"


def enqueue(kind, client="", user=None, commit="", extravars=None, retry_of=None, lang=None):
    """A new queued job; ``client`` is passed to the playbook as ``-e client=<client>``, ``lang``
    (default: the active language) as ``-e opt_lang=<lang>``."""
    variables = dict(extravars or {})
    if client:
        variables.setdefault("client", client)
    return Job.objects.create(kind=kind, client=client, playbook=PLAYBOOKS[kind], extravars=variables,
                              commit=commit, created_by=user, retry_of=retry_of, lang=job_lang(lang))


def worker_id():
    return f"{socket.gethostname()}:{os.getpid()}"


def _blocking(job):
    """The running jobs that keep ``job`` waiting: any for a fleet job, else its client's or a fleet job."""
    running = Job.objects.filter(state=State.RUNNING)
    return running if not job.client else running.filter(Q(client=job.client) | Q(client=""))


def _take(job, worker):
    """The conditional UPDATE: queued -> running only if it is still queued and nothing blocks it.
    True when this worker got it."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two workers' updates would each miss the other's uncommitted running row: one at a time.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK])
        blocked = Exists(_blocking(job).exclude(pk=job.pk))
        return bool(Job.objects.filter(pk=job.pk, state=State.QUEUED).exclude(blocked)
                    .update(state=State.RUNNING, started_at=timezone.now(), worker=worker))


def candidates():
    """The queued jobs that may start now, oldest first: a client's oldest queued job when that
    client has no running job, and nothing queued after a fleet job that waits."""
    queued = Job.objects.filter(state=State.QUEUED).order_by("id")
    fleet = queued.filter(client="").first()
    if fleet is not None:
        queued = queued.filter(id__lte=fleet.id)
    if Job.objects.filter(state=State.RUNNING, client="").exists():
        return []
    busy = Job.objects.filter(state=State.RUNNING, client=OuterRef("client"))
    older = Job.objects.filter(state=State.QUEUED, client=OuterRef("client"), id__lt=OuterRef("id"))
    jobs = queued.exclude(Exists(busy)).exclude(~Q(client="") & Exists(older))
    return list(jobs[:20])


def claim(worker=None):
    """Take the oldest job that may start now (state running, this worker's), or None."""
    worker = worker or worker_id()
    for job in candidates():
        if _take(job, worker):
            job.refresh_from_db()
            return job
    return None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(worker=None):
    """Mark failed the jobs left running by a worker that is gone: one of this host whose process
    is dead, or any that started longer ago than the job timeout allows. Returns how many."""
    worker = worker or worker_id()
    host = worker.rsplit(":", 1)[0]
    limit = timezone.now() - timedelta(seconds=settings.PORTAL_JOB_TIMEOUT + 120)
    gone = []
    for job in Job.objects.filter(state=State.RUNNING):
        job_host, _, pid = job.worker.rpartition(":")
        # Its own id on a running job: a dead process whose pid this one reuses.
        dead_here = job.worker == worker or (job_host == host and pid.isdigit() and not _alive(int(pid)))
        if dead_here or not job.worker or (job.started_at and job.started_at < limit):
            gone.append(job.pk)
    count = 0
    for pk in gone:
        count += Job.objects.filter(pk=pk, state=State.RUNNING).update(
            state=State.FAILED, finished_at=timezone.now(), error=WORKER_STOPPED)
    if gone:
        from jobs.outcome import finish
        for job in Job.objects.filter(pk__in=gone, state=State.FAILED):
            finish(job)
    return count
