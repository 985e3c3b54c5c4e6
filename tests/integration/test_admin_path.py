"""From a client's container to the admin interface (the portal): the client's nginx forwards with
X-OPT-Client naming the client (a forged one is replaced), the X-Forwarded-* headers of
the edge pass through, and the firewall lets the clients reach the admin interface alone
of the Coaxis LAN. The portal's /healthz/ says what it saw: the client (named only on a valid
signature), the host and the scheme."""
import json
import socket
import urllib.request

import pytest

from conftest import ensure_deployed, lab_address
from lab.paths import COAXIS_HOST, connect_from
from lab.probes import listening

ADMIN = "10.129.0.20"
ADMIN_CONTAINER = "opt-portal"  # the portal's web server (playbooks/portal.yml)


@pytest.fixture(scope="module")
def clients(engine, tmp_path_factory):
    return ensure_deployed(engine, tmp_path_factory.mktemp("admin"))


def through(ip, headers):
    # /healthz/: the client's nginx answers /healthz itself (the container's health).
    request = urllib.request.Request(f"http://{lab_address(ip)}:8080/healthz/?x=1", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.mark.parametrize("client, ip", [("acme", "10.128.0.10"), ("globex", "10.128.0.11")])
def test_the_admin_interface_learns_which_client_asks(clients, client, ip):
    seen = through(ip, {"X-OPT-Client": "someone-else", "X-Forwarded-Host": f"{client}.coaxis.test",
                        "X-Forwarded-Proto": "https"})
    assert seen["client"] == client
    assert seen["host"] == f"{client}.coaxis.test"
    assert seen["scheme"] == "https"
    assert seen["path"] == "/healthz/?x=1"


def test_clients_reach_the_admin_interface_and_nothing_else_of_the_coaxis_lan(clients):
    assert connect_from(clients, "opt-acme", ADMIN, 8000) == "open"
    # Another port of the admin's host, with a real listener: open from the Coaxis LAN, refused to
    # the client.
    with listening(clients, ADMIN_CONTAINER, 22):
        assert connect_from(clients, COAXIS_HOST, ADMIN, 22) == "open"
        assert connect_from(clients, "opt-acme", ADMIN, 22) == "refused"
    # The Coaxis host's sshd: the Docker host reaches it, the client does not.
    with socket.create_connection(("10.129.0.10", 22), timeout=3):
        pass
    assert connect_from(clients, "opt-acme", "10.129.0.10", 22) == "refused"
