"""The surveys configure.yml sends: valid for AWX in English and in French, asking only for variables
the playbooks read, and the per-client job templates scoped to their client."""
import re

import pytest
import yaml

from awx_support import EXAMPLE_CLIENTS, LANGS, ROOT, job_templates

# AWX's question types (awx/main/constants.py SURVEY_TYPE_MAPPING) and the Python type of a default.
AWX_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
             "integer": int, "float": (float, int)}
GLOBAL = ["Add client", "Remove client", "Tunnel action", "Status report", "Converge all", "Routes", "Upgrade"]
PER_CLIENT = ["Tunnel action — {}", "Status report — {}"]
# What each job template's survey asks, in order.
SURVEY_VARIABLES = {
    "Add client": ["client", "opt_lang"],
    "Remove client": ["client", "purge", "opt_lang"],
    "Tunnel action": ["client", "tunnel_action", "site", "opt_lang"],
    "Status report": ["client", "opt_lang"],
    "Converge all": ["opt_lang"],
    "Routes": ["state", "opt_lang"],
    "Upgrade": ["clients", "opt_lang"],
    "Tunnel action — acme": ["tunnel_action", "site", "opt_lang"],
    "Status report — acme": ["opt_lang"],
}


def awx_survey_errors(spec):
    """What AWX's survey_spec endpoint (JobTemplateSurveySpec._validate_spec_data) and its launch-time
    check would refuse, plus what this project asks of every question (help text, limits)."""
    errors = []
    for field, kind in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(spec.get(field), kind):
            errors.append(f"{field} missing or not {kind.__name__}")
    if errors:
        return errors
    if not spec["spec"]:
        errors.append("no question")
    seen = set()
    for idx, item in enumerate(spec["spec"]):
        where = f"question {idx} ({item.get('variable')})"
        for field, kind in (("type", str), ("question_name", str), ("variable", str), ("required", bool),
                            ("question_description", str)):
            if not isinstance(item.get(field), kind):
                errors.append(f"{where}: {field} missing or not {kind.__name__}")
        if not str(item.get("question_name", "")).strip() or not str(item.get("question_description", "")).strip():
            errors.append(f"{where}: empty label or help")
        if item.get("variable") in seen:
            errors.append(f"{where}: variable asked twice")
        seen.add(item.get("variable"))
        qtype = item.get("type")
        if qtype not in AWX_TYPES:
            errors.append(f"{where}: type {qtype} not one of AWX's")
            continue
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", item.get("variable", "")):
            errors.append(f"{where}: not a variable name")
        default = item.get("default", "")
        if default != "" and not isinstance(default, AWX_TYPES[qtype]):
            errors.append(f"{where}: default {default!r} is not {qtype}")
        for key in ("min", "max"):
            if key in item and item[key] is not None and not isinstance(item[key], int):
                errors.append(f"{where}: {key} not an integer")
        if qtype in ("multiplechoice", "multiselect"):
            choices = item.get("choices")
            if isinstance(choices, str):
                choices = [c for c in choices.splitlines() if c.strip()]
            if not isinstance(choices, list) or not choices:
                errors.append(f"{where}: no choices")
                continue
            if (any(not isinstance(c, str) or not c.strip() or "\n" in c for c in choices)
                    or len(set(choices)) < len(choices)):
                errors.append(f"{where}: choices must be distinct one-line strings: {choices}")
            if default not in ("", None) and default not in choices:
                errors.append(f"{where}: default {default!r} is not a choice")
            if item["required"] and default in ("", None):
                errors.append(f"{where}: a required choice without a default")
        if qtype in ("text", "textarea", "password"):
            low, high = item.get("min"), item.get("max")
            if not isinstance(low, int) or not isinstance(high, int) or low > high or high <= 0:
                errors.append(f"{where}: min/max {low}/{high}")
            # AWX checks the length of an optional answer sent empty too.
            if not item["required"] and low != 0:
                errors.append(f"{where}: an optional text needs min 0, not {low}")
            if item["required"] and low < 1:
                errors.append(f"{where}: a required text needs min 1 at least")
            if len(default) and not low <= len(default) <= high:
                errors.append(f"{where}: default outside min/max")
    return errors


@pytest.mark.parametrize("lang", LANGS)
def test_every_survey_is_valid_awx_survey_json(recorded, lang):
    templates = job_templates(recorded[lang])
    assert set(GLOBAL) <= set(templates)
    for name, template in templates.items():
        assert template["survey_enabled"] is True, name
        assert awx_survey_errors(template["survey_spec"]) == [], name


