"""Run one Job's playbook through ansible-runner.

Each run has a private directory PORTAL_JOBS_DIR/<id> (0700) that is removed when the run ends:
ansible-runner writes the command line and the whole environment of the run there
(artifacts/<ident>/command), so the portal's own secrets (PORTAL_*) are taken out of that
environment, the vault secret is passed as a file name (ANSIBLE_VAULT_IDENTITY_LIST), job events
are not written to disk (the handler keeps what the pages show) and nothing stays after the run.
"""
import json
import logging
import os
import shutil
import signal
import sys
import time
from collections import deque
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from jobs.models import Job, Kind, State
from jobs.queue import WORKER_STOPPED

log = logging.getLogger(__name__)

# Seconds between two saves of the progress while a job runs.
SAVE_INTERVAL = 0.3
# How much of a failure or of the last output a job keeps.
ERROR_LIMIT = 4000
TAIL_LINES = 20
DEBUG_ACTIONS = ("debug", "ansible.builtin.debug", "ansible.legacy.debug")
# Ansible's own line for a failed loop: the failed item's message says more.
LOOP_FAILED = ("One or more items failed", "All items completed")
# Variables of the portal's process a playbook never gets: the portal's secrets and settings,
# and any vault secret other than the portal's own.
DROPPED_PREFIXES = ("PORTAL_", "DJANGO_")
DROPPED_VARIABLES = ("ANSIBLE_VAULT_IDENTITY_LIST", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY",
                     "DATABASE_URL")
# Why a run failed when the playbook itself could not say (in the job's language).
STOPPED = gettext_noop("%(reason)s: the run was stopped before its end; a lock it held on the Docker host "
                       "stays until it expires.")
TIMED_OUT = gettext_noop("The run took longer than %(seconds)s s and was stopped.")
FAILED_AS = gettext_noop("The playbook failed (%(status)s).")
RECAP_KEYS = {"ok": "ok", "changed": "changed", "failures": "failed", "dark": "unreachable",
              "skipped": "skipped", "rescued": "rescued", "ignored": "ignored"}


def result_message(res):
    """The message of a failed result as Ansible shows it; a no_log result stays censored."""
    if not isinstance(res, dict):
        return str(res or "")
    if res.get("censored"):
        return str(res["censored"])
    message = res.get("msg")
    results = res.get("results")
    if isinstance(results, list) and (not message or message in LOOP_FAILED):
        for item in results:
            if isinstance(item, dict) and (item.get("failed") or item.get("unreachable")):
                return result_message(item)
    if message:
        return message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
    for key in ("stderr", "module_stderr", "exception"):
        if res.get(key):
            return str(res[key])
    return ""


def recap(stats):
    """playbook_on_stats' counts, per host: {host: {ok, changed, failed, unreachable, ...}}."""
    hosts = {}
    for source, key in RECAP_KEYS.items():
        for host, count in (stats.get(source) or {}).items():
            hosts.setdefault(host, dict.fromkeys(RECAP_KEYS.values(), 0))[key] = count
    for host in stats.get("processed") or {}:
        hosts.setdefault(host, dict.fromkeys(RECAP_KEYS.values(), 0))
    return hosts


class Recorder:
    """ansible-runner's event handler: task names as they start, the first failure, the debug
    messages, the recap. Saves the progress at most every SAVE_INTERVAL seconds; returns False so
    ansible-runner writes no event to disk."""

    def __init__(self, job, interval=SAVE_INTERVAL, clock=time.monotonic):
        self.job, self.interval, self.clock = job, interval, clock
        self.progress = list(job.progress or [])
        self.summary, self.error, self.messages = {}, "", []
        self.tail = deque(maxlen=TAIL_LINES)
        self.saved_at, self.dirty = None, False

    def __call__(self, event):
        kind = event.get("event")
        data = event.get("event_data") or {}
        if kind == "playbook_on_task_start":
            self.progress.append(data.get("task") or data.get("name") or "")
            self.dirty = True
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            if not self.error:
                self.error = result_message(data.get("res"))[:ERROR_LIMIT]
        elif kind == "runner_on_ok" and data.get("task_action") in DEBUG_ACTIONS:
            self.debug_messages(data.get("res") or {})
        elif kind == "playbook_on_stats":
            self.summary = recap(data)
        elif kind in ("verbose", "error", "warning") and event.get("stdout"):
            self.tail.extend(line for line in event["stdout"].splitlines() if line.strip())
        self.save()
        return False

    def debug_messages(self, res):
        items = res.get("results") if isinstance(res.get("results"), list) else [res]
        for item in items:
            message = item.get("msg") if isinstance(item, dict) else None
            if message:
                self.messages.append(message if isinstance(message, str) else json.dumps(message, ensure_ascii=False))

    def save(self, force=False):
        now = self.clock()
        if not self.dirty or (not force and self.saved_at is not None and now - self.saved_at < self.interval):
            return
        Job.objects.filter(pk=self.job.pk).update(progress=self.progress)
        self.saved_at, self.dirty = now, False


def playbook_pids(parent=None):
    """The ansible-playbook processes this process started (ansible-runner's child), from /proc."""
    parent = parent or os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == parent and any(part.endswith(b"ansible-playbook") for part in cmdline[:2]):
            found.append(int(entry.name))
    return found


