"""The AWX job templates as awx/ declares them, launched the way AWX launches a job.

The job templates and their surveys are read from awx/vars/ and rendered with Ansible's own
templating and the collection's survey code (module_utils/_survey.py, what the opt_survey filter
of awx/configure.yml calls), in the language AWX is configured in. A launch follows AWX's rules
(awx/main/models/mixins.py, SurveyJobTemplateMixin), as AWX 24.6.1 answers them:

* A launch through the API (awx.awx.job_launch, awxkit, curl: POST .../launch/) sends the
  extra variables it is given and nothing else: the survey's defaults are not filled in for it.
  Every required question must be answered, or AWX refuses the launch (HTTP 400, no job) with
  one "'<variable>' value missing" per missing answer (_survey_element_validation, called by
  _accept_or_ignore_variables on the launch's own extra variables). Only the launch form of the
  UI starts from each question's default and sends it: launch(ui=True).
* Every answer is checked against its question (required, text length, choices): a wrong
  answer is refused the same way.
* A variable the survey does not ask, on a job template that does not ask variables on launch,
  is ignored, not refused: the launch goes on without it (HTTP 201, the variable listed in the
  response's ignored_fields; the launch serializer leaves out the "prompts" errors). One equal
  to the job template's own extra variable is pruned silently. A per-client job template's
  client therefore stays its own whatever the launch sends.
* A schedule's extra_data is checked with the "prompts" errors kept: there, a variable the
  survey does not ask is refused with "Variables <names> are not allowed on launch..." (HTTP
  400, no schedule): schedule().
* The job's extra variables are the job template's own, then the defaults of the survey's
  questions that pass their own question's check, then the launch's accepted variables
  (_update_unified_job_kwargs): a non-required question the launch leaves out gets its default
  (the site's "" on a tunnel action), a required one cannot be left out.

The job then runs through ansible_runner, as AWX's worker runs it: the project is this
repository, the inventory and the artifacts live in the job's private data directory.
"""
import contextlib
import json
import os
import re
from pathlib import Path

import ansible_runner
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from conftest import ROOT

# The survey code configure.yml runs (the coaxis.opt.opt_survey filter calls it).
from ansible_collections.coaxis.opt.plugins.module_utils._survey import survey_spec

AWX_VARS = ROOT / "awx" / "vars"


class LaunchRefused(Exception):
    """What AWX answers a launch it refuses (HTTP 400): no job is created."""

    def __init__(self, template, errors):
        super().__init__(f"{template}: {'; '.join(errors)}")
        self.errors = errors


def _plain(value):
    """Ansible's tagged strings and lists as plain JSON values (what AWX stores)."""
    return json.loads(json.dumps(value))


def _configplan(file, **variables):
    """A vars file of awx/ with its templates rendered, as configure.yml's vars_files are."""
    loader = DataLoader()
    data = loader.load_from_file(str(AWX_VARS / file), trusted_as_template=True)
    return _plain(Templar(loader=loader, variables={**data, **variables}).template(data))


def _job_template_task():
    """The arguments configure.yml gives awx.awx.job_template (for what it fixes on every template)."""
    play = yaml.safe_load((ROOT / "awx" / "configure.yml").read_text())[0]
    return next(task["awx.awx.job_template"] for task in play["tasks"] if "awx.awx.job_template" in task)


class JobTemplate:
    def __init__(self, name, playbook, survey, survey_spec, extra_vars, ask_variables_on_launch):
        self.name = name
        self.playbook = playbook
        self.survey = survey
        self.survey_spec = survey_spec
        self.extra_vars = extra_vars
        self.ask_variables_on_launch = ask_variables_on_launch

    def __repr__(self):
        return f"<JobTemplate {self.name}>"

    # AWX's text for variables a job template does not take (model_name: "Job Template").
    NOT_ALLOWED = ("Variables {} are not allowed on launch. Check the Prompt on Launch setting on the Job "
                   "Template to include Extra Variables.")

    def accept_or_ignore(self, variables):
        """(accepted, ignored, errors) of these extra variables, as _accept_or_ignore_variables:
        the survey's answers checked, the variables it does not ask set aside (those equal to the
        job template's own extra variables dropped without a word)."""
        errors, accepted, extra = [], {}, dict(variables)
        for question in self.survey_spec["spec"]:
            found = question_errors(question, variables)
            errors += found
            if not found and question["variable"] in extra:
                accepted[question["variable"]] = extra.pop(question["variable"])
            elif found:
                extra.pop(question["variable"], None)
        if self.ask_variables_on_launch:
            accepted.update(extra)
            extra = {}
        ignored = {k: v for k, v in extra.items() if k not in self.extra_vars or self.extra_vars[k] != v}
        return accepted, ignored, errors

    def launch(self, *, ui=False, **answers):
        """The job's extra variables for a launch with these extra variables; LaunchRefused as AWX
        refuses it. By default the API's launch (awx.awx.job_launch): nothing but what it sends;
        ui=True: the UI's launch form, which starts from each question's default."""
        questions = self.survey_spec["spec"]
        sent = {q["variable"]: q["default"] for q in questions if q.get("default") is not None} if ui else {}
        sent.update(answers)
        accepted, _ignored, errors = self.accept_or_ignore(sent)
        if errors:
            raise LaunchRefused(self.name, errors)
        defaults = {q["variable"]: q["default"] for q in questions
                    if q.get("default") is not None and not question_errors(q, {q["variable"]: q["default"]})}
        return {**self.extra_vars, **defaults, **accepted}

    def schedule(self, **extra_data):
        """A schedule's extra_data as AWX stores it; LaunchRefused as AWX refuses it (a variable
        the survey does not ask is refused here, not ignored)."""
        _accepted, ignored, errors = self.accept_or_ignore(extra_data)
        if ignored:
            errors.append(self.NOT_ALLOWED.format(", ".join(ignored)))
        if errors:
            raise LaunchRefused(self.name, errors)
        return dict(extra_data)


