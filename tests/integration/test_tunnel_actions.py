"""playbooks/tunnel.yml and coaxis.opt.opt_tunnel on the lab: what the operator sees.

acme is added by the product (add_client.yml, lyon and paris up); every action is checked
against mast's own status in the container, through the Docker API.
"""
import json
import os
import re
import subprocess

import pytest

from conftest import ROOT, Inventory, ensure_deployed
from lab.paths import status, wait_state

LINE = re.compile(r'"msg": "(acme/\S+: .*)"')


@pytest.fixture(scope="module")
def acme(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("tunnel-actions-deployed"))
    inventory = Inventory(tmp_path_factory.mktemp("tunnel-actions") / "inventory")
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up")
    yield inventory


@pytest.fixture
def up(acme, engine):
    """Every test starts and ends with both sites up (mast's own start, not the product's)."""
    engine.containers.get("opt-acme").exec_run(["mast", "start"])
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up")
    yield acme
    container = engine.containers.get("opt-acme")
    if container.status != "running":
        container.start()
        wait_state(engine, "acme", "lyon", "up", timeout=40)
    container.exec_run(["mast", "start"])
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up")


def tunnel(inventory, *args, lang=None):
    return inventory.playbook("tunnel.yml", "-e", "client=acme", *args, lang=lang)


def lines(run):
    return LINE.findall(run.out)


def pids(engine):
    return {site: (data["state"], data["pid"], data["autossh_pid"]) for site, data in status(engine, "acme").items()}


def module(inventory, check=False, **args):
    """coaxis.opt.opt_tunnel alone (ansible ad hoc, one-line output): the module's whole result."""
    cmd = [str(ROOT / ".venv" / "bin" / "ansible"), "-i", str(inventory.path), "lab-docker-host", "-o",
           "-m", "coaxis.opt.opt_tunnel", "-a", json.dumps(args)] + (["--check"] if check else [])
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("lab-docker-host | "))
    result = json.loads(line.split(" => ", 1)[1])
    result.setdefault("failed", line.startswith("lab-docker-host | FAILED"))
    return result


def test_stop_one_site_twice_then_start_it_twice(up, engine):
    before = pids(engine)
    first = tunnel(up, "-e", "action=stop", "-e", "site=lyon")
    assert first.rc == 0 and first.changed() == 1, first
    after = pids(engine)
    assert after["lyon"][0] == "stopped" and after["paris"] == before["paris"]
    lyon = status(engine, "acme")["lyon"]
    assert lines(first) == ["acme/lyon: stopped since %s; last error: %s; listen ports: 9101, 9102"
                            % (lyon["since"], lyon["last_error"] or "-")]

    second = tunnel(up, "-e", "action=stop", "-e", "site=lyon")
    assert second.rc == 0 and second.changed() == 0, second

    started = tunnel(up, "-e", "action=start", "-e", "site=lyon")
    assert started.rc == 0 and started.changed() == 1, started
    # start waits for the site: it is up when the run ends, and the line says so.
    lyon = status(engine, "acme")["lyon"]
    assert lyon["state"] == "up" and lyon["pid"]
    assert lines(started) == ["acme/lyon: up since %s; last error: %s; listen ports: 9101, 9102"
                              % (lyon["since"], lyon["last_error"] or "-")]

    again = tunnel(up, "-e", "action=start", "-e", "site=lyon")
    assert again.rc == 0 and again.changed() == 0, again
    assert pids(engine)["lyon"] == pids(engine)["lyon"] == (lyon["state"], lyon["pid"], lyon["autossh_pid"])


def test_restart_one_site_is_a_change_with_a_new_autossh(up, engine):
    before = pids(engine)
    run = tunnel(up, "-e", "action=restart", "-e", "site=paris")
    assert run.rc == 0 and run.changed() == 1, run
    after = pids(engine)
    assert after["paris"][0] == "up"
    assert after["paris"][1] != before["paris"][1] and after["paris"][2] != before["paris"][2]
    assert after["lyon"] == before["lyon"]


