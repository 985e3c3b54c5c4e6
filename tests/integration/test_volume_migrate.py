"""A client's volume moves to a new name only when asked: data copied, old volume kept, never deleted."""
import pytest

from conftest import engine_snapshot

LOGS_2 = {"name": "opt-acme-logs-2", "type": "local"}
# The refusal, as opt_volume words it (a YAML dump of the failure may fold it over lines).
REFUSED = ("acme: the logs volume opt-acme-logs-2 does not exist and the data is in opt-acme-logs: a new empty "
           "volume would hide it. Add migrate: true for this client (opt_volume_migrate: true) to copy "
           "opt-acme-logs into opt-acme-logs-2 (opt-acme-logs is kept), or remove the name")
HELPER_IMAGE = "coaxis/docker-opt:lab"


def squash(text):
    return " ".join(text.split())


def read_volume(engine, volume, path):
    """A file of a volume, read by a throwaway container mounting it read-only, no network."""
    return engine.containers.run(HELPER_IMAGE, entrypoint=[], command=["cat", f"/v/{path}"], user="0",
                                 volumes={volume: {"bind": "/v", "mode": "ro"}}, network_mode="none",
                                 remove=True)


@pytest.fixture
def acme_with_marker(deployed):
    """acme converged on its default local volumes (the shared deployment), a marker file in its
    logs volume. The refusal and the check come first: they change nothing, the migration last."""
    container = deployed.containers.get("opt-acme")
    assert container.exec_run(["sh", "-c", "echo kept > /var/log/mast/marker"]).exit_code == 0
    return container


def test_a_new_logs_volume_without_migrate_is_refused_and_nothing_changes(deployed, inventory, acme_with_marker):
    before = engine_snapshot(deployed)
    inventory.client("acme", opt_logs_volume=LOGS_2)
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc != 0, run
    assert squash(REFUSED) in squash(run.out), run
    assert engine_snapshot(deployed) == before
    assert deployed.containers.get("opt-acme").id == acme_with_marker.id
    assert not deployed.volumes.list(filters={"name": "opt-acme-logs-2"})


def test_check_mode_plans_the_migration_and_changes_nothing(deployed, inventory, acme_with_marker):
    before = engine_snapshot(deployed)
    inventory.client("acme", opt_logs_volume=LOGS_2, opt_volume_migrate=True)
    run = inventory.playbook("add_client.yml", "-e", "client=acme", "--check", "--diff", "-v")
    assert run.rc == 0, run
    # opt_volume's plan item (the -v output): migrate, to which volume, the data of which.
    assert '"action": "migrate"' in run.out and "volume opt-acme-logs-2 (local)" in run.out, run
    assert "data of opt-acme-logs" in run.out, run
    assert engine_snapshot(deployed) == before


def test_a_new_logs_volume_with_migrate_gets_the_data_and_the_old_one_is_kept(deployed, inventory, acme_with_marker):
    inventory.client("acme", opt_logs_volume=LOGS_2, opt_volume_migrate=True)
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc == 0, run
    container = deployed.containers.get("opt-acme")
    assert container.id != acme_with_marker.id
    mounts = {m["Destination"]: m.get("Name") for m in container.attrs["Mounts"]}
    assert mounts == {"/etc/mast": "opt-acme-config", "/var/log/mast": "opt-acme-logs-2"}
    assert container.exec_run(["cat", "/var/log/mast/marker"]).output == b"kept\n"
    new = deployed.volumes.get("opt-acme-logs-2")
    assert new.attrs["Labels"]["coaxis.opt.migrated-from"] == "opt-acme-logs"
    assert deployed.volumes.get("opt-acme-logs").name == "opt-acme-logs"  # kept
    assert read_volume(deployed, "opt-acme-logs", "marker") == b"kept\n"  # with its data
    helpers = deployed.containers.list(all=True, filters={"label": "coaxis.opt.helper=migrate"})
    assert helpers == []  # the copy helper is always removed
    again = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert again.rc == 0 and again.changed() == 0, again
    assert deployed.containers.get("opt-acme").id == container.id
