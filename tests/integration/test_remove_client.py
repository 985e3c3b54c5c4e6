"""playbooks/remove_client.yml on the lab: the container and its firewall rules go, the data
stays unless purge=true, adding the client back restores it with its data, and removing what
is not there is ok."""
import pytest

from conftest import MANAGED, container_ip, ensure_deployed, firewall_rules

MARKER = "/var/log/mast/marker"


@pytest.fixture
def deployed(engine, tmp_path_factory):
    """acme and globex running, a marker in acme's logs. Shared in the order of this file: a
    test that removes acme adds it back, so the next one starts from the same place."""
    running = {c.name for c in engine.containers.list(filters={"label": MANAGED})}
    if not {"opt-acme", "opt-globex"} <= running or volumes(engine, "acme") != ["opt-acme-config", "opt-acme-logs"]:
        ensure_deployed(engine, tmp_path_factory.mktemp("remove-deployed"))
    assert engine.containers.get("opt-acme").exec_run(["sh", "-c", f"echo kept > {MARKER}"]).exit_code == 0
    return engine


def volumes(engine, client):
    return sorted(v.name for v in engine.volumes.list(filters={"label": f"coaxis.opt.client={client}"}))


def test_check_mode_removes_nothing(deployed, inventory):
    run = inventory.playbook("remove_client.yml", "-e", "client=acme", "-e", "purge=true", "--check", "--diff")
    assert run.rc == 0 and run.changed() >= 1, run
    assert deployed.containers.get("opt-acme").status == "running"
    assert volumes(deployed, "acme") == ["opt-acme-config", "opt-acme-logs"]
    assert "client=acme" in firewall_rules()


def test_removing_a_client_that_is_nowhere_is_ok(deployed, inventory):
    run = inventory.playbook("remove_client.yml", "-e", "client=initech")
    assert run.rc == 0 and run.changed() == 0, run
    assert "initech: no container on this Docker host, nothing to remove" in run.out


def test_remove_keeps_the_data_and_add_brings_the_client_back(deployed, inventory):
    engine = deployed
    ip = container_ip(engine.containers.get("opt-acme"))
    run = inventory.playbook("remove_client.yml", "-e", "client=acme")
    assert run.rc == 0 and run.changed() == 3, run  # the container, the firewall rules, the vhost
    assert ("acme: removed container(s) opt-acme; volumes removed: -; volumes kept: opt-acme-config, opt-acme-logs"
            in run.out)
    assert not engine.containers.list(all=True, filters={"name": "^opt-acme$"})
    assert volumes(engine, "acme") == ["opt-acme-config", "opt-acme-logs"]
    assert "client=acme" not in firewall_rules() and "client=globex" in firewall_rules()
    assert engine.containers.get("opt-globex").status == "running"

    again = inventory.playbook("remove_client.yml", "-e", "client=acme")
    assert again.rc == 0 and again.changed() == 0, again
    assert "acme: no container on this Docker host, nothing to remove" in again.out

    back = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert back.rc == 0, back
    container = engine.containers.get("opt-acme")
    assert container_ip(container) == ip
    assert container.exec_run(["cat", MARKER]).output == b"kept\n"
    assert "client=acme" in firewall_rules()


def test_purge_deletes_the_volumes(deployed, inventory):
    run = inventory.playbook("remove_client.yml", "-e", "client=acme", "-e", "purge=true")
    assert run.rc == 0 and run.changed() == 3, run
    assert "volumes removed: opt-acme-config, opt-acme-logs; volumes kept: -" in run.out
    assert volumes(deployed, "acme") == []
    assert volumes(deployed, "globex") == ["opt-globex-config", "opt-globex-logs"]
    again = inventory.playbook("remove_client.yml", "-e", "client=acme", "-e", "purge=true")
    assert again.rc == 0 and again.changed() == 0, again