def test_all_sites_stop_start_restart(up, engine):
    run = tunnel(up, "-e", "action=stop")
    assert run.rc == 0 and run.changed() == 1, run
    assert {s: v[0] for s, v in pids(engine).items()} == {"lyon": "stopped", "paris": "stopped"}
    assert tunnel(up, "-e", "action=stop").changed() == 0

    run = tunnel(up, "-e", "action=start")
    assert run.rc == 0 and run.changed() == 1, run
    started = pids(engine)
    assert {s: v[0] for s, v in started.items()} == {"lyon": "up", "paris": "up"}
    assert [line.split(":")[0] for line in lines(run)] == ["acme/lyon", "acme/paris"]
    assert tunnel(up, "-e", "action=start").changed() == 0
    assert tunnel(up).changed() == 0  # status is the default action

    run = tunnel(up, "-e", "action=restart")
    assert run.rc == 0 and run.changed() == 1, run
    restarted = pids(engine)
    assert all(restarted[s][0] == "up" and restarted[s][2] != started[s][2] for s in ("lyon", "paris"))


def test_status_returns_the_per_site_data(up, engine):
    result = module(up, clients=["acme"], action="status")
    assert result["changed"] is False
    acme = result["clients"]["acme"]
    assert (acme["container"], acme["acted"], acme["not_up"]) == ("opt-acme", [], [])
    mast = status(engine, "acme")
    lyon, paris = acme["sites"]
    assert lyon == {"name": "lyon", "state": "up", "since": mast["lyon"]["since"], "pid": mast["lyon"]["pid"],
                    "last_error": mast["lyon"]["last_error"], "operator_stopped": False,
                    "limits": {"upload_kbps": 1024, "download_kbps": 10240},
                    "printers": [{"name": "accueil", "listen_port": 9101, "target": "10.131.1.20:9100"},
                                 {"name": "compta", "listen_port": 9102, "target": "10.131.1.21:9100"}]}
    assert paris["printers"] == [{"name": "atelier", "listen_port": 9201, "target": "10.131.2.20:9100"}]
    assert paris["limits"] == {"upload_kbps": None, "download_kbps": None}


@pytest.mark.parametrize("args, lang, message", [
    (["-e", "action=restart", "-e", "site=nice"], None, "acme: unknown site nice; the client's sites are: lyon, paris"),
    (["-e", "action=restart", "-e", "site=nice"], "fr",
     "acme : site inconnu nice ; les sites du client sont : lyon, paris"),
    (["-e", "action=reboot"], None, "reboot: unknown tunnel action; use one of: status, start, stop, restart"),
    (["-e", "action=reboot"], "fr", "reboot : action de tunnel inconnue ; utilisez : status, start, stop, restart"),
])
def test_a_bad_site_or_action_is_refused_before_any_change(up, engine, args, lang, message):
    before = pids(engine)
    run = tunnel(up, *args, lang=lang)
    assert run.rc != 0 and run.recap["lab-docker-host"]["failed"] == 1, run
    assert f'"msg": "{message}"' in run.out, run
    assert run.changed() == 0 and pids(engine) == before


def test_an_unknown_client_is_refused_with_the_catalog_message(up, engine):
    run = up.playbook("tunnel.yml", "-e", "client=initech", "-e", "action=stop")
    assert run.rc != 0
    assert "initech: unknown client; the inventory's clients (group opt_clients) are: acme, globex" in run.out


def test_check_mode_reports_the_change_and_changes_nothing(up, engine):
    before = pids(engine)
    run = tunnel(up, "-e", "action=stop", "-e", "site=lyon", "--check", "--diff")
    assert run.rc == 0 and run.changed() == 1, run
    assert "-acme/lyon: up" in run.out and "+acme/lyon: stopped" in run.out, run
    assert pids(engine) == before
    result = module(up, check=True, clients=["acme"], action="restart")
    assert result["changed"] is True and result["clients"]["acme"]["acted"] == ["lyon", "paris"]
    assert pids(engine) == before


def test_every_client_is_checked_before_any_action(up, engine):
    before = pids(engine)
    result = module(up, clients=["acme", "ghost"], action="stop")
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"] == ("ghost: no container opt-ghost on this Docker host; add the client first "
                             "(playbooks/add_client.yml -e client=ghost)")
    assert pids(engine) == before


def test_a_stopped_container_is_named(up, engine):
    engine.containers.get("opt-acme").stop(timeout=10)
    run = tunnel(up, "-e", "action=restart", lang="fr")
    assert run.rc != 0
    assert ('"msg": "acme : le conteneur opt-acme est exited, il ne tourne pas (docker logs opt-acme dit pourquoi) ; '
            'remettez-le en place avec playbooks/add_client.yml -e client=acme"') in run.out, run
    assert engine.containers.get("opt-acme").status == "exited"
