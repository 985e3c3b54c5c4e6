"""playbooks/site.yml: everything the inventory declares converges in one run; the second
run and check mode change nothing."""
from conftest import firewall_rules
from lab_paths import close_coaxis_path, send_job, printer_jobs, wait_job, wait_state


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
