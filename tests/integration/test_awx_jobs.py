"""Every AWX job template of awx/, launched the way AWX launches it and run the way AWX runs it
(ansible_runner, the repository as the project), on the lab.

The job templates and their surveys are those awx/configure.yml makes, in English and in French
(awx_jobs.py reads awx/vars/ and renders the surveys with the collection's own code). Each job is
launched as awx.awx.job_launch launches it, through the API: every required answer sent, since
AWX fills in no default for it. One sequence on a clean lab, each job on the state the previous
ones left, as operators would use them: clients added, their tunnels acted on (one launch aimed
at another client), the reports, a converge, the routes, an upgrade and a removal. The tests
then read what each job reported (its status, its events) and what it left on the engine; the
last one looks for the secrets in every file the jobs left behind.
"""
import json
import re
from pathlib import Path

import pytest
import yaml

from awx_jobs import LaunchRefused, job_templates, run_job
from conftest import LAB_INVENTORY, Inventory, clean_engine, vaulted_value
from lab.paths import (COAXIS_HOST, LAB_STATE, printer_jobs, remove_coaxis_routes, send_job, status, wait_job,
                       wait_state)

CLIENTS = list(yaml.safe_load((LAB_INVENTORY / "hosts.yml").read_text())["all"]["children"]["opt_clients"]["hosts"])
DOCKER_HOST = "lab-docker-host"
OLD_IMAGE = "coaxis/docker-opt:lab"
# The image the Upgrade job rolls out: the lab's docker-opt image committed under another tag and
# version label (another image id, the same content), made here, never pulled.
NEW_IMAGE = "coaxis/docker-opt:awx-upgrade"
REPORT = {"en": re.compile(r"status report written: (\S+\.html) \(and (\S+\.json)\)"),
          "fr": re.compile(r"rapport d'état écrit : (\S+\.html) \(et (\S+\.json)\)")}


class AwxJobs:
    """The lab's AWX, as far as launching and running the job templates goes."""

    def __init__(self, engine, base):
        self.engine = engine
        self.base = base
        self.inventory = Inventory(base / "inventory")
        # Where production would keep the reports (an inventory variable, not a survey answer):
        # the job writes them outside the project.
        self.inventory.set_vars("group_vars", "all", opt_report_dir=str(base / "reports"))
        self.templates = {lang: job_templates(lang, CLIENTS) for lang in ("en", "fr")}
        self.jobs = {}
        self.ignored = {}
        self.seen = {}

    def run(self, key, lang, template, **answers):
        """Launch as awx.awx.job_launch does (these extra variables, no default filled in), then run."""
        template = self.templates[lang][template]
        extra_vars = template.launch(**answers)
        # What AWX's 201 answer lists as ignored_fields: sent, not refused, not in the job.
        self.ignored[key] = template.accept_or_ignore(answers)[1]
        self.jobs[key] = run_job(template, extra_vars, self.inventory.path, self.base / "jobs" / key)
        return self.jobs[key]

    def tunnels(self):
        """{client: {site: state}} of the clients' tunnels, as their mast reports them."""
        return {client: {site: data["state"] for site, data in status(self.engine, client).items()}
                for client in ("acme", "globex")}

    def containers(self):
        return {c.name: c for c in self.engine.containers.list(all=True, filters={"name": "^opt-"})}

    def play(self):
        engine = self.engine
        self.run("add acme", "en", "Add client", client="acme", opt_lang="en")
        self.seen["add acme"] = {name: c.status for name, c in self.containers().items()}
        self.run("add globex", "fr", "Add client", client="globex", opt_lang="fr")
        # A client name the survey takes (2 to 32 characters) that the inventory does not have.
        self.run("unknown client", "en", "Tunnel action", client="initech", tunnel_action="status", opt_lang="en")
        self.run("restart lyon", "fr", "Tunnel action", client="acme", tunnel_action="redémarrer", site="lyon",
                 opt_lang="fr")
        # acme's team aims its job template at globex: AWX drops the client and stops acme's tunnels.
        for client, site in (("acme", "lyon"), ("acme", "paris"), ("globex", "lyon")):
            wait_state(engine, client, site, "up")
        self.seen["before stop"] = self.tunnels()
        self.run("stop aimed at globex", "en", "Tunnel action — acme", client="globex", tunnel_action="stop",
                 opt_lang="en")
        self.seen["stop aimed at globex"] = self.tunnels()
        self.run("acme start", "en", "Tunnel action — acme", tunnel_action="start", opt_lang="en")
        for site in ("lyon", "paris"):
            wait_state(engine, "acme", site, "up")
        self.run("acme tunnels", "en", "Tunnel action — acme", tunnel_action="status", opt_lang="en")
        self.run("acme report", "en", "Status report — acme", opt_lang="en")
        # The optional client question left out: AWX gives it its default, empty (every client).
        self.run("report", "en", "Status report", opt_lang="en")
        self.run("converge", "en", "Converge all", opt_lang="en")
        self.run("routes", "fr", "Routes", state="présent", opt_lang="fr")
        # What the service is for: Coaxis prints to acme's address, through the route just made.
        wait_state(engine, "acme", "lyon", "up")
        before = printer_jobs(engine, "10.131.1.20")
        sent = send_job(engine, "10.128.0.10", 9101, 4096, timeout=30)
        self.seen["print"] = sent, wait_job(engine, "10.131.1.20", before)

        base = engine.containers.create(OLD_IMAGE, network_mode="none")
        try:
            engine.api.commit(base.id, repository=NEW_IMAGE.split(":")[0], tag=NEW_IMAGE.split(":")[1],
                              changes=["LABEL org.opencontainers.image.version=0.1.1-awx"])
        finally:
            base.remove(force=True)
        # The operator's commit to the project: the new image in the inventory.
        self.inventory.set_vars("group_vars", "docker_hosts", opt_image=NEW_IMAGE)
        self.run("upgrade", "en", "Upgrade", clients="acme", opt_lang="en")
        images = {engine.images.get(image).id: image for image in (OLD_IMAGE, NEW_IMAGE)}
        self.seen["upgrade"] = {name: images.get(c.attrs["Image"]) for name, c in self.containers().items()}

        self.run("remove", "fr", "Remove client", client="acme", purge="non", opt_lang="fr")
        self.seen["remove"] = ({name: c.status for name, c in self.containers().items()},
                               sorted(v.name for v in engine.volumes.list(filters={"name": "opt-acme-"})))


