"""The admin interface as deployed by playbooks/portal.yml on the lab (make lab-portal): the back-office
https://opt.coaxis.test reaches it through the edge (no client header from outside passes), its
containers run as the role says (non-root web server without the engine, read-only roots, healthy),
the worker's access runs add_client.yml and status.yml against the lab, and the playbook is
idempotent and changes nothing in check mode."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, ensure_deployed, lab_address

EDGE = "10.129.0.1"
PORTAL = "10.129.0.20"
WEB, WORKER = "opt-portal", "opt-portal-worker"
STATE = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab"))
CA = STATE / "tls" / "wildcard.crt"


def curl(url, host=None, headers=()):
    """(status, body) of a request as a browser on the Coaxis LAN sends it (host: through the edge)."""
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", str(CA), "-o", "-", "-w", "\n%{http_code} %{redirect_url}"]
    if host:
        port = 443 if url.startswith("https") else 80
        cmd += ["--resolve", f"{host}:{port}:{EDGE}"]
    for header in headers:
        cmd += ["-H", header]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=20).stdout
    body, _, status = out.rpartition("\n")
    return status, body


def signed(client):
    from test_admin_signature import signature
    return [f"X-OPT-Client: {client}", f"X-OPT-Client-Signature: {signature(client)}"]


def playbook(*args):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "playbooks/portal.yml", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def clients(engine, tmp_path_factory):
    return ensure_deployed(engine, tmp_path_factory.mktemp("portal"))


def test_the_back_office_reaches_the_portal_through_the_edge(clients):
    status, body = curl("https://opt.coaxis.test/healthz?x=1", host="opt.coaxis.test")
    assert status.startswith("200"), (status, body)
    seen = json.loads(body)
    assert (seen["client"], seen["host"], seen["scheme"], seen["path"]) == (None, "opt.coaxis.test", "https",
                                                                          "/healthz?x=1")
    status, body = curl("https://opt.coaxis.test/accounts/login/", host="opt.coaxis.test")
    assert status.startswith("200") and 'id="id_username"' in body, (status, body[:300])
    assert curl("http://opt.coaxis.test/a?b=1", host="opt.coaxis.test")[0] == "301 https://opt.coaxis.test/a?b=1"


def test_the_back_office_drops_a_client_header_from_outside(clients):
    # The probe: straight to the portal, acme's signed header names acme.
    status, body = curl(f"http://{lab_address(PORTAL)}:8000/healthz", headers=signed("acme"))
    assert status.startswith("200") and json.loads(body)["client"] == "acme", (status, body)
    # Through opt.<domain>, the same headers never arrive: the back-office stays the back-office.
    status, body = curl("https://opt.coaxis.test/healthz", host="opt.coaxis.test", headers=signed("acme"))
    assert status.startswith("200") and json.loads(body)["client"] is None, (status, body)


def test_the_containers_run_as_the_role_says(clients):
    web, worker = clients.containers.get(WEB), clients.containers.get(WORKER)
    assert web.attrs["State"]["Health"]["Status"] == "healthy"
    assert web.exec_run(["id", "-u"]).output.decode().strip() == "10002"  # the image's user, not root
    for container in (web, worker):
        host = container.attrs["HostConfig"]
        assert host["ReadonlyRootfs"] is True and host["Privileged"] is False
        assert "no-new-privileges" in host["SecurityOpt"]
    assert web.attrs["HostConfig"]["CapDrop"] == ["ALL"]
    sock = os.environ["LAB_SOCK"]
    for container in (web, worker):  # the worker's playbooks; the web's host-key scan and logs page
        assert sock in [m["Destination"] for m in container.attrs["Mounts"]]
        assert f"LAB_SOCK={sock}" in container.attrs["Config"]["Env"]  # the inventory's opt_docker_url
    secrets = web.exec_run(["stat", "-c", "%a %u %n", "/etc/opt-portal/secret_key", "/etc/opt-portal/vault_password",
                            "/etc/opt-portal/signing_secret"]).output.decode().split("\n")
    assert [line.split()[:2] for line in secrets if line] == [["400", "10002"]] * 3
    assert web.exec_run(["touch", "/opt/coaxis-opt/x"]).exit_code != 0  # read-only root


def like_the_worker(engine, *argv):
    """Run `opt-portal ARGV` in a one-shot container with the worker's image, user, environment,
    mounts and network (the worker's own process is manage.py runjobs)."""
    worker = engine.containers.get(WORKER)
    host = worker.attrs["HostConfig"]
    import docker
    mounts = [docker.types.Mount(m["Destination"], m.get("Name") or m["Source"], type=m["Type"],
                                 read_only=not m["RW"]) for m in worker.attrs["Mounts"]]
    network = host["NetworkMode"]
    return engine.containers.run(worker.image.id, list(argv), user=worker.attrs["Config"]["User"] or None,
                                 environment=worker.attrs["Config"]["Env"], mounts=mounts, network=network,
                                 group_add=host.get("GroupAdd") or None, read_only=True, tmpfs=host.get("Tmpfs"),
                                 remove=True, stdout=True, stderr=True)


def test_the_workers_access_runs_add_client_and_status_against_the_lab(clients, engine):
    out = like_the_worker(engine, "playbook", "add_client.yml", "-e", "client=acme").decode()
    assert "failed=0" in out and "changed=0" in out, out[-3000:]
    out = like_the_worker(engine, "playbook", "status.yml", "-e", "client=acme").decode()
    assert "failed=0" in out, out[-3000:]
    assert "/opt/coaxis-opt/reports/status-" in out, out[-3000:]


def test_second_run_and_check_mode_change_nothing(clients):
    code, out = playbook()
    assert code == 0 and "changed=0" in out, out[-3000:]
    code, out = playbook("--check")
    assert code == 0 and "changed=0" in out, out[-3000:]


def test_a_short_secret_key_is_refused_before_any_change(clients):
    before = {name: clients.containers.get(name).id for name in (WEB, WORKER)}
    code, out = playbook("-e", "opt_portal_secret_key=short")
    assert code != 0, out[-2000:]
    assert "opt_portal_secret_key is 5 characters long: give it at least 32 random ones" in out, out[-2000:]
    assert {name: clients.containers.get(name).id for name in (WEB, WORKER)} == before
