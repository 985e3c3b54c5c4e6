"""playbooks/routes.yml on the lab's Coaxis host (lab-coaxis-1, reached by Ansible over SSH):
the route to the client subnet at runtime and in a systemd unit that really replays it when the
host restarts, idempotence, check mode, removal, and a conflicting route refused untouched.

Every test starts and ends with no route to the client subnet and no unit: the other tests
assume the Coaxis host does not reach the clients unless they open the path themselves
(lab.paths.open_coaxis_path).
"""
import json
import time
from pathlib import Path

import pytest

from lab.paths import (CLIENT_SUBNET, COAXIS_HOST, DOCKER_HOST_ON_COAXIS_LAN, ROUTES_UNIT as UNIT,
                       ROUTES_UNIT_FILE as UNIT_FILE, coaxis_path_opened, open_coaxis_path,
                       remove_coaxis_routes as reset)

HOST = COAXIS_HOST


def sh(container, command):
    result = container.exec_run(["sh", "-c", command])
    return result.exit_code, result.output.decode()


def client_routes(container):
    """The routes to the client subnet in lab-coaxis-1's main table, as (dest, gateway)."""
    _, out = sh(container, "ip -j route show table main")
    return [(r["dst"], r.get("gateway")) for r in json.loads(out) if r["dst"] == CLIENT_SUBNET]


def unit_state(container):
    enabled = sh(container, f"systemctl is-enabled {UNIT}")[1].strip()
    active = sh(container, f"systemctl is-active {UNIT}")[1].strip()
    present = sh(container, f"test -e {UNIT_FILE}")[0] == 0
    return present, enabled, active


def wait_running(container, timeout=30):
    """Bounded wait for systemd to finish booting (after a restart)."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        container.reload()
        if container.status == "running":
            state = sh(container, "systemctl is-system-running")[1].strip()
            if state in ("running", "degraded"):
                return state
        time.sleep(0.2)
    raise AssertionError(f"{HOST}: systemd not up after {timeout} s ({state})")


@pytest.fixture
def coaxis(engine):
    container = engine.containers.get(HOST)
    wait_running(container)
    reset(container)
    yield container
    wait_running(container)
    reset(container)
    assert client_routes(container) == [] and not unit_state(container)[0]


EXPECTED = [(CLIENT_SUBNET, DOCKER_HOST_ON_COAXIS_LAN)]


def test_check_mode_then_route_added_persisted_and_idempotent(coaxis, inventory):
    checked = inventory.playbook("routes.yml", "--check", "--diff")
    assert checked.rc == 0, checked
    assert f"+{CLIENT_SUBNET} via {DOCKER_HOST_ON_COAXIS_LAN}" in checked.out, checked
    assert client_routes(coaxis) == [] and unit_state(coaxis)[0] is False

    run = inventory.playbook("routes.yml")
    assert run.rc == 0 and run.changed(HOST) == 1, run
    assert f"{HOST}: route {CLIENT_SUBNET} via {DOCKER_HOST_ON_COAXIS_LAN} (lab-docker-host): added" in run.out, run
    assert client_routes(coaxis) == EXPECTED
    assert unit_state(coaxis) == (True, "enabled", "active")
    _, unit = sh(coaxis, f"systemctl cat {UNIT}")
    assert "managed by coaxis.opt.opt_route" in unit
    assert f"route add {CLIENT_SUBNET} via {DOCKER_HOST_ON_COAXIS_LAN}" in unit

    again = inventory.playbook("routes.yml")
    assert again.rc == 0 and again.changed(HOST) == 0, again
    checked = inventory.playbook("routes.yml", "--check")
    assert checked.rc == 0 and checked.changed(HOST) == 0, checked


def test_route_back_after_the_coaxis_host_restarts(coaxis, inventory):
    run = inventory.playbook("routes.yml")
    assert run.rc == 0, run
    started = time.monotonic()
    coaxis.restart(timeout=10)
    deadline = started + 30
    while client_routes(coaxis) != EXPECTED and time.monotonic() < deadline:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert client_routes(coaxis) == EXPECTED, f"route not back {elapsed:.1f} s after the restart"
    print(f"route back {elapsed:.2f} s after docker restart {HOST}")
    # Still reachable over SSH with its pinned host key, and nothing left to do.
    wait_running(coaxis)
    again = inventory.playbook("routes.yml")
    assert again.rc == 0 and again.changed(HOST) == 0, again


def test_state_absent_removes_the_route_and_the_unit(coaxis, inventory):
    assert inventory.playbook("routes.yml").rc == 0
    checked = inventory.playbook("routes.yml", "-e", "state=absent", "--check")
    assert checked.rc == 0 and checked.changed(HOST) == 1, checked
    assert client_routes(coaxis) == EXPECTED and unit_state(coaxis)[0] is True

    run = inventory.playbook("routes.yml", "-e", "state=absent")
    assert run.rc == 0 and run.changed(HOST) == 1, run
    assert "(lab-docker-host): removed" in run.out, run
    assert client_routes(coaxis) == []
    present, enabled, _ = unit_state(coaxis)
    assert not present and enabled != "enabled"

    again = inventory.playbook("routes.yml", "-e", "state=absent")
    assert again.rc == 0 and again.changed(HOST) == 0, again


@pytest.mark.parametrize("lang, message", [
    ("en", "1 problem(s), this step changed nothing (the steps before it in the run may have): "
           "route 10.128.0.0/16 via 10.129.0.1: the host already has the route 10.128.0.0/16 via 10.129.0.5 "
           "dev eth0; it is never overwritten: remove it by hand or fix the inventory"),
    ("fr", "1 problème(s), cette étape n'a rien modifié (les étapes d'avant dans l'exécution ont pu le faire) : "
           "route 10.128.0.0/16 via 10.129.0.1 : l'hôte a déjà la route 10.128.0.0/16 via 10.129.0.5 dev eth0 ; "
           "elle n'est jamais écrasée : supprimez-la à la main ou corrigez l'inventaire"),
])
def test_a_conflicting_route_is_refused_and_left_alone(coaxis, inventory, lang, message):
    code, out = sh(coaxis, f"ip route add {CLIENT_SUBNET} via 10.129.0.5")
    assert code == 0, out
    run = inventory.playbook("routes.yml", lang=lang)
    assert run.rc != 0 and run.recap[HOST]["failed"] == 1, run
    assert message in run.out, run
    assert client_routes(coaxis) == [(CLIENT_SUBNET, "10.129.0.5")]
    assert unit_state(coaxis)[0] is False


def test_a_tool_that_opens_the_path_puts_back_what_it_found(coaxis, engine):
    # Closed before: open inside, closed again after.
    with coaxis_path_opened(engine):
        assert client_routes(coaxis) == EXPECTED
    assert client_routes(coaxis) == []
    # Open before (as make demo leaves it): still open after (bench/tunnel.py closed it).
    open_coaxis_path(engine)
    with coaxis_path_opened(engine):
        pass
    assert client_routes(coaxis) == EXPECTED


def test_the_tunnel_benchmark_changes_the_path_only_through_the_helper():
    source = (Path(__file__).resolve().parents[2] / "bench" / "tunnel.py").read_text()
    assert "coaxis_path_opened(" in source and "close_coaxis_path" not in source
