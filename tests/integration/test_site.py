"""playbooks/site.yml: everything the inventory declares converges in one run; the second
run and check mode change nothing."""
import re

from conftest import firewall_rules
from lab.paths import close_coaxis_path, send_job, printer_jobs, wait_job, wait_state


def test_site_converges_everything_then_changes_nothing(fresh, inventory):
    close_coaxis_path(fresh)
    try:
        check = inventory.playbook("site.yml", "--check")
        assert check.rc == 0 and check.changed() > 0, check
        assert not fresh.containers.list(all=True, filters={"name": "^opt-acme$"})

        run = inventory.playbook("site.yml")
        assert run.rc == 0, run
        for name in ("opt-acme", "opt-globex", "opt-firewall"):
            assert fresh.containers.get(name).status == "running"
        assert "client=acme" in firewall_rules() and "client=globex" in firewall_rules()
        wait_state(fresh, "acme", "lyon", "up", timeout=40)
        before = printer_jobs(fresh, "10.131.1.20")
        sent = send_job(fresh, "10.128.0.10", 9101, 4096, timeout=30)
        assert "error" not in sent and wait_job(fresh, "10.131.1.20", before), sent

        again = inventory.playbook("site.yml")
        assert again.rc == 0 and again.changed() == 0 and again.changed("lab-coaxis-1") == 0, again
    finally:
        close_coaxis_path(fresh)


def test_a_docker_host_as_its_last_converge_left_it_costs_one_read(deployed, inventory):
    """The state site.yml records: a no-op stops after one read; a change by hand or an inventory
    edit is still found, named, and converged."""
    inventory.playbook("site.yml", "--limit", "docker_hosts")  # records the state for this inventory
    again = inventory.playbook("site.yml", "--limit", "docker_hosts")
    assert again.rc == 0 and again.changed() == 0, again
    assert "lab-docker-host: inputs and engine as the last converge left them: nothing to do" in again.out, again
    for task in ("Take the Docker host's lock", "opt_client : Converge the client containers",
                 "Converge the firewall (every client's rules)"):
        assert re.search(r"TASK \[%s\] \*+\nskipping: " % re.escape(task), again.out), (task, again)

    globex = deployed.containers.get("opt-globex")
    globex.stop(timeout=5)
    restarted = inventory.playbook("site.yml", "--limit", "docker_hosts")
    assert restarted.rc == 0 and restarted.changed() == 1, restarted
    assert "lab-docker-host: converging (changed since the last converge: containers" in restarted.out, restarted
    globex.reload()
    assert globex.status == "running"

    inventory.client("acme", opt_vhost_extra=["client_max_body_size 20m;"])
    edited = inventory.playbook("site.yml", "--limit", "docker_hosts", "--check")
    assert edited.rc == 0 and edited.changed() == 1, edited
    assert "lab-docker-host: converging (changed since the last converge: inputs:client.acme)" in edited.out, edited
