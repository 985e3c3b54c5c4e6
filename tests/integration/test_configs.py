"""Sites and printers are inventory edits: re-running add_client.yml changes exactly that site."""
import copy
import json
import os
import subprocess

import pytest
import yaml

from conftest import ROOT, vaulted_value
from lab.paths import (close_coaxis_path, open_coaxis_path, printer_jobs, send_job, status, wait_job,
                       wait_state)

ACME = "10.128.0.10"


def acme_vars(inventory):
    return yaml.safe_load((inventory.path / "host_vars" / "acme" / "main.yml").read_text())


def set_sites(inventory, sites):
    inventory.client("acme", opt_sites=sites)


def site(vars_, name):
    return next(s for s in vars_["opt_sites"] if s["name"] == name)


def file_actions(run):
    """{path: action} of the config files the run planned for acme (from the diff headers)."""
    actions = {}
    for line in run.out.splitlines():
        if line.startswith("+++ after: acme: "):
            path = line.split("acme: ", 1)[1].split(" ")[0]
            actions[path] = "delete" if "(absent)" in line else "write"
    return actions


@pytest.fixture
def lyon_only(fresh, inventory):
    """acme with lyon (one printer) and paris, converged and up (from a clean engine: one run,
    cheaper than the shared deployment plus an edit)."""
    vars_ = acme_vars(inventory)
    lyon = copy.deepcopy(site(vars_, "lyon"))
    lyon["printers"] = lyon["printers"][:1]
    set_sites(inventory, [lyon, site(vars_, "paris")])
    assert inventory.playbook("add_client.yml", "-e", "client=acme").rc == 0
    for name in ("lyon", "paris"):
        wait_state(fresh, "acme", name, "up")
    open_coaxis_path(fresh)
    yield vars_
    close_coaxis_path(fresh)


def test_adding_a_printer_changes_only_that_site(fresh, inventory, lyon_only):
    before = status(fresh, "acme")
    assert [p["name"] for p in before["lyon"]["printers"]] == ["accueil"]
    set_sites(inventory, [site(lyon_only, "lyon"), site(lyon_only, "paris")])  # lyon with both printers
    run = inventory.playbook("add_client.yml", "-e", "client=acme", "--diff")
    assert run.rc == 0, run
    assert file_actions(run) == {"sites/lyon.json": "write"}, run
    up = wait_state(fresh, "acme", "lyon", "up")
    after = status(fresh, "acme")
    assert up["pid"] != before["lyon"]["pid"]
    assert after["paris"]["pid"] == before["paris"]["pid"]  # the other site's connection untouched
    assert [p["name"] for p in after["lyon"]["printers"]] == ["accueil", "compta"]
    jobs = printer_jobs(fresh, "10.131.1.21")
    sent = send_job(fresh, ACME, 9102, 32 * 1024)
    assert list(wait_job(fresh, "10.131.1.21", jobs).values()) == [sent["sha256"]]
    again = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert again.rc == 0 and again.changed() == 0, again


def test_removing_a_site_removes_its_files_and_tunnel(fresh, inventory, lyon_only):
    before = status(fresh, "acme")
    set_sites(inventory, [site(lyon_only, "lyon") | {"printers": site(lyon_only, "lyon")["printers"][:1]}])
    run = inventory.playbook("add_client.yml", "-e", "client=acme", "--diff")
    assert run.rc == 0, run
    assert file_actions(run) == {"sites/paris.json": "delete", "ssh/known_hosts": "write"}, run
    after = status(fresh, "acme")
    assert "paris" not in after
    assert after["lyon"]["pid"] == before["lyon"]["pid"]
    listing = fresh.containers.get("opt-acme").exec_run(["ls", "/etc/mast/sites"]).output.decode().split()
    assert listing == ["lyon.json"]
    jobs = printer_jobs(fresh, "10.131.1.20")
    sent = send_job(fresh, ACME, 9101, 32 * 1024)
    assert list(wait_job(fresh, "10.131.1.20", jobs).values()) == [sent["sha256"]]
    refused = send_job(fresh, ACME, 9201, 1024, 5)
    assert "error" in refused


def test_logs_are_written_and_survive_a_recreation(fresh, inventory, lyon_only):
    container = fresh.containers.get("opt-acme")
    assert container.exec_run(["test", "-s", "/var/log/mast/lyon.log"]).exit_code == 0
    assert container.exec_run(["touch", "/etc/mast/sites/x.json"]).exit_code != 0  # config is read-only
    inventory.client("acme", opt_ip="10.128.0.12")
    assert inventory.playbook("add_client.yml", "-e", "client=acme").rc == 0
    recreated = fresh.containers.get("opt-acme")
    assert recreated.id != container.id
    assert recreated.exec_run(["grep", "-c", ".", "/var/log/mast/lyon.log"]).exit_code == 0