@pytest.mark.parametrize("lang", LANGS)
def test_the_questions_of_each_survey(recorded, lang):
    templates = job_templates(recorded[lang])
    for name, variables in SURVEY_VARIABLES.items():
        assert [q["variable"] for q in templates[name]["survey_spec"]["spec"]] == variables, name


def test_both_languages_ask_the_same_questions_in_other_words(recorded):
    en, fr = job_templates(recorded["en"]), job_templates(recorded["fr"])
    assert sorted(en) == sorted(fr)
    for name in en:
        en_spec, fr_spec = en[name]["survey_spec"], fr[name]["survey_spec"]
        assert en_spec["name"] != fr_spec["name"], name
        for en_q, fr_q in zip(en_spec["spec"], fr_spec["spec"], strict=True):
            worded = ("question_name", "question_description", "choices", "default")
            assert ({k: v for k, v in en_q.items() if k not in worded}
                    == {k: v for k, v in fr_q.items() if k not in worded})
            assert en_q["question_description"] != fr_q["question_description"], (name, en_q["variable"])


def question(templates, name, variable):
    return next(q for q in templates[name]["survey_spec"]["spec"] if q["variable"] == variable)


def test_localized_choices(recorded):
    en, fr = job_templates(recorded["en"]), job_templates(recorded["fr"])
    assert question(en, "Tunnel action", "tunnel_action")["choices"] == ["status", "start", "stop", "restart"]
    assert question(fr, "Tunnel action", "tunnel_action")["choices"] == ["état", "démarrer", "arrêter", "redémarrer"]
    assert question(fr, "Tunnel action", "tunnel_action")["default"] == "état"
    assert (question(en, "Remove client", "purge")["choices"], question(en, "Remove client", "purge")["default"]) \
        == (["no", "yes"], "no")
    assert (question(fr, "Remove client", "purge")["choices"], question(fr, "Remove client", "purge")["default"]) \
        == (["non", "oui"], "non")
    assert question(fr, "Routes", "state")["choices"] == ["présent", "absent"]
    assert question(fr, "Add client", "opt_lang")["choices"] == ["en", "fr"]
    assert question(fr, "Add client", "opt_lang")["default"] == "fr"


def test_client_questions_mirror_the_client_name_rule(recorded):
    templates = job_templates(recorded["en"])
    for name in ("Add client", "Remove client", "Tunnel action"):
        client = question(templates, name, "client")
        assert (client["type"], client["required"], client["min"], client["max"]) == ("text", True, 2, 32)
    optional = question(templates, "Status report", "client")
    assert (optional["required"], optional["min"], optional["max"]) == (False, 0, 32)
    # Site names: 1 to 32 characters (the site configs' rule); empty means every site.
    for name in ("Tunnel action", "Tunnel action — acme"):
        site = question(templates, name, "site")
        assert (site["required"], site["min"], site["max"]) == (False, 0, 32)


