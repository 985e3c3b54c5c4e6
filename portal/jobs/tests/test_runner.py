"""The runner: real ansible-runner runs of small local playbooks (no lab), and its event handler."""
import os
import shutil
import tempfile
import textwrap
import time
from pathlib import Path
from unittest import mock

from django.test import TestCase, override_settings

from jobs.models import Job, Kind, State
from jobs.queue import claim, enqueue
from jobs.runner import Recorder, recap, result_message, run

INVENTORY = "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n" \
            "      ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
PLAYBOOKS = {
    # Succeeds, shows what its environment and variables are.
    "tunnel.yml": """
        - name: Say what the run sees
          hosts: localhost
          gather_facts: false
          tasks:
            - name: First task
              ansible.builtin.debug:
                msg: "lang={{ opt_lang }} client={{ client }} mark={{ lookup('ansible.builtin.env', 'OPT_TEST_MARK') }}"
            - name: Show the environment
              ansible.builtin.debug:
                msg: "secret=[{{ lookup('ansible.builtin.env', 'PORTAL_SECRET_KEY') }}] vault=[{{ lookup('ansible.builtin.env', 'ANSIBLE_VAULT_IDENTITY_LIST') }}]"
            - name: Change something
              ansible.builtin.command: "true"
              changed_when: true
        """,
    # An ignored failure, then a failure whose result is no_log.
    "add_client.yml": """
        - name: Fail
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Fail but go on
              ansible.builtin.fail:
                msg: an ignored failure
              ignore_errors: true
            - name: Fail with a secret
              ansible.builtin.fail:
                msg: "the secret is s3cr3t-value"
              no_log: true
            - name: Never reached
              ansible.builtin.debug:
                msg: never
        """,
    # Outlives a short job timeout.
    "remove_client.yml": """
        - name: Sleep
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Sleep longer than the timeout
              ansible.builtin.command: sleep 61.7
        """,
    # Writes a status report where status.yml writes it.
    "status.yml": """
        - name: Report
          hosts: localhost
          gather_facts: false
          tasks:
            - name: Write the report
              ansible.builtin.copy:
                dest: "{{ opt_report_dir }}/status-20261204T130000Z.json"
                content: '{"checked_at": "2026-12-04T13:00:00Z", "clients": [{"client": "acme", "service": "up", "sites": []}]}'
                mode: "0644"
        """,
}


