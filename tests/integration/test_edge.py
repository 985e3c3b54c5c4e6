"""The client subdomains on the lab: <client>.coaxis.test over HTTPS reaches the admin
interface (the portal's /healthz/ says which client it saw) through the edge proxy and the
client's nginx, with X-OPT-Client; unknown hosts get 404; HTTP redirects; a broken vhost fails for
its client alone."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Inventory, deployment_changed, ensure_deployed

EDGE = "10.129.0.1"  # the Docker host's address on the Coaxis LAN (edge on the host network)
CA = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab")) / "tls" / "wildcard.crt"


def curl(host, path="/", scheme="https", headers=()):
    """(status, body) of a request to host through the edge, as a browser on the Coaxis LAN would."""
    port = 443 if scheme == "https" else 80
    cmd = ["curl", "-sS", "--max-time", "10", "--cacert", str(CA), "--resolve", f"{host}:{port}:{EDGE}",
           "-o", "-", "-w", "\n%{http_code} %{redirect_url}"]
    for header in headers:
        cmd += ["-H", header]
    out = subprocess.run(cmd + [f"{scheme}://{host}{path}"], capture_output=True, text=True, timeout=20).stdout
    body, _, status = out.rpartition("\n")
    return status, body


@pytest.fixture(scope="module")
def edge(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("edge-deployed"))
    yield Inventory(tmp_path_factory.mktemp("edge") / "inventory")
    deployment_changed()  # vhosts refused, restored and removed


@pytest.mark.parametrize("client", ["acme", "globex"])
def test_each_subdomain_reaches_the_admin_interface_as_its_client(edge, client):
    status, body = curl(f"{client}.coaxis.test", "/healthz/?next=/", headers=["X-OPT-Client: forged"])
    assert status.startswith("200"), (status, body)
    seen = json.loads(body)
    # The portal names the client only on a valid signature (else 403): the client's nginx signed.
    assert seen["client"] == client
    assert seen["host"] == f"{client}.coaxis.test"
    assert seen["scheme"] == "https"
    assert seen["path"] == "/healthz/?next=/"


def test_an_unknown_subdomain_gets_404_and_http_redirects(edge):
    status, body = curl("nobody.coaxis.test")
    assert status.startswith("404") and "No Coaxis OPT client at this address" in body
    assert curl("acme.coaxis.test", "/a?b=1", scheme="http")[0] == "301 https://acme.coaxis.test/a?b=1"


def test_the_edge_is_the_only_thing_exposed_and_runs_with_few_capabilities(edge, engine):
    host = engine.containers.get("opt-edge").attrs["HostConfig"]
    assert host["NetworkMode"] == "host" and host["Privileged"] is False and host["ReadonlyRootfs"] is True
    assert sorted(host["CapAdd"]) == ["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"] and host["CapDrop"] == ["ALL"]
    assert not engine.containers.get("opt-acme").attrs["HostConfig"]["PortBindings"]


def test_a_broken_vhost_fails_for_its_client_alone(edge, engine):
    before = engine.containers.get("opt-edge").exec_run(["cat", "/etc/opt-edge/vhosts/globex.conf"]).output
    edge.client("globex", opt_vhost_extra=["proxy_buffer_size nonsense;"])
    try:
        run = edge.playbook("add_client.yml", "-e", "client=globex")
        assert run.rc != 0, run
        assert ("globex: vhost refused by nginx, the previous one stays in place (the other clients are served): "
                in run.out)
        assert '"proxy_buffer_size" directive invalid value' in run.out
        assert engine.containers.get("opt-edge").exec_run(["cat", "/etc/opt-edge/vhosts/globex.conf"]).output == before
        assert json.loads(curl("acme.coaxis.test", "/healthz/")[1])["client"] == "acme"
        assert json.loads(curl("globex.coaxis.test", "/healthz/")[1])["client"] == "globex"
    finally:
        edge.client("globex", opt_vhost_extra=None)
    assert edge.playbook("add_client.yml", "-e", "client=globex").rc == 0


def test_second_run_and_check_mode_change_nothing(edge, engine):
    assert edge.playbook("add_client.yml", "-e", "client=acme").changed() == 0
    edge.client("acme", opt_subdomain="acme-corp")
    try:
        run = edge.playbook("add_client.yml", "-e", "client=acme", "--check", "--diff")
        assert run.rc == 0 and run.changed() == 1 and "server_name acme-corp.coaxis.test;" in run.out, run
        assert curl("acme.coaxis.test", "/healthz/")[0].startswith("200")
        assert curl("acme-corp.coaxis.test")[0].startswith("404")
    finally:
        edge.client("acme", opt_subdomain="acme")


def test_the_vhost_goes_with_the_client(edge):
    run = edge.playbook("remove_client.yml", "-e", "client=globex")
    assert run.rc == 0, run
    assert curl("globex.coaxis.test")[0].startswith("404")
    assert curl("acme.coaxis.test", "/healthz/")[0].startswith("200")
    assert edge.playbook("add_client.yml", "-e", "client=globex").rc == 0
    assert curl("globex.coaxis.test", "/healthz/")[0].startswith("200")