@pytest.fixture(scope="module")
def awx(engine, tmp_path_factory):
    clean_engine(engine)
    coaxis = engine.containers.get(COAXIS_HOST)
    remove_coaxis_routes(coaxis)
    lab = AwxJobs(engine, tmp_path_factory.mktemp("awx-jobs"))
    try:
        lab.play()
        yield lab
    finally:
        clean_engine(engine)
        remove_coaxis_routes(coaxis)
        for image in engine.images.list(name=NEW_IMAGE):
            engine.images.remove(image.id, force=True)


def module_args(job, task, host=DOCKER_HOST):
    return job.results(task)[host]["invocation"]["module_args"]


def report(job, lang):
    """The report the job says it wrote (its JSON; the HTML page is checked to be beside it)."""
    found = [m for text in job.messages("Say where the report is") for m in REPORT[lang].findall(text)]
    assert len(found) == 1, job
    html, data = (Path(p) for p in found[0])
    assert html.is_file(), job
    return json.loads(data.read_text())


# --- launches AWX refuses: nothing runs ----------------------------------------------------------
@pytest.mark.parametrize("lang, template, answers, error", [
    ("en", "Add client", {"client": "a", "opt_lang": "en"},
     "'client' value a is too small (length is 1 must be at least 2)."),
    ("en", "Tunnel action", {"client": "acme", "tunnel_action": "status", "site": "s" * 33, "opt_lang": "en"},
     "'site' value " + "s" * 33 + " is too large"),
    # A French survey offers its labels: the English value is no choice there (the playbook would take it).
    ("fr", "Tunnel action", {"client": "acme", "tunnel_action": "restart", "opt_lang": "fr"},
     "Value restart for 'tunnel_action' expected to be one of ['état', 'démarrer', 'arrêter', 'redémarrer']."),
    ("en", "Remove client", {"client": "acme", "purge": "maybe", "opt_lang": "en"},
     "Value maybe for 'purge' expected to be one of"),
])
def test_awx_refuses_answers_its_survey_does_not_allow(lang, template, answers, error):
    with pytest.raises(LaunchRefused) as refused:
        job_templates(lang, CLIENTS)[template].launch(**answers)
    assert len(refused.value.errors) == 1 and refused.value.errors[0].startswith(error), refused.value.errors