def sleeping():
    """The processes of the timeout test's task."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == b"sleep\x0061.7\x00":
                found.append(int(entry.name))
        except OSError:
            pass
    return found


class RealRunTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp(prefix="jobs-runner-"))
        (cls.tmp / "playbooks").mkdir()
        for name, text in PLAYBOOKS.items():
            (cls.tmp / "playbooks" / name).write_text(textwrap.dedent(text))
        (cls.tmp / "inventory").mkdir()
        (cls.tmp / "inventory" / "hosts.yml").write_text(INVENTORY)
        (cls.tmp / "ansible.cfg").write_text("[defaults]\nretry_files_enabled = False\n")
        (cls.tmp / "vault-password.txt").write_text("not used\n")
        cls.settings = override_settings(
            PORTAL_PLAYBOOKS=cls.tmp / "playbooks", PORTAL_INVENTORY=cls.tmp / "inventory",
            PORTAL_JOBS_DIR=cls.tmp / "jobs", PORTAL_ANSIBLE_CONFIG=str(cls.tmp / "ansible.cfg"),
            PORTAL_VAULT_ID="portal", PORTAL_VAULT_PASSWORD_FILE=str(cls.tmp / "vault-password.txt"),
            PORTAL_JOB_ENV={"OPT_TEST_MARK": "marked"}, PORTAL_JOB_TIMEOUT=120)
        cls.settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls.settings.disable()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def run_job(self, kind, **fields):
        enqueue(kind, "acme", **fields)
        job = claim("test:1")
        with mock.patch.dict(os.environ, {"PORTAL_SECRET_KEY": "do-not-pass-me",
                                          "ANSIBLE_VAULT_IDENTITY_LIST": "other@/nowhere"}):
            return run(job)

    def test_a_run_records_tasks_recap_messages_and_leaves_no_directory(self):
        job = self.run_job(Kind.TUNNEL, lang="fr")
        self.assertEqual(job.state, State.SUCCEEDED, job.error)
        self.assertEqual(job.progress, ["First task", "Show the environment", "Change something"])
        self.assertEqual(job.summary["localhost"]["changed"], 1)
        self.assertEqual(job.summary["localhost"]["ok"], 3)
        self.assertEqual(job.summary["localhost"]["failed"], 0)
        self.assertEqual(job.result["messages"][0], "lang=fr client=acme mark=marked")
        # The portal's secrets stay out of the run; its vault id is the portal's own.
        self.assertEqual(job.result["messages"][1],
                         f"secret=[] vault=[portal@{self.tmp / 'vault-password.txt'}]")
        self.assertFalse((self.tmp / "jobs" / str(job.pk)).exists())
        self.assertIsNotNone(job.finished_at)
        self.assertEqual(job.error, "")

    def test_a_failed_run_keeps_the_first_real_failure_censored(self):
        job = self.run_job(Kind.APPLY, commit="c" * 40)
        self.assertEqual(job.state, State.FAILED)
        self.assertEqual(job.progress, ["Fail but go on", "Fail with a secret"])
        self.assertNotIn("s3cr3t", job.error)
        self.assertNotIn("ignored failure", job.error)
        self.assertIn("no_log", job.error)
        self.assertEqual(job.summary["localhost"]["failed"], 1)
        self.assertEqual(job.summary["localhost"]["ignored"], 1)
        self.assertFalse((self.tmp / "jobs" / str(job.pk)).exists())

    def test_a_status_run_stores_the_report_clients(self):
        job = self.run_job(Kind.STATUS)
        self.assertEqual(job.state, State.SUCCEEDED, job.error)
        self.assertEqual(job.result["clients"], [{"client": "acme", "service": "up", "sites": []}])
        self.assertEqual(job.result["checked_at"], "2026-12-04T13:00:00Z")

    def test_a_run_past_the_timeout_is_stopped(self):
        started = time.monotonic()
        with override_settings(PORTAL_JOB_TIMEOUT=1):
            job = self.run_job(Kind.REMOVE)
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual(job.state, State.FAILED)
        self.assertIn("longer than 1 s", job.error)
        self.assertEqual(job.progress, ["Sleep longer than the timeout"])
        self.assertFalse((self.tmp / "jobs" / str(job.pk)).exists())
        # The task's process is gone with the playbook (ansible's workers run in sessions of their own).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sleeping():
            time.sleep(0.2)
        self.assertEqual(sleeping(), [])

    def test_a_missing_playbook_fails_with_a_reason(self):
        enqueue(Kind.DRIFT)
        job = run(claim("test:1"))
        self.assertEqual(job.state, State.FAILED)
        self.assertIn("drift.yml", job.error)


class RecorderTests(TestCase):
    def setUp(self):
        self.job = enqueue(Kind.APPLY, "acme")
        self.now = 0.0
        self.recorder = Recorder(self.job, interval=1.0, clock=lambda: self.now)

    def task(self, name):
        self.recorder({"event": "playbook_on_task_start", "event_data": {"task": name}})

    def saved(self):
        return Job.objects.get(pk=self.job.pk).progress

    def test_stopper_signals_the_playbook_first_then_lets_it_be_killed(self):
        from jobs.runner import Stopper
        now, sent, stop = [0.0], [], [False]
        stopper = Stopper(lambda: stop[0], timeout=100, clock=lambda: now[0], pids=lambda: [4242],
                          kill=lambda pid, number: sent.append((pid, number)))
        self.assertFalse(stopper())
        stop[0] = True
        self.assertFalse(stopper())
        self.assertEqual(sent, [(4242, 15)])
        self.assertEqual(stopper.reason, "canceled")
        now[0] = Stopper.GRACE
        self.assertTrue(stopper())
        self.assertEqual(len(sent), 1)

    def test_stopper_times_out(self):
        from jobs.runner import Stopper
        now = [0.0]
        stopper = Stopper(lambda: False, timeout=5, clock=lambda: now[0], pids=lambda: [], kill=None)
        now[0] = 6
        self.assertFalse(stopper())
        self.assertEqual(stopper.reason, "timeout")

    def test_progress_saved_at_most_once_per_interval(self):
        self.task("one")
        self.assertEqual(self.saved(), ["one"])
        self.now = 0.5
        self.task("two")
        self.assertEqual(self.saved(), ["one"])
        self.now = 1.6
        self.task("three")
        self.assertEqual(self.saved(), ["one", "two", "three"])

    def test_events_are_not_written_to_disk(self):
        self.assertIs(self.recorder({"event": "playbook_on_start"}), False)

    def test_unreachable_is_a_failure(self):
        self.recorder({"event": "runner_on_unreachable", "event_data": {"res": {"msg": "ssh: no route"}}})
        self.assertEqual(self.recorder.error, "ssh: no route")

    def test_loop_failure_shows_the_failed_item(self):
        res = {"msg": "One or more items failed", "results": [
            {"msg": "fine", "failed": False}, {"msg": "item two broke", "failed": True}]}
        self.assertEqual(result_message(res), "item two broke")
        censored = {"censored": "the output has been hidden", "results": [{"msg": "secret", "failed": True}]}
        self.assertEqual(result_message(censored), "the output has been hidden")

    def test_recap_per_host(self):
        stats = {"ok": {"h": 5}, "changed": {"h": 2}, "failures": {"h": 1}, "dark": {}, "processed": {"h": 1, "g": 1}}
        self.assertEqual(recap(stats)["h"], {"ok": 5, "changed": 2, "failed": 1, "unreachable": 0,
                                             "skipped": 0, "rescued": 0, "ignored": 0})
        self.assertEqual(recap(stats)["g"]["ok"], 0)