def test_the_private_key_never_appears_in_any_output(fresh, inventory):
    secret = vaulted_value(inventory.path / "host_vars" / "acme" / "vault.yml", "vault_opt_private_key")
    secret = secret.splitlines()[1:-1]  # the key's body, without its BEGIN/END lines
    assert secret
    runs = [inventory.playbook("add_client.yml", "-e", "client=acme", "-vvv", "--diff"),
            inventory.playbook("add_client.yml", "-e", "client=acme", "-vvv", "--diff", "--check")]
    inventory.client("acme", opt_sites=[])  # a change that removes the key file: its diff too
    runs.append(inventory.playbook("add_client.yml", "-e", "client=acme", "-vvv", "--diff"))
    for run in runs:
        assert run.rc == 0, run
        for line in secret:
            assert line not in run.out


def adhoc_volume(inventory, clients):
    args = json.dumps({"docker_host": "{{ opt_docker_url }}", "clients": clients})
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ansible"), "lab-docker-host", "-i", str(inventory.path),
         "-m", "coaxis.opt.opt_volume", "-a", args, "-vvv"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"})


def test_nfs_and_cifs_volumes_get_their_driver_options_and_drift_is_only_reported(fresh, inventory):
    # This machine's kernel has no NFS or CIFS client: the volumes are created and
    # inspected through the API, never mounted (a container using them fails with
    # "no such device").
    nfs = {"type": "nfs", "addr": "10.129.0.50", "export": "/exports/opt/nfs-client", "options": "nfsvers=4,soft"}
    cifs = {"type": "cifs", "share": "//10.129.0.51/opt/cifs-client", "username": "opt",
            "password": "S3cret-cifs-password", "vers": "3.0"}
    clients = [{"name": "nfs-client", "config_volume": nfs}, {"name": "cifs-client", "config_volume": cifs}]
    try:
        first = adhoc_volume(inventory, clients)
        assert first.returncode == 0, first.stdout + first.stderr
        options = fresh.volumes.get("opt-nfs-client-config").attrs["Options"]
        assert options == {"type": "nfs", "o": "addr=10.129.0.50,nfsvers=4,soft", "device": ":/exports/opt/nfs-client"}
        cifs_options = fresh.volumes.get("opt-cifs-client-config").attrs["Options"]
        assert cifs_options["type"] == "cifs" and cifs_options["device"] == "//10.129.0.51/opt/cifs-client"
        assert "vers=3.0" in cifs_options["o"] and "uid=10001" in cifs_options["o"]
        created = fresh.volumes.get("opt-nfs-client-config").attrs["CreatedAt"]
        drifted = [{"name": "nfs-client", "config_volume": dict(nfs, addr="10.129.0.60")},
                   {"name": "cifs-client", "config_volume": dict(cifs, vers="2.1")}]
        second = adhoc_volume(inventory, drifted)
        out = second.stdout + second.stderr
        assert second.returncode == 0, out
        assert "10.129.0.60" in out and "drift" in out.lower(), out
        assert fresh.volumes.get("opt-nfs-client-config").attrs["CreatedAt"] == created  # left alone
        assert fresh.volumes.get("opt-nfs-client-config").attrs["Options"] == options
        assert "S3cret-cifs-password" not in first.stdout + first.stderr + out
    finally:
        for name in ("opt-nfs-client-config", "opt-nfs-client-logs", "opt-cifs-client-config", "opt-cifs-client-logs"):
            for volume in fresh.volumes.list(filters={"name": name}):
                volume.remove(force=True)


def test_no_secret_in_ansible_runner_artifacts(fresh, inventory, tmp_path, monkeypatch):
    """How AWX runs a job: the artifacts (events, stdout, command, env) hold no private key."""
    import ansible_runner

    secret = vaulted_value(inventory.path / "host_vars" / "acme" / "vault.yml", "vault_opt_private_key")
    body = secret.splitlines()[1:-1]
    (tmp_path / "runner").mkdir()
    monkeypatch.setenv("PATH", f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    result = ansible_runner.run(
        private_data_dir=str(tmp_path / "runner"), playbook=str(ROOT / "playbooks" / "add_client.yml"),
        inventory=str(inventory.path), extravars={"client": "acme"}, quiet=True,
        envvars={"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}, cmdline="--diff")
    assert result.status == "successful", result.stdout.read()
    artifacts = "".join(p.read_text(errors="replace") for p in (tmp_path / "runner").rglob("*") if p.is_file())
    assert "add_client" in artifacts
    for line in body:
        assert line not in artifacts