class Stopper:
    """ansible-runner's cancel callback, with the job's timeout. To stop a run it first sends
    SIGTERM to ansible-playbook, which passes it on to its workers (each in a session of its own,
    which ansible-runner's SIGKILL of the playbook's group would leave running on); only if the
    playbook is still there GRACE seconds later does it let ansible-runner kill it."""

    GRACE = 10

    def __init__(self, cancel, timeout, clock=time.monotonic, pids=playbook_pids, kill=os.kill):
        self.cancel, self.timeout, self.clock, self.pids, self.kill = cancel, timeout, clock, pids, kill
        self.started, self.reason, self.signalled_at = clock(), None, None

    def __call__(self):
        now = self.clock()
        if self.reason is None:
            if self.cancel():
                self.reason = "canceled"
            elif now - self.started > self.timeout:
                self.reason = "timeout"
            else:
                return False
        if self.signalled_at is None:
            self.signalled_at = now
            for pid in self.pids():
                try:
                    self.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            return False
        return now - self.signalled_at >= self.GRACE


def environment():
    """The playbook's environment: ansible-runner starts from this process's; the portal's
    secrets are taken out, its ansible.cfg, vault id and PORTAL_JOB_ENV put in."""
    # ansible-playbook of the portal's own Python (its venv) first.
    path = os.pathsep.join(filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    env = {"ANSIBLE_CONFIG": str(settings.PORTAL_ANSIBLE_CONFIG), "PATH": path, **settings.PORTAL_JOB_ENV}
    if settings.PORTAL_VAULT_PASSWORD_FILE:
        env["ANSIBLE_VAULT_IDENTITY_LIST"] = f"{settings.PORTAL_VAULT_ID}@{settings.PORTAL_VAULT_PASSWORD_FILE}"
    return env


def dropped(name, keep):
    return name not in keep and (name.startswith(DROPPED_PREFIXES) or name in DROPPED_VARIABLES)


def job_dir(job):
    return Path(settings.PORTAL_JOBS_DIR) / str(job.pk)


def _fresh_dir(path):
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(mode=0o700)
    return path


def load_report(report_dir):
    """The status report's clients (the newest JSON report the run wrote)."""
    reports = sorted(Path(report_dir).glob("status-*.json"))
    if not reports:
        return {}
    document = json.loads(reports[-1].read_text(encoding="utf-8"))
    return {"checked_at": document.get("checked_at"), "clients": document.get("clients") or []}


def _message(job, text, **values):
    with translation.override(job.lang or "en"):
        return gettext(text) % values


def run(job, cancel=None):
    """Run ``job`` (already claimed: state running) to its end and store what came of it.
    ``cancel`` is polled while the playbook runs; True stops it (the job fails: worker stopped)."""
    from ansible_runner import Runner, RunnerConfig

    recorder = Recorder(job)
    directory = _fresh_dir(job_dir(job))
    extravars = {**(job.extravars or {}), "opt_lang": job.lang or "en"}
    if job.kind == Kind.STATUS:
        (directory / "report").mkdir(mode=0o700)
        extravars["opt_report_dir"] = str(directory / "report")
    env = environment()
    status, result = "failed", {}
    try:
        config = RunnerConfig(
            private_data_dir=str(directory), playbook=str(Path(settings.PORTAL_PLAYBOOKS) / job.playbook),
            inventory=str(settings.PORTAL_INVENTORY), extravars=extravars, envvars=env, ident="run",
            project_dir=str(Path(settings.PORTAL_PLAYBOOKS).parent),
            # The Stopper keeps the timeout; ansible-runner's own is the backstop.
            timeout=settings.PORTAL_JOB_TIMEOUT + 2 * Stopper.GRACE,
            quiet=True, suppress_output_file=True, rotate_artifacts=1)
        config.prepare()
        config.env = {name: value for name, value in config.env.items() if not dropped(name, env)}
        stopper = Stopper(cancel or (lambda: False), settings.PORTAL_JOB_TIMEOUT)
        runner = Runner(config=config, event_handler=recorder, cancel_callback=stopper)
        status, _ = runner.run()
        # Stopped by its SIGTERM, the playbook ended by itself: say why it ended.
        status = stopper.reason or status
        if job.kind == Kind.STATUS and status == "successful":
            result = load_report(directory / "report")
    except Exception as exc:  # the run could not start: say why on the job page
        log.exception("job %s: the run failed to start", job.pk)
        recorder.error = recorder.error or f"{exc.__class__.__name__}: {exc}"[:ERROR_LIMIT]
        status = "error"
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    recorder.save(force=True)
    if recorder.messages:
        result = {**result, "messages": recorder.messages}
    error = ""
    if status != "successful":
        if status == "canceled":
            error = _message(job, STOPPED, reason=WORKER_STOPPED)
        elif status == "timeout":
            error = _message(job, TIMED_OUT, seconds=settings.PORTAL_JOB_TIMEOUT)
        error = "\n".join(filter(None, [error, recorder.error or "\n".join(recorder.tail)]))
        if not error:
            error = _message(job, FAILED_AS, status=status)
    Job.objects.filter(pk=job.pk).update(
        state=State.SUCCEEDED if status == "successful" else State.FAILED, finished_at=timezone.now(),
        progress=recorder.progress, summary=recorder.summary, error=error[:ERROR_LIMIT], result=result)
    job.refresh_from_db()
    return job