@pytest.mark.parametrize("lang, template, answers, errors", [
    # Converge all asks one question, the language: an empty launch is refused.
    ("en", "Converge all", {}, ["'opt_lang' value missing"]),
    ("en", "Tunnel action — acme", {}, ["'tunnel_action' value missing", "'opt_lang' value missing"]),
    # The French survey's default language is French, for the launch form only.
    ("fr", "Add client", {"client": "globex"}, ["'opt_lang' value missing"]),
    ("en", "Remove client", {"client": "acme", "opt_lang": "en"}, ["'purge' value missing"]),
    ("fr", "Routes", {"opt_lang": "fr"}, ["'state' value missing"]),
    ("en", "Status report — acme", {"client": "acme"}, ["'opt_lang' value missing"]),
])
def test_an_api_launch_must_send_every_required_answer(lang, template, answers, errors):
    """awx.awx.job_launch, awxkit and curl get no default for a required question: AWX refuses."""
    with pytest.raises(LaunchRefused) as refused:
        job_templates(lang, CLIENTS)[template].launch(**answers)
    assert refused.value.errors == errors


def test_the_launch_form_fills_in_the_defaults_the_api_does_not():
    templates = job_templates("fr", CLIENTS)
    assert templates["Add client"].launch(ui=True, client="globex") == {"client": "globex", "opt_lang": "fr"}
    assert templates["Tunnel action — acme"].launch(ui=True) == {
        "client": "acme", "tunnel_action": "état", "site": "", "opt_lang": "fr"}
    # The launch form's default for the required client is empty: too short, as in the form.
    with pytest.raises(LaunchRefused) as refused:
        templates["Add client"].launch(ui=True)
    assert refused.value.errors == ["'client' value  is too small (length is 0 must be at least 2)."]


@pytest.mark.parametrize("template, answers, job, ignored", [
    # acme's team names another client: dropped, the job template's own client stays.
    ("Tunnel action — acme", {"client": "globex", "tunnel_action": "stop", "opt_lang": "en"},
     {"client": "acme", "tunnel_action": "stop", "site": "", "opt_lang": "en"}, {"client": "globex"}),
    # Its own client, the job template's extra variable: pruned without a word.
    ("Tunnel action — acme", {"client": "acme", "tunnel_action": "stop", "opt_lang": "en"},
     {"client": "acme", "tunnel_action": "stop", "site": "", "opt_lang": "en"}, {}),
    ("Converge all", {"opt_image": "evil/image:latest", "opt_lang": "en"}, {"opt_lang": "en"},
     {"opt_image": "evil/image:latest"}),
    ("Status report — acme", {"client": "", "opt_report_dir": "/tmp", "opt_lang": "en"},
     {"client": "acme", "opt_lang": "en"}, {"client": "", "opt_report_dir": "/tmp"}),
])
def test_a_launch_drops_the_variables_its_survey_does_not_ask(template, answers, job, ignored):
    """AWX launches (201) without them: they are its answer's ignored_fields, not in the job."""
    template = job_templates("en", CLIENTS)[template]
    assert template.launch(**answers) == job
    assert template.accept_or_ignore(answers)[1] == ignored


def test_a_schedule_refuses_the_variables_its_survey_does_not_ask():
    template = job_templates("en", CLIENTS)["Tunnel action — acme"]
    # The same extra_data without the other client is a schedule AWX takes.
    assert template.schedule(tunnel_action="stop", opt_lang="en") == {"tunnel_action": "stop", "opt_lang": "en"}
    with pytest.raises(LaunchRefused) as refused:
        template.schedule(client="globex", tunnel_action="stop", opt_lang="en")
    assert refused.value.errors == [
        "Variables client are not allowed on launch. Check the Prompt on Launch setting on the Job Template "
        "to include Extra Variables."]
    # A schedule's extra_data is checked whole: its required answers too.
    with pytest.raises(LaunchRefused) as refused:
        template.schedule(tunnel_action="stop")
    assert refused.value.errors == ["'opt_lang' value missing"]


def test_every_job_template_of_awx_was_run(awx):
    """A job template added to awx/ without a run here fails this test."""
    ran = {(job.template.playbook, job.template.survey) for job in awx.jobs.values()}
    declared = {(t.playbook, t.survey) for t in awx.templates["en"].values()}
    assert declared - ran == set()


