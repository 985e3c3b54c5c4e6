"""A survey's answer, in English or French, reaches the playbook as the value it validates; an answer
that is no choice is refused by the playbook itself (a survey is no security boundary).

Offline: a throw-away inventory whose Docker host's engine does not exist and whose Coaxis host
refuses SSH, so every run stops at its first contact; the module arguments it got that far are read
from Ansible's -vvv output.
"""
import base64
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from awx_support import BIN, ROOT, run, ssh_private_key


def host_key():
    """'ssh-ed25519 <base64>' of a made-up key: the shape the check wants, no real host's."""
    kind = b"ssh-ed25519"
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", 32) + bytes(range(32))
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    path = tmp_path_factory.mktemp("answers")
    hosts = {"all": {
        "vars": {"opt_lang": "en", "opt_lock_dir": str(path / "locks")},
        "children": {
            "docker_hosts": {"hosts": {"dh": {
                "ansible_connection": "local",
                "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                "opt_docker_url": f"unix://{path}/no-engine.sock",
                "opt_network": {"name": "opt-test", "subnet": "10.250.0.0/16", "gateway": "10.250.0.1"},
                "opt_docker_host_address": "10.251.0.1"}}},
            # Port 1 of the loopback: refused at once, nothing is ever run there.
            "coaxis_hosts": {"hosts": {"ch": {"ansible_host": "127.0.0.1", "ansible_port": 1}}},
            # A client the whole-inventory check accepts (it runs before the modules are reached).
            "opt_clients": {"hosts": {"acme": {
                "opt_docker_host": "dh", "opt_private_key": ssh_private_key(),
                "opt_sites": [{"name": "lyon", "host": "10.252.0.10", "host_key": host_key(),
                               "printers": [{"name": "accueil", "address": "10.252.1.20", "listen_port": 9101}]}]}}},
        }}}
    (path / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return path / "hosts.yml"


CASES = {
    "tunnel French label": ("tunnel.yml", "-e", "client=acme", "-e", "tunnel_action=redémarrer"),
    "tunnel -e action": ("tunnel.yml", "-e", "client=acme", "-e", "action=stop"),
    "tunnel default": ("tunnel.yml", "-e", "client=acme"),
    "tunnel unknown": ("tunnel.yml", "-e", "client=acme", "-e", "tunnel_action=reboot", "-e", "opt_lang=fr"),
    "purge oui": ("remove_client.yml", "-e", "client=acme", "-e", "purge=oui"),
    "purge true": ("remove_client.yml", "-e", "client=acme", "-e", "purge=true"),
    "purge unknown": ("remove_client.yml", "-e", "client=acme", "-e", "purge=peut-être"),
    "routes présent": ("routes.yml", "-e", "state=présent"),
    "routes unknown": ("routes.yml", "-e", "state=latest", "-e", "opt_lang=fr"),
}


@pytest.fixture(scope="module")
def outputs(inventory):
    """Every case's -vvv output; the runs overlap (each mostly waits on its own Python start-up)."""
    def play(case):
        proc = run([BIN / "ansible-playbook", "-i", inventory, ROOT / "playbooks" / case[0], "-vvv", *case[1:]])
        return proc.stdout + proc.stderr
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(CASES, pool.map(play, CASES.values())))


@pytest.mark.parametrize("case, action", [
    ("tunnel French label", "restart"), ("tunnel -e action", "stop"), ("tunnel default", "status")])
def test_tunnel_actions_reach_the_module_canonical(outputs, case, action):
    assert f'"action": "{action}"' in outputs[case], outputs[case][-3000:]
    assert "cannot reach the Docker engine" in outputs[case]


def test_an_unknown_tunnel_action_is_refused_by_the_playbook(outputs):
    out = outputs["tunnel unknown"]
    assert "reboot : action de tunnel inconnue ; utilisez : status, start, stop, restart" in out
    assert "Docker engine" not in out


@pytest.mark.parametrize("case, purge", [("purge oui", "true"), ("purge true", "true")])
def test_purge_answers(outputs, case, purge):
    assert f'"purge": {purge}' in outputs[case], outputs[case][-3000:]


def test_a_purge_answer_neither_yes_nor_no_is_refused(outputs):
    out = outputs["purge unknown"]
    assert "peut-être: not a valid value of purge; use one of: true, false" in out
    assert "Take the Docker host's lock" not in out and "Docker engine" not in out


def test_a_french_route_state_passes_the_role_argument_spec(outputs):
    out = outputs["routes présent"]
    assert "The arg spec validation passed" in out, out[-3000:]
    assert "not a valid value of state" not in out


def test_an_unknown_route_state_is_refused(outputs):
    assert "state doit valoir present ou absent, pas latest" in outputs["routes unknown"]