# --- every survey variable is one its playbook reads -----------------------------------------------
def expressions(node, key=None):
    """The Jinja expressions of a playbook: inside {{ }}, and the bare ones of when/that/loop."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from expressions(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item, key)
    elif isinstance(node, str):
        if key in ("when", "that", "failed_when", "changed_when", "until"):
            yield node
        yield from re.findall(r"\{\{(.*?)\}\}", node, re.S)


def playbook_reads(path):
    plays = yaml.safe_load(path.read_text())
    text = "\n".join(expressions(plays))
    for play in plays:
        if "ansible.builtin.import_playbook" in play:
            text += "\n" + playbook_reads(path.parent / play["ansible.builtin.import_playbook"])
    return text


def reads(text, variable):
    # The variable itself, not an attribute, a keyword argument or a string of that name.
    return re.search(rf"(?<![\w.'\"]){variable}(?![\w'\"])(?!\s*=(?!=))", text) is not None


def test_every_survey_variable_is_read_by_its_playbook(recorded):
    for name, template in job_templates(recorded["en"]).items():
        text = playbook_reads(ROOT / template["playbook"])
        for item in template["survey_spec"]["spec"]:
            assert reads(text, item["variable"]), (name, template["playbook"], item["variable"])
        for variable in template["extra_vars"]:
            assert reads(text, variable), (name, variable)


def test_the_reader_is_not_fooled_by_keywords_and_attributes():
    assert reads("tunnel_action | default('x')", "tunnel_action")
    assert not reads("opt_msg(lang, client=x)", "client")
    assert not reads("hostvars[x].client", "client")
    assert not reads("'client'", "client")
    assert reads("client == 'acme'", "client")


# --- per-client job templates and teams -------------------------------------------------------------
def role_grants(records):
    return [r["args"] for r in records if r["module"] == "awx.awx.role"]


@pytest.mark.parametrize("lang", LANGS)
def test_per_client_templates_fix_their_client(recorded, lang):
    templates = job_templates(recorded[lang])
    for client in EXAMPLE_CLIENTS:
        for pattern in PER_CLIENT:
            template = templates[pattern.format(client)]
            assert template["extra_vars"] == {"client": client}
            assert template["ask_variables_on_launch"] is False
            assert template["ask_inventory_on_launch"] is False and template["ask_limit_on_launch"] is False
            assert template["ask_job_type_on_launch"] is False and template["ask_credential_on_launch"] is False
            assert "client" not in [q["variable"] for q in template["survey_spec"]["spec"]]
    for name in GLOBAL:
        assert templates[name]["extra_vars"] == {} and templates[name]["ask_variables_on_launch"] is False
        assert templates[name]["ask_job_type_on_launch"] is True  # a technician may launch a check


def test_client_teams_run_their_own_two_templates_and_nothing_else(recorded):
    records = recorded["en"]
    teams = [r["args"]["name"] for r in records if r["module"] == "awx.awx.team"]
    assert teams == ["Coaxis technicians"] + [f"client-{c}" for c in EXAMPLE_CLIENTS]
    for client in EXAMPLE_CLIENTS:
        team = f"client-{client}"
        grants = [g for g in role_grants(records)
                  if team in ([g.get("team")] + (g.get("teams") or []) + [g.get("target_team")])]
        assert len(grants) == 1, grants
        grant = grants[0]
        assert grant["role"] == "execute"
        assert sorted(grant["job_templates"]) == sorted(p.format(client) for p in PER_CLIENT)
        objects = {"inventory", "inventories", "organization", "organizations", "project", "projects",
                   "credential", "credentials", "workflow", "workflows", "job_template", "target_teams",
                   "instance_groups", "users", "user", "target_team"}
        assert objects & {k for k, v in grant.items() if v} == set(), grant


def test_technicians_run_every_template(recorded):
    templates = job_templates(recorded["en"])
    grants = [g for g in role_grants(recorded["en"]) if g.get("team") == "Coaxis technicians"]
    assert len(grants) == 1 and grants[0]["role"] in ("execute", "admin")
    assert sorted(grants[0]["job_templates"]) == sorted(templates)


def test_team_members_from_data(configure):
    members = '{"awx_team_members": {"client-acme": ["alice"], "Coaxis technicians": ["bob", "carol"]}}'
    proc, records = configure("-e", members)
    assert proc.returncode == 0, proc.stdout[-3000:]
    grants = [g for g in role_grants(records) if g["role"] == "member"]
    assert sorted((g["target_team"], tuple(g["users"])) for g in grants) == [
        ("Coaxis technicians", ("bob", "carol")), ("client-acme", ("alice",))]


# --- the operator guide's table of job templates ----------------------------------------------------
OPTIONAL = {"en": "(optional)", "fr": "(facultatif)"}


def guide_table(lang):
    """{job template: [(variable, optional)]} of the table in docs/<lang>/awx.md; a per-client
    template is written "<name> — *client*"."""
    rows = {}
    for line in (ROOT / "docs" / lang / "awx.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or not cells[1].startswith("`"):
            continue
        asked = []
        for item in cells[2].split(";"):
            found = re.findall(r"`(\w+)`", item)
            asked += [(variable, OPTIONAL[lang] in item) for variable in found]
        rows[cells[0]] = asked
    return rows


@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_lists_each_job_template_with_what_its_survey_asks(recorded, lang):
    """docs/<lang>/awx.md names every question of every survey, optional exactly when not required."""
    client = EXAMPLE_CLIENTS[0]
    templates = job_templates(recorded[lang])
    table = {name.replace("*client*", client): asked for name, asked in guide_table(lang).items()}
    expected = {name: [(q["variable"], not q["required"]) for q in template["survey_spec"]["spec"]]
                for name, template in templates.items() if name in GLOBAL or name.endswith("— " + client)}
    assert table == expected