# --- the jobs -------------------------------------------------------------------------------------
def test_add_client(awx):
    job = awx.jobs["add acme"]
    assert job.status == "successful", job
    assert job.extra_vars == {"client": "acme", "opt_lang": "en"}
    converged = job.results("Converge the client containers")[DOCKER_HOST]
    assert converged["changed"] is True and converged["clients"]["acme"]["action"] == "create"
    [summary] = job.messages("Show each client's container")
    assert re.fullmatch(r"acme: container [0-9a-f]{64}, IP 10\.128\.0\.10/16 via 10\.128\.0\.1, running \(create\)",
                        summary), summary
    assert job.stats["failures"] == {} and job.changed(DOCKER_HOST) > 0
    assert awx.seen["add acme"]["opt-acme"] == "running"


def test_add_client_with_the_french_survey(awx):
    job = awx.jobs["add globex"]
    assert job.status == "successful", job
    assert job.extra_vars == {"client": "globex", "opt_lang": "fr"}
    assert set(job.results("Converge the client containers")[DOCKER_HOST]["clients"]) == {"globex"}
    [summary] = job.messages("Show each client's container")
    assert re.fullmatch(r"globex : conteneur [0-9a-f]{64}, IP 10\.128\.0\.11/16 via 10\.128\.0\.1, running \(create\)",
                        summary), summary


def test_a_french_restart_of_one_site_reaches_the_playbook_as_restart(awx):
    job = awx.jobs["restart lyon"]
    assert job.status == "successful", job
    assert job.extra_vars == {"client": "acme", "tunnel_action": "redémarrer", "site": "lyon", "opt_lang": "fr"}
    args = module_args(job, "Run the tunnel action")
    assert (args["action"], args["site"], args["clients"]) == ("restart", "lyon", ["acme"])
    result = job.results("Run the tunnel action")[DOCKER_HOST]
    assert result["changed"] is True and result["clients"]["acme"]["acted"] == ["lyon"]
    [line] = job.messages("Show each site's tunnel")
    assert line.startswith("acme/lyon : up depuis ") and "ports d'écoute : 9101, 9102" in line, line
    assert job.changed(DOCKER_HOST) == 1


def test_a_client_team_acts_on_its_own_client_only(awx):
    # Aimed at globex, the launch goes on without the client it named: acme's tunnels stop, globex's run.
    job = awx.jobs["stop aimed at globex"]
    assert job.status == "successful", job
    assert awx.ignored["stop aimed at globex"] == {"client": "globex"}
    assert job.extra_vars == {"client": "acme", "tunnel_action": "stop", "site": "", "opt_lang": "en"}
    assert module_args(job, "Run the tunnel action")["clients"] == ["acme"]
    before, after = awx.seen["before stop"], awx.seen["stop aimed at globex"]
    assert before == {"acme": {"lyon": "up", "paris": "up"}, "globex": {"lyon": "up"}}, before
    assert after == {"acme": {"lyon": "stopped", "paris": "stopped"}, "globex": {"lyon": "up"}}, after
    assert awx.ignored["acme start"] == {} and awx.jobs["acme start"].status == "successful"

    job = awx.jobs["acme tunnels"]
    assert job.status == "successful", job
    # The job template fixes the client; status changes nothing; the optional site gets its default.
    assert job.extra_vars == {"client": "acme", "tunnel_action": "status", "site": "", "opt_lang": "en"}
    assert module_args(job, "Run the tunnel action")["clients"] == ["acme"]
    result = job.results("Run the tunnel action")[DOCKER_HOST]
    assert result["changed"] is False and list(result["clients"]) == ["acme"]
    lines = job.messages("Show each site's tunnel")
    assert [line.split(":")[0] for line in lines] == ["acme/lyon", "acme/paris"], lines
    assert job.changed(DOCKER_HOST) == 0


def test_status_reports_of_one_client_and_of_all(awx):
    mine, everyone = awx.jobs["acme report"], awx.jobs["report"]
    assert mine.status == everyone.status == "successful", (mine, everyone)
    assert mine.extra_vars == {"client": "acme", "opt_lang": "en"}
    # The optional client question left out: AWX gives it its default, empty (every client).
    assert everyone.extra_vars == {"client": "", "opt_lang": "en"}
    assert module_args(mine, "Probe the clients")["clients"] == ["acme"]
    assert module_args(everyone, "Probe the clients")["clients"] == ["acme", "globex"]
    assert [c["client"] for c in report(mine, "en")["clients"]] == ["acme"]
    assert [c["client"] for c in report(everyone, "en")["clients"]] == ["acme", "globex"]
    assert mine.changed(DOCKER_HOST) == everyone.changed(DOCKER_HOST) == 0