def question_errors(question, data):
    """AWX's check of one survey question against the launch data (_survey_element_validation)."""
    variable, kind = question["variable"], question["type"]
    if variable not in data:
        return [f"'{variable}' value missing"] if question["required"] else []
    value = data[variable]
    if kind in ("text", "textarea", "password"):
        if not isinstance(value, str):
            return [f"Value {value} for '{variable}' expected to be a string."]
        errors = []
        if question.get("min") not in ("", None) and len(value) < int(question["min"]):
            errors.append(f"'{variable}' value {value} is too small (length is {len(value)} must be at least "
                          f"{question['min']}).")
        if question.get("max") not in ("", None) and len(value) > int(question["max"]):
            errors.append(f"'{variable}' value {value} is too large (must be no more than {question['max']}).")
        return errors
    if kind == "multiplechoice":
        if value not in question["choices"]:
            return [f"Value {value} for '{variable}' expected to be one of {question['choices']}."]
        return []
    # The surveys of awx/ ask texts and single choices; another type needs its own AWX rule here.
    raise NotImplementedError(f"survey question {variable}: type {kind}")


def job_templates(lang, clients):
    """{name: JobTemplate} as awx/configure.yml makes them with awx_lang=lang for these clients."""
    templates = _configplan("templates.yml", groups={"opt_clients": list(clients)})
    questions = _configplan("surveys.yml", awx_lang=lang)
    texts = _configplan("messages.yml")["awx_messages"]
    fixed = _job_template_task()
    # The launch above models job templates with their survey on.
    assert fixed["survey_enabled"] is True, fixed
    made = [dict(t, extra_vars={}) for t in templates["awx_job_templates"]]
    made += [dict(t, name=t["name"].replace("<client>", client), extra_vars={"client": client})
             for client in templates["awx_clients"] for t in templates["awx_client_job_templates"]]
    return {t["name"]: JobTemplate(t["name"], t["playbook"], t["survey"],
                                   survey_spec(t["survey"], questions["awx_surveys"][t["survey"]], lang, texts),
                                   t["extra_vars"], fixed["ask_variables_on_launch"])
            for t in made}


class Job:
    """A finished job: its status, its events and its private data directory (artifacts)."""

    def __init__(self, template, extra_vars, runner, private_data_dir):
        self.template = template
        self.extra_vars = extra_vars
        self.status = runner.status
        self.rc = runner.rc
        self.events = list(runner.events)
        self.stdout = "".join(e.get("stdout", "") + "\n" for e in self.events)
        self.private_data_dir = private_data_dir

    def __repr__(self):
        # The stdout AWX shows is in colour; the terminal colours are no use in an assertion's report.
        return (f"<Job {self.template.name} {self.extra_vars} status={self.status}>\n"
                + re.sub(r"\x1b\[[0-9;]*m", "", self.stdout)[-4000:])

    def results(self, task, event="runner_on_ok"):
        """The results of a task (by its name) for each host, from the events of that kind."""
        return {e["event_data"]["host"]: e["event_data"]["res"] for e in self.events
                if e["event"] == event and e["event_data"].get("task") == task}

    def items(self, task):
        """The results of a looped task, item by item (runner_item_on_ok)."""
        return [e["event_data"]["res"] for e in self.events
                if e["event"] == "runner_item_on_ok" and e["event_data"].get("task") == task]

    def messages(self, task):
        """What a debug task showed: one message per host, or per item of a loop."""
        shown = [res["msg"] for res in self.items(task)] or [res["msg"] for res in self.results(task).values()]
        return [m for msg in shown for m in (msg if isinstance(msg, list) else [msg])]

    @property
    def stats(self):
        """The play recap: {counter: {host: n}} (ok, changed, failures, skipped...)."""
        return next(e["event_data"] for e in self.events if e["event"] == "playbook_on_stats")

    def changed(self, host):
        return self.stats["changed"].get(host, 0)


# The environment variables by which the lab gives its runs the lab's vault password: an AWX
# worker has none of them.
LAB_VAULT_ENV = ("ANSIBLE_VAULT_IDENTITY_LIST", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY")


@contextlib.contextmanager
def without_lab_vault_env():
    """ansible_runner copies os.environ into the job's: take the lab's vault settings out meanwhile."""
    saved = {name: os.environ.pop(name) for name in LAB_VAULT_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def run_job(template, extra_vars, inventory, private_data_dir):
    """Run the job template's playbook as AWX's worker does: ansible_runner, the repository as
    the project, the job's inventory and extra variables, the project's ansible.cfg, and the vault
    password of the job's Vault credential (awx/vars/controller.yml, no vault id) answered at the
    --ask-vault-pass prompt as AWX answers it: the project's configuration gives none."""
    private_data_dir = Path(private_data_dir)
    private_data_dir.mkdir(parents=True)
    password = (Path(inventory) / "vault-password.txt").read_text().strip()
    with without_lab_vault_env():
        runner = ansible_runner.run(
            private_data_dir=str(private_data_dir), project_dir=str(ROOT), playbook=template.playbook,
            inventory=str(inventory), extravars=extra_vars, quiet=True, cmdline="--ask-vault-pass",
            passwords={r"Vault password:\s*?$": password},
            envvars={"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                     "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"})
    # ansible_runner writes the prompt answers as the job's input env/passwords; AWX removes that
    # input with the job's private data directory, and keeps the artifacts the tests then scan.
    (private_data_dir / "env" / "passwords").unlink(missing_ok=True)
    return Job(template, extra_vars, runner, private_data_dir)
