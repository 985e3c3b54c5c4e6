"""playbooks/drift.yml on the lab: what the Docker host and the Coaxis host hold that the
inventory does not declare is reported and left alone; -e prune=true removes it (a client's
volumes are kept, a container coaxis-opt does not manage is never touched); what the inventory
declares and is missing is reported."""
import json

import pytest
import yaml

from conftest import Inventory, container_ip, firewall_rules as rules
from lab.paths import CLIENT_SUBNET, COAXIS_HOST, DOCKER_HOST_ON_COAXIS_LAN, remove_coaxis_routes

DOCKER_HOST = "lab-docker-host"
IMAGE = "coaxis/docker-opt:lab"
KEPT_HINT = ("nothing was removed: -e prune=true removes the undeclared containers (their volumes are kept), "
             "their firewall rules and vhosts, and the undeclared routes")


def volumes(engine, client):
    return sorted(v.name for v in engine.volumes.list(filters={"label": f"coaxis.opt.client={client}"}))


@pytest.fixture
def stranger(deployed):
    """A container on the client network that coaxis-opt does not manage."""
    container = deployed.containers.run(IMAGE, ["sleep", "600"], entrypoint=[], name="drift-stranger",
                                        network="opt-clients", detach=True, auto_remove=False)
    yield container
    container.remove(force=True)


def test_a_deployment_as_declared_has_no_drift(deployed, inventory):
    run = inventory.playbook("drift.yml", "--limit", "docker_hosts")
    assert run.rc == 0 and run.changed(DOCKER_HOST) == 0, run
    assert f"{DOCKER_HOST}: no drift (containers, firewall rules and vhosts as the inventory declares)" in run.out, run
    assert KEPT_HINT not in run.out


def test_an_undeclared_client_is_reported_then_pruned_with_its_volumes_kept(deployed, stranger, inventory):
    engine = deployed
    acme = engine.containers.get("opt-acme")
    inventory.remove_client("globex")

    report = inventory.playbook("drift.yml", "--limit", "docker_hosts")
    assert report.rc == 0 and report.changed(DOCKER_HOST) == 0, report
    for line in (f"{DOCKER_HOST}: client containers that the inventory does not declare: globex",
                 f"{DOCKER_HOST}: firewall rules of clients that the inventory does not declare: globex",
                 f"{DOCKER_HOST}: vhosts of clients that the inventory does not declare: globex",
                 f"{DOCKER_HOST}: containers on opt-clients that coaxis-opt does not manage (never removed): "
                 "drift-stranger",
                 KEPT_HINT):
        assert line in report.out, report
    assert engine.containers.get("opt-globex").status == "running" and "client=globex" in rules()

    checked = inventory.playbook("drift.yml", "--limit", "docker_hosts", "-e", "prune=true", "--check")
    assert checked.rc == 0, checked
    assert engine.containers.get("opt-globex").status == "running" and "client=globex" in rules()

    french = inventory.playbook("drift.yml", "--limit", "docker_hosts", lang="fr")
    assert f"{DOCKER_HOST} : conteneurs de clients que l'inventaire ne déclare pas : globex" in french.out, french

    pruned = inventory.playbook("drift.yml", "--limit", "docker_hosts", "-e", "prune=oui")
    assert pruned.rc == 0 and pruned.changed(DOCKER_HOST) == 3, pruned  # the container, the rules, the vhost
    assert "globex: removed container(s) opt-globex; volumes removed: -; volumes kept: opt-globex-config, " \
           "opt-globex-logs" in pruned.out, pruned
    assert not engine.containers.list(all=True, filters={"name": "^opt-globex$"})
    assert volumes(engine, "globex") == ["opt-globex-config", "opt-globex-logs"]
    assert "client=globex" not in rules() and "client=acme" in rules()
    assert engine.containers.get("opt-acme").id == acme.id and container_ip(acme)[0] == "10.128.0.10"
    stranger.reload()
    assert stranger.status == "running"

    again = inventory.playbook("drift.yml", "--limit", "docker_hosts", "-e", "prune=true")
    assert again.rc == 0 and again.changed(DOCKER_HOST) == 0, again
    assert "drift-stranger" in again.out and "globex" not in again.out.split("Show the drift", 1)[1], again


def test_a_missing_client_is_reported_not_created(deployed, inventory):
    inventory.add_client("initech", opt_ip="10.128.0.30")
    run = inventory.playbook("drift.yml", "--limit", "docker_hosts", "-e", "prune=true")
    assert run.rc == 0 and run.changed(DOCKER_HOST) == 0, run
    assert f"{DOCKER_HOST}: client containers that the inventory declares and that are missing: initech" in run.out, run
    assert not deployed.containers.list(all=True, filters={"name": "^opt-initech$"})


@pytest.mark.parametrize("limit", ["all", "coaxis_hosts"])
def test_a_prune_answer_that_is_neither_yes_nor_no_is_refused(inventory, limit):
    run = inventory.playbook("drift.yml", "-e", "prune=maybe", "--limit", limit)
    assert run.rc != 0
    assert "maybe: not a valid value of prune; use one of: true, false" in run.out, run
    assert "Compare the" not in run.out, run


def client_routes(container):
    out = container.exec_run(["ip", "-j", "route", "show", "table", "main"]).output.decode()
    return [(r["dst"], r.get("gateway")) for r in json.loads(out) if r["dst"] == CLIENT_SUBNET]


@pytest.fixture
def coaxis(engine):
    container = engine.containers.get(COAXIS_HOST)
    remove_coaxis_routes(container)
    yield container
    remove_coaxis_routes(container)


def test_routes_undeclared_reported_then_pruned_and_missing_reported(coaxis, inventory, tmp_path):
    added = inventory.playbook("routes.yml")
    assert added.rc == 0 and client_routes(coaxis) == [(CLIENT_SUBNET, DOCKER_HOST_ON_COAXIS_LAN)], added
    clean = inventory.playbook("drift.yml", "--limit", "coaxis_hosts")
    assert clean.rc == 0 and f"{COAXIS_HOST}: no drift of the routes to the client networks" in clean.out, clean

    # The Docker host leaves the inventory: its route is no longer declared.
    without = Inventory(tmp_path / "without-docker-host")
    hosts = yaml.safe_load((without.path / "hosts.yml").read_text())
    hosts["all"]["children"]["docker_hosts"]["hosts"] = {}
    (without.path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    report = without.playbook("drift.yml", "--limit", "coaxis_hosts")
    assert report.rc == 0 and report.changed(COAXIS_HOST) == 0, report
    assert f"{COAXIS_HOST}: routes that the inventory does not declare: {CLIENT_SUBNET}" in report.out, report
    assert KEPT_HINT in report.out and client_routes(coaxis) == [(CLIENT_SUBNET, DOCKER_HOST_ON_COAXIS_LAN)]

    pruned = without.playbook("drift.yml", "--limit", "coaxis_hosts", "-e", "prune=true")
    assert pruned.rc == 0 and pruned.changed(COAXIS_HOST) == 1, pruned
    assert client_routes(coaxis) == []
    unit = coaxis.exec_run(["systemctl", "cat", "coaxis-opt-routes"]).output.decode()
    assert f"route add {CLIENT_SUBNET}" not in unit

    missing = inventory.playbook("drift.yml", "--limit", "coaxis_hosts")
    assert f"{COAXIS_HOST}: routes that the inventory declares and that are missing: {CLIENT_SUBNET}" in missing.out, \
        missing
