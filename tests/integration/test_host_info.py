"""opt_host_info on the lab: what it lists is what the Docker API says, and nothing changes."""
import json
import os
import subprocess

from conftest import MANAGED, ROOT, container_ip


def host_info(inventory, *args):
    run = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ansible"), "lab-docker-host", "-i", str(inventory.path), "-m",
         "coaxis.opt.opt_host_info", "-a", json.dumps({"docker_host": "{{ opt_docker_url }}", "lang": "fr"}), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
             "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "json"})
    assert run.returncode == 0, run.stdout + run.stderr
    [task] = json.loads(run.stdout)["plays"][0]["tasks"]
    return task["hosts"]["lab-docker-host"]


def test_lists_each_client_container_as_the_docker_api_reports_it(deployed, inventory, snapshot):
    containers = {c.labels["coaxis.opt.client"]: c
                  for c in deployed.containers.list(all=True, filters={"label": MANAGED})
                  if "coaxis.opt.client" in c.labels}
    assert set(containers) == {"acme", "globex"}  # the lab inventory's two clients, deployed
    deployed.containers.get("opt-globex").stop(timeout=5)
    try:
        before = snapshot()
        result = host_info(inventory, "--check")
        before.assert_unchanged()
    finally:
        deployed.containers.get("opt-globex").start()
    assert result["changed"] is False and result["plan"] == [] and result["errors"] == []
    listed = {entry["client"]: entry for entry in result["clients"]}
    assert listed.keys() == containers.keys()
    assert listed["acme"]["ip"] == container_ip(containers["acme"])[0] and listed["acme"]["state"] == "running"
    assert listed["globex"]["state"] == "exited" and listed["globex"]["container"] == "opt-globex"
    assert "acme : running, %s" % listed["acme"]["ip"] in result["summary"]
    network = deployed.networks.get("opt-clients").attrs["IPAM"]["Config"][0]
    assert result["network"]["subnet"] == network["Subnet"]
