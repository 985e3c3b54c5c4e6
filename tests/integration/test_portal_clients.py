"""The portal's clients app against the lab engine: the host-key scan through the Docker host (a
one-shot helper container, host network, removed after), a client the portal creates (no site
yet) accepted by add_client.yml, and the pages themselves (portal_clients_flow.py) on a git copy
of the lab inventory: a site pinned after a real scan, a client created then shown running."""
import json
import os
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from conftest import ROOT, lab_address

if not settings.configured:
    # The scan's messages without the portal's catalogs (English): no Django project needed here.
    settings.configure(USE_I18N=False, PROJECT_DIR=ROOT, PORTAL_INVENTORY=ROOT / "inventories" / "lab")

# The portal's app, imported once Django's settings are there.
from clients import engines, keys

LYON = "10.130.0.10"
IMAGE = "coaxis/docker-opt:lab"


def lab_engine():
    return engines.Engine(url=os.environ.get("DOCKER_HOST", "unix:///run/coaxis-lab/docker.sock"), image=IMAGE)


def helpers(engine):
    return engine.containers.list(all=True, filters={"label": "coaxis.opt.portal-helper=hostkey-scan"})


def test_scan_through_the_docker_host_finds_the_pinned_key(engine):
    pinned = yaml.safe_load((ROOT / "inventories/lab/host_vars/acme/main.yml").read_text())["opt_sites"][0]
    assert pinned["host"] == LYON
    key = engines.scan_host_key(lab_engine(), lab_address(LYON), 22, "en")
    assert key == pinned["host_key"]
    assert helpers(engine) == []


def test_scan_of_an_address_without_sshd_is_a_clear_error(engine):
    # The Coaxis LAN's gateway (the Docker host itself in the lab) answers no SSH on port 2222.
    address = lab_address("10.129.0.1")
    with pytest.raises(engines.EngineError) as error:
        engines.scan_host_key(lab_engine(), address, 2222, "en")
    assert "No SSH server answered at 10.129.0.1 port 2222" in str(error.value)
    assert helpers(engine) == []


def test_a_client_made_as_the_portal_makes_it_passes_add_client(engine, inventory):
    """opt_sites: [] and a vaulted key of its own: the whole-inventory check and add_client.yml accept it."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    private, _public = keys.new_key("opt-bare")
    secret = VaultSecret((inventory.path / "vault-password.txt").read_bytes().strip())
    ciphertext = VaultLib([("lab", secret)]).encrypt(private.encode(), secret=secret, vault_id="lab").decode()
    inventory.add_client("bare", opt_ip="10.128.0.40", opt_subdomain="bare",
                         opt_private_key="{{ vault_opt_private_key }}", opt_sites=[])
    folder = inventory.path / "host_vars" / "bare"
    folder.mkdir()
    (inventory.path / "host_vars" / "bare.yml").rename(folder / "main.yml")
    (folder / "vault.yml").write_text("vault_opt_private_key: !vault |\n"
                                      + "".join("          %s\n" % line for line in ciphertext.splitlines()))
    try:
        run = inventory.playbook("add_client.yml", "-e", "client=bare")
        assert run.rc == 0, run
        container = engine.containers.get("opt-bare")
        assert container.status == "running"
        assert container.attrs["NetworkSettings"]["Networks"]["opt-clients"]["IPAddress"] == "10.128.0.40"
        again = inventory.playbook("add_client.yml", "-e", "client=bare")
        assert again.rc == 0 and again.changed() == 0, again
    finally:
        inventory.playbook("remove_client.yml", "-e", "client=bare", "-e", "purge=true")


def flow(copy, data, step):
    """One step of portal_clients_flow.py (the portal's pages, its own process): what they showed."""
    # The checkout's venv python: its coaxis-opt.pth names this checkout's portal/ and collections/.
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "tests" / "integration" /
                          "portal_clients_flow.py"), str(copy), str(data), step], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture
def inventory_repo(tmp_path):
    """A copy of the lab inventory in a git repository of its own (the portal commits there)."""
    copy = tmp_path / "repo" / "inventory"
    shutil.copytree(ROOT / "inventories" / "lab", copy)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "lab inventory"]):
        subprocess.run(["git", *args], cwd=copy.parent, check=True, capture_output=True)
    return copy


def test_pages_pin_the_scanned_key_and_refuse_an_address_without_sshd(inventory_repo, tmp_path):
    lab_address(LYON)
    seen = flow(inventory_repo, tmp_path / "data", "site")
    pinned = yaml.safe_load((ROOT / "inventories/lab/host_vars/acme/main.yml").read_text())["opt_sites"][0]["host_key"]
    keygen = subprocess.run(["ssh-keygen", "-lf", "/dev/stdin"], input=pinned, capture_output=True, text=True,
                            check=True).stdout.split()[1]
    assert seen["fingerprint"] == [keygen] and seen["scanned"] == [pinned], seen
    assert seen["confirm"] == 302
    sites = yaml.safe_load((inventory_repo / "host_vars/acme/main.yml").read_text())["opt_sites"]
    assert {"name": "nantes", "host": LYON, "host_key": pinned} in sites
    assert "No SSH server answered at 10.129.0.1 port 2222" in seen["no_sshd"][0] and not seen["no_sshd_confirm"]


def test_a_client_created_in_the_pages_runs_and_shows_running(engine, inventory_repo, tmp_path):
    data = tmp_path / "data"
    created = flow(inventory_repo, data, "create")
    assert created["status"] == 302 and created["public_key"][0].startswith("ssh-ed25519 "), created
    env = {**os.environ, "ANSIBLE_VAULT_IDENTITY_LIST": f"lab@{inventory_repo / 'vault-password.txt'}",
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    playbook = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory_repo)]
    try:
        run = subprocess.run(playbook + [str(ROOT / "playbooks" / "add_client.yml"), "-e", "client=zenith"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-3000:]
        container = engine.containers.get("opt-zenith")
        rows = {name: (state, ip, short) for name, state, ip, short in flow(inventory_repo, data, "list")["rows"]}
        ip = container.attrs["NetworkSettings"]["Networks"]["opt-clients"]["IPAddress"]
        assert rows["zenith"] == ("running", ip, container.id[:12]), rows
        assert rows["acme"][0] in ("running", "absent", "stopped")
    finally:
        subprocess.run(playbook + [str(ROOT / "playbooks" / "remove_client.yml"), "-e", "client=zenith", "-e",
                                   "purge=true"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
