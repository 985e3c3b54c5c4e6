"""The admin interface does not trust X-OPT-Client alone: each client's nginx sends with it
X-OPT-Client-Signature, the HMAC-SHA256 of the client's name under the vaulted
opt_admin_signing_secret, and the admin interface (the portal, with the verifier the collection
ships) refuses a request whose signature does not match, whoever sends it: a host of the Coaxis
LAN, or another client's container. The portal's /healthz/ names the client it accepted."""
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import LAB_INVENTORY, ensure_deployed, lab_address, vaulted_value

ADMIN = "10.129.0.20"
EDGE = "10.129.0.1"  # the Docker host's address on the Coaxis LAN (the edge proxy listens there)
CA = Path(os.environ.get("LAB_STATE", "/var/lib/coaxis-lab")) / "tls" / "wildcard.crt"
SECRET = vaulted_value(LAB_INVENTORY / "host_vars" / "lab-docker-host" / "vault.yml", "vault_opt_admin_signing_secret")

# Run on the lab's Coaxis host: an HTTPS request to <client>.coaxis.test through the edge (the
# certificate checked against the lab's CA), with the headers given; prints status and body.
THROUGH_THE_EDGE = r"""
import json, socket, ssl, sys
host, path, headers, ca = json.loads(sys.argv[1])
context = ssl.create_default_context(cadata=ca)
with socket.create_connection(("%s", 443), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname=host) as tls:
        lines = ["GET %%s HTTP/1.1" %% path, "Host: %%s" %% host, "Connection: close"]
        lines += ["%%s: %%s" %% item for item in headers.items()]
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
head, _, body = data.partition(b"\r\n\r\n")
if b"chunked" in head.lower():
    plain, rest = b"", body
    while rest:
        size, _, rest = rest.partition(b"\r\n")
        if int(size, 16) == 0:
            break
        plain, rest = plain + rest[:int(size, 16)], rest[int(size, 16) + 2:]
    body = plain
print(json.dumps({"status": int(head.split()[1]), "body": body.decode()}))
""" % EDGE

# Run in a client's container: a request straight to the admin interface with the headers given.
DIRECT = r"""
import json, sys, urllib.request, urllib.error
url, headers = json.loads(sys.argv[1])
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
        print(json.dumps({"status": answer.status, "body": answer.read().decode()}))
except urllib.error.HTTPError as error:
    print(json.dumps({"status": error.code, "body": error.read().decode()}))
"""


