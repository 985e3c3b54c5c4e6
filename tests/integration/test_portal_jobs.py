"""The portal's jobs on the lab: real playbooks queued as the pages queue them and run by
`manage.py runjobs --once` (ansible-runner), against a private copy of the lab inventory with
the lab's vault id. What the pages show is what the Job rows hold: task names, recap, error,
the status report's probes, the tunnel logs.

Each portal call is a `manage.py` subprocess with the portal's environment (its own SQLite
database in a temporary directory), so nothing of Django stays in the pytest process.
"""
import json
import os
import shutil
import signal
import subprocess
import textwrap
import time

import pytest

from conftest import LOCK_DIR, ROOT, Inventory, clean_engine
from lab.paths import wait_state

PORTAL = ROOT / "portal"
PYTHON = ROOT / ".venv" / "bin" / "python"
# One bound per portal command; a job's own bound is PORTAL_JOB_TIMEOUT.
COMMAND_TIMEOUT = 600
JOB_TIMEOUT = 540


class Portal:
    def __init__(self, tmp, inventory):
        self.inventory = inventory
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_VAULT")},
            "PYTHONPATH": str(ROOT / "collections"), "PORTAL_TESTING": "1", "PORTAL_DATA_DIR": str(tmp / "data"),
            "PORTAL_INVENTORY": str(inventory.path), "PORTAL_JOBS_DIR": str(tmp / "jobs"),
            "PORTAL_VAULT_ID": "lab", "PORTAL_VAULT_PASSWORD_FILE": str(inventory.path / "vault-password.txt"),
            "PORTAL_JOB_TIMEOUT": str(JOB_TIMEOUT), "ANSIBLE_NOCOLOR": "1",
            "PORTAL_SECRET_KEY": "portal-jobs-test-secret-not-for-playbooks",
        }
        (tmp / "data").mkdir()
        self.manage("migrate", "--noinput", "-v", "0")

    def manage(self, *args, timeout=COMMAND_TIMEOUT):
        done = subprocess.run([str(PYTHON), "manage.py", *args], cwd=PORTAL, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def python(self, code):
        """Run code in the portal (manage.py shell); its last printed line is JSON."""
        out = self.manage("shell", "-c", textwrap.dedent(code))
        return json.loads(out.strip().splitlines()[-1])

    def enqueue(self, kind, client="", lang="en", **extravars):
        return self.python(f"""
            from jobs.queue import enqueue
            print(enqueue({kind!r}, {client!r}, extravars={extravars!r}, lang={lang!r}).pk)
        """)

    def job(self, pk):
        return self.python(f"""
            import json
            from jobs.models import Job
            job = Job.objects.get(pk={pk})
            print(json.dumps({{"state": job.state, "progress": job.progress, "summary": job.summary,
                               "error": job.error, "result": job.result, "playbook": job.playbook,
                               "seconds": ((job.finished_at - job.started_at).total_seconds()
                                           if job.finished_at else None)}}))
        """)

    def run(self, kind, client="", lang="en", **extravars):
        """Queue one job, run the queue (runjobs --once), return the job as stored."""
        pk = self.enqueue(kind, client, lang, **extravars)
        self.manage("runjobs", "--once", "--poll", "0.5")
        job = self.job(pk)
        assert job["state"] in ("succeeded", "failed"), job
        return job


@pytest.fixture(scope="module")
def portal(engine, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal-jobs")
    clean_engine(engine)
    yield Portal(tmp, Inventory(tmp / "inventory"))
    clean_engine(engine)


def changed(job):
    return job["summary"]["lab-docker-host"]["changed"]


def test_apply_runs_add_client_and_records_tasks_and_recap(portal, engine):
    job = portal.run("apply", "acme")
    assert job["state"] == "succeeded", job["error"]
    assert job["playbook"] == "add_client.yml"
    print(f"\napply job (add_client.yml, acme, from empty): {job['seconds']:.1f} s")
    for task in ("Refuse an unknown client", "Take the Docker host's lock", "Release the Docker host's lock"):
        assert task in job["progress"], job["progress"]
    assert changed(job) > 0 and job["summary"]["lab-docker-host"]["failed"] == 0, job["summary"]
    assert engine.containers.get("opt-acme").status == "running"
    # The same apply again through the portal changes nothing.
    again = portal.run("apply", "acme")
    assert again["state"] == "succeeded", again["error"]
    assert changed(again) == 0, again["summary"]
    print(f"apply job again (no change): {again['seconds']:.1f} s")


def test_status_job_stores_the_report_probes(portal, engine):
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up", timeout=60)
    job = portal.run("status", "acme")
    assert job["state"] == "succeeded", job["error"]
    clients = job["result"]["clients"]
    assert [c["client"] for c in clients] == ["acme"]
    sites = {s["site"]: s for s in clients[0]["sites"]}
    assert sorted(sites) == ["lyon", "paris"]
    assert all(s["state"] == "up" and s["tcp"]["state"] == "up" for s in sites.values()), sites
    assert {p["name"]: p["state"] for p in sites["lyon"]["printers"]} == {"accueil": "up", "compta": "up"}
    print(f"\nstatus job, one client (acme): {job['seconds']:.1f} s")
    # The status page shows that job's probes.
    page = portal.python("""
        import json
        from django.test import Client
        from accounts.models import User
        user = User.objects.filter(email="tech@coaxis.test").first() or User.objects.create_technician(
            "tech@coaxis.test", "a long enough password 1")
        browser = Client()
        browser.force_login(user)
        print(json.dumps(browser.get("/jobs/client/acme/status/", HTTP_HOST="opt.coaxis.test").content.decode()))
    """)
    assert page.count('class="service state-up" data-state="up"') == 2, page
    assert page.count('class="tcp state-up" data-state="up"') == 2, page
    assert page.count('class="reach state-up" data-state="up"') == 3, page


def test_status_job_of_both_lab_clients(portal, engine):
    applied = portal.run("apply", "globex")
    assert applied["state"] == "succeeded", applied["error"]
    job = portal.run("status", "")
    assert job["state"] == "succeeded", job["error"]
    assert sorted(c["client"] for c in job["result"]["clients"]) == ["acme", "globex"]
    print(f"\nstatus job, two clients (acme, globex): {job['seconds']:.1f} s")


def test_tunnel_restart_of_one_site(portal, engine):
    before = wait_state(engine, "acme", "lyon", "up", timeout=60)
    job = portal.run("tunnel", "acme", tunnel_action="restart", site="lyon")
    assert job["state"] == "succeeded", job["error"]
    assert "Run the tunnel action" in job["progress"], job["progress"]
    lines = job["result"]["messages"]
    assert any("lyon" in line for line in lines) and not any("paris" in line for line in lines), lines
    after = wait_state(engine, "acme", "lyon", "up", timeout=60)
    assert after["since"] != before["since"], (before, after)


def test_tunnel_logs_are_read_through_the_engine(portal, engine):
    logs = portal.python("""
        import json
        from jobs.logs import read_site_logs
        print(json.dumps(read_site_logs("acme", "lab-docker-host", ["lyon", "paris", "nowhere"])))
    """)
    assert logs["lyon"]["error"] == "" and logs["lyon"]["lines"], logs
    assert len(logs["lyon"]["lines"]) <= 50
    assert logs["nowhere"]["lines"] == [] and "nowhere.log" in logs["nowhere"]["error"], logs


def test_a_refused_inventory_fails_with_its_message_and_changes_nothing(portal, engine):
    container = engine.containers.get("opt-acme").id
    main = portal.inventory.path / "host_vars" / "acme" / "main.yml"
    kept = main.read_text()
    # A client on the network's gateway address: the whole-inventory check refuses it.
    main.write_text(kept.replace("opt_ip: 10.128.0.10", "opt_ip: 10.128.0.1"))
    try:
        job = portal.run("apply", "acme", lang="fr")
    finally:
        main.write_text(kept)
    assert job["state"] == "failed"
    assert "10.128.0.1" in job["error"] and "passerelle" in job["error"], job["error"]
    assert job["summary"]["lab-docker-host"]["failed"] == 1, job["summary"]
    assert engine.containers.get("opt-acme").id == container


def start_worker(portal, *args):
    return subprocess.Popen([str(PYTHON), "manage.py", "runjobs", "--poll", "0.5", *args], cwd=PORTAL,
                            env=portal.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_started(portal, pk, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not portal.job(pk)["progress"]:
        time.sleep(0.5)
    assert portal.job(pk)["progress"], "the job did not start"


def stop_worker(worker, *signals, timeout=120):
    try:
        for number in signals:
            worker.send_signal(number)
            time.sleep(1)
        out, _ = worker.communicate(timeout=timeout)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    return out


def test_sigterm_lets_the_current_job_end_and_claims_no_more(portal, engine):
    current = portal.enqueue("apply", "acme")
    waiting = portal.enqueue("status", "acme")
    worker = start_worker(portal, "--grace", "300")
    wait_started(portal, current)
    out = stop_worker(worker, signal.SIGTERM)
    assert worker.returncode == 0, out
    job = portal.job(current)
    assert job["state"] == "succeeded", job
    assert "Release the Docker host's lock" in job["progress"]
    assert portal.job(waiting)["state"] == "queued"
    assert portal.run("status", "acme")["state"] == "succeeded"


def test_a_second_sigterm_stops_the_run_as_worker_stopped(portal, engine):
    pk = portal.enqueue("apply", "acme")
    worker = start_worker(portal, "--grace", "300")
    try:
        wait_started(portal, pk)
        out = stop_worker(worker, signal.SIGTERM, signal.SIGTERM, timeout=60)
        assert worker.returncode == 0, out
        job = portal.job(pk)
        assert job["state"] == "failed" and "worker stopped" in job["error"], job
    finally:
        # The stopped run may have held the lab Docker host's lock: it would stay for its ttl.
        shutil.rmtree(LOCK_DIR / "opt-clients.lock", ignore_errors=True)
    # The same apply runs again and converges.
    assert portal.run("apply", "acme")["state"] == "succeeded"