def test_converge_all_adds_the_routes_then_routes_change_nothing(awx):
    converge, routes = awx.jobs["converge"], awx.jobs["routes"]
    assert converge.status == routes.status == "successful", (converge, routes)
    # Both clients were added by their jobs: only the Coaxis host's route was missing.
    assert converge.changed(DOCKER_HOST) == 0 and converge.changed(COAXIS_HOST) == 1, converge.stats
    assert converge.results("Converge the client containers")[DOCKER_HOST]["changed"] is False
    assert converge.messages("Show each route") == [
        "lab-coaxis-1: route 10.128.0.0/16 via 10.129.0.1 (lab-docker-host): added"]
    # The French label présent reaches the module as present.
    assert routes.extra_vars == {"state": "présent", "opt_lang": "fr"}
    asked = module_args(routes, "Ensure the routes to the client networks", COAXIS_HOST)["routes"]
    assert [route["state"] for route in asked] == ["present"]
    assert routes.changed(COAXIS_HOST) == 0, routes.stats
    sent, printed = awx.seen["print"]
    assert "error" not in sent and list(printed.values()) == [sent["sha256"]], (sent, printed)


def test_upgrade_of_one_client(awx):
    job = awx.jobs["upgrade"]
    assert job.status == "successful", job
    assert job.extra_vars == {"clients": "acme", "opt_lang": "en"}
    [done] = job.messages("Show the upgraded client")
    assert re.fullmatch(rf"acme: container [0-9a-f]{{64}} on {NEW_IMAGE}, IP 10\.128\.0\.10, sites up: lyon, paris",
                        done), done
    assert awx.seen["upgrade"]["opt-acme"] == NEW_IMAGE and awx.seen["upgrade"]["opt-globex"] == OLD_IMAGE
    assert job.changed("acme") > 0 and job.changed("globex") == 0, job.stats


def test_remove_client_keeps_its_volumes_when_purge_is_no(awx):
    job = awx.jobs["remove"]
    assert job.status == "successful", job
    assert job.extra_vars == {"client": "acme", "purge": "non", "opt_lang": "fr"}
    removed = job.results("Remove the client's container (and its volumes with purge=true)")[DOCKER_HOST]
    assert removed["changed"] is True and removed["invocation"]["module_args"]["purge"] is False
    shown = job.messages("Show what was removed and what was kept")
    assert any(m.startswith("les volumes de données sont conservés : add_client.yml rétablit") for m in shown), shown
    containers, volumes = awx.seen["remove"]
    assert "opt-acme" not in containers and containers["opt-globex"] == "running"
    assert volumes == ["opt-acme-config", "opt-acme-logs"]


def test_an_unknown_client_passes_the_survey_and_is_refused_by_the_playbook(awx):
    job = awx.jobs["unknown client"]
    assert job.status == "failed", job
    failed = job.results("Refuse an unknown client", event="runner_on_failed")
    assert [res["msg"] for res in failed.values()] == [
        "initech: unknown client; the inventory's clients (group opt_clients) are: acme, globex"]
    assert job.results("Run the tunnel action") == {} and job.stats["changed"] == {}


# --- secrets ----------------------------------------------------------------------------------------
def test_no_secret_in_the_artifacts_of_any_job(awx):
    """AWX keeps a job's artifacts (events, stdout, command, env, extra variables): no secret in them."""
    key = vaulted_value(awx.inventory.path / "host_vars" / "acme" / "vault.yml", "vault_opt_private_key")
    tls_key = (LAB_STATE / "tls" / "wildcard.key").read_text()
    secrets = {"acme's private key": key.splitlines()[1:-1], "the TLS key": tls_key.splitlines()[1:-1],
               "the vault password": [(LAB_INVENTORY / "vault-password.txt").read_text().strip()]}
    assert all(secrets.values()), secrets
    certificate = (LAB_STATE / "tls" / "wildcard.crt").read_text().splitlines()[1:-1]
    seen = ""
    for job in awx.jobs.values():
        files = [p for p in job.private_data_dir.rglob("*") if p.is_file()]
        assert {"stdout", "command", "extravars"} <= {p.name for p in files}, job
        assert any(p.parent.name == "job_events" for p in files), job
        for path in files:
            text = path.read_text(errors="replace")
            for name, lines in secrets.items():
                assert not [line for line in lines if line in text], f"{name} in {path}"
            seen += text
    # The certificate, public, is in the events (the edge proxy's arguments): the scan reads where
    # its key would have been.
    assert all(line in seen for line in certificate)