def signature(client, secret=SECRET):
    return hmac.new(secret.encode(), client.encode(), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def clients(engine, tmp_path_factory):
    return ensure_deployed(engine, tmp_path_factory.mktemp("signature"))


def seen_by_the_portal(status, body):
    """(status, what the portal's /healthz/ saw): a refusal's body is text, not its JSON."""
    return status, json.loads(body) if status == 200 else {"refusal": body}


def run_python(container, script, argument):
    result = container.exec_run(["python3", "-c", script, json.dumps(argument)])
    assert result.exit_code == 0, result.output.decode(errors="replace")
    answer = json.loads(result.output.decode().strip().splitlines()[-1])
    return seen_by_the_portal(answer["status"], answer["body"])


def direct(headers):
    """(status, what the portal saw) of a request sent straight to it from the Coaxis LAN side."""
    request = urllib.request.Request(f"http://{lab_address(ADMIN)}:8000/healthz", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return seen_by_the_portal(answer.status, answer.read().decode())
    except urllib.error.HTTPError as error:
        return seen_by_the_portal(error.code, error.read().decode())


def test_through_the_edge_and_the_clients_nginx_the_request_is_accepted_as_acme(clients):
    """Coaxis host -> edge -> acme's nginx -> admin: signed by acme's nginx, whatever the browser sent."""
    forged = {"X-OPT-Client": "globex", "X-OPT-Client-Signature": signature("globex")}
    status, seen = run_python(clients.containers.get("lab-coaxis-1"), THROUGH_THE_EDGE,
                              ["acme.coaxis.test", "/healthz/?x=1", forged, CA.read_text()])
    assert status == 200, seen
    # Named acme: the portal checked X-OPT-Client-Signature against acme under the vaulted secret.
    assert seen["client"] == "acme"
    assert (seen["host"], seen["scheme"]) == ("acme.coaxis.test", "https")
    assert seen["path"] == "/healthz/?x=1"


def test_a_request_straight_to_the_admin_interface_needs_the_clients_signature(clients):
    status, seen = direct({"X-OPT-Client": "acme", "X-OPT-Client-Signature": signature("acme")})
    assert (status, seen.get("client")) == (200, "acme"), seen  # the probe, correctly signed
    for forged in ({"X-OPT-Client": "acme"},
                   {"X-OPT-Client": "acme", "X-OPT-Client-Signature": signature("globex")},
                   {"X-OPT-Client": "acme", "X-OPT-Client-Signature": signature("acme", SECRET + "x")},
                   {"X-OPT-Client": "acme", "X-OPT-Client-Signature": "0" * 64}):
        status, seen = direct(forged)
        assert status == 403 and "invalid signature" in seen["refusal"], (forged, status, seen)


def test_a_client_container_cannot_pass_for_another_client(clients):
    """globex's container can read its own signature (its nginx.conf), which names globex alone."""
    globex = clients.containers.get("opt-globex")
    conf = globex.exec_run(["cat", "/etc/mast/nginx.conf"]).output.decode()
    own = conf.split("X-OPT-Client-Signature ", 1)[1].split(";", 1)[0]
    assert own == signature("globex")
    url = f"http://{ADMIN}:8000/healthz"
    status, seen = run_python(globex, DIRECT, [url, {"X-OPT-Client": "globex", "X-OPT-Client-Signature": own}])
    assert (status, seen.get("client")) == (200, "globex"), seen
    status, seen = run_python(globex, DIRECT, [url, {"X-OPT-Client": "acme", "X-OPT-Client-Signature": own}])
    assert status == 403 and "invalid signature" in seen["refusal"], seen


def test_the_signature_is_in_no_diff_and_the_file_is_private(clients, tmp_path):
    """The signature is a secret token: masked in diff mode like the private key; nginx.conf 0600."""
    from conftest import Inventory
    inventory = Inventory(tmp_path / "inventory")
    run = inventory.playbook("site.yml", "--limit", "docker_hosts", "--check", "--diff",
                             "-e", "vault_opt_admin_signing_secret=another-signing-secret-of-32-characters-or-more")
    assert run.rc == 0, run
    assert "X-OPT-Client-Signature <signature: sha256 " in run.out, run
    assert signature("acme") not in run.out and signature("acme", "another-signing-secret-of-32-characters-or-more") \
        not in run.out
    mode = clients.containers.get("opt-acme").exec_run(["stat", "-c", "%a %u", "/etc/mast/nginx.conf"]).output
    assert mode.decode().split() == ["600", "10001"]


def test_an_admin_interface_without_a_signing_secret_is_refused_before_any_change(clients, tmp_path):
    """An existing install that sets opt_admin_url and no opt_admin_signing_secret: the run stops with
    a message naming the variable, and the clients keep their configuration."""
    from conftest import Inventory, engine_snapshot
    inventory = Inventory(tmp_path / "inventory")
    inventory.set_vars("group_vars", "docker_hosts", opt_admin_signing_secret=None)
    before = engine_snapshot(clients)
    conf = clients.containers.get("opt-acme").exec_run(["cat", "/etc/mast/nginx.conf"]).output
    run = inventory.playbook("add_client.yml", "-e", "client=acme")
    assert run.rc != 0, run
    assert "the admin interface http://10.129.0.20:8000 needs opt_admin_signing_secret" in run.out, run
    assert engine_snapshot(clients) == before
    assert clients.containers.get("opt-acme").exec_run(["cat", "/etc/mast/nginx.conf"]).output == conf
    short = inventory.playbook("add_client.yml", "-e", "client=acme", "-e", "opt_admin_signing_secret=k9Zq")
    assert short.rc != 0 and "opt_admin_signing_secret is shorter than 32 characters" in short.out, short
