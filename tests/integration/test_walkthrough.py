"""A brand-new client, nova, onboarded from a production-style inventory by the guide's own commands,
in the guide's order, in English and in French; each step's output checked for what the guide says
the operator will see (walkthrough.py, lab/guide.py).
"""
import re

import pytest
import yaml

from conftest import ROOT, EngineSnapshot, clean_engine, config_files, container_ip, deployment_changed, lab_address
from lab.guide import missing, steps, substitute
from lab.paths import (COAXIS_HOST, LAB_STATE, coaxis_route, open_coaxis_path, printer_jobs, remove_coaxis_routes,
                       send_job, wait_job)
from walkthrough import (CLIENT, LAB_VALUES, RELEASE, Shell, build_release, make_vault_password,
                         production_inventory, release_images, remove_release_images, site_container_key,
                         site_fingerprint)

SITES = {"lyon": "10.130.0.10", "paris": "10.130.0.11"}
JOBS = {"10.131.1.20": 9101, "10.131.1.21": 9102, "10.131.2.20": 9201}
TAGS = ("0.1.0", "0.2.0")


class Walk:
    """The state of one walkthrough: the guide's blocks in its language and what replaces the
    guide's example values."""

    def __init__(self, lang, engine, workdir):
        self.lang = lang
        self.engine = engine
        self.guide = steps(lang)
        self.workdir = workdir
        self.shell = Shell()
        self.inventory = workdir / "inventory"
        self.values = {**LAB_VALUES, "acme": CLIENT, "inventories/<env>": str(self.inventory),
                       "/srv/coaxis-opt/reports": str(workdir / "reports")}

    def text(self, name):
        return substitute(self.guide.block(name).text, self.values)

    def command(self, name, contains="", without=(), extra=None):
        return substitute(self.guide.command(name, contains, without), {**self.values, **(extra or {})})

    def run(self, name, contains="", without=(), extra=None, cwd=ROOT):
        """The one command of the block that `contains` (and none of `without`) picks; it must succeed."""
        return self._succeeds(name, self.command(name, contains, without, extra), cwd)

    def script(self, name, extra=None, cwd=ROOT):
        """The whole block, as one shell script; it must succeed."""
        return self._succeeds(name, substitute(self.guide.block(name).text, {**self.values, **(extra or {})}), cwd)

    def _succeeds(self, name, command, cwd):
        result = self.shell.run(command, cwd)
        assert result.rc == 0, f"{self.lang}: step {name}: {result!r}"
        return result

    def shows(self, name, result, only=""):
        """Every line the guide shows for this step (those holding `only`), in the run's output."""
        expected = [substitute(line, self.values) for line in self.guide.expected(name) if only in line]
        assert expected, f"{self.lang}: step {name}: the guide shows no line with {only!r}"
        absent = missing(expected, result.out)
        assert not absent, f"{self.lang}: step {name}: the guide shows {absent}, the run printed:\n{result.out[-6000:]}"


@pytest.fixture
def walk(request, engine, tmp_path):
    lab_address("10.129.0.10")
    for host in SITES.values():
        lab_address(host)
    clean_engine(engine)
    # A Coaxis host that has no route to the client network yet, as on a first install.
    route_before = coaxis_route(engine)
    remove_coaxis_routes(engine.containers.get(COAXIS_HOST))
    release_images(engine, TAGS[0])
    build_release(engine, TAGS[1])
    walk = Walk(request.param, engine, tmp_path)
    try:
        yield walk
    finally:
        for site in SITES:
            site_container_key(engine, site, remove=f"opt-{CLIENT}")
        clean_engine(engine)
        remove_release_images(engine, TAGS)
        remove_coaxis_routes(engine.containers.get(COAXIS_HOST))
        if route_before is not None:
            open_coaxis_path(engine)
        deployment_changed()


def prepare_inventory(walk):
    """The production inventory and its secrets, as the guide's Secrets and Subdomain pages say."""
    password = make_vault_password(walk.workdir)
    walk.shell.export(walk.command("vault-file", "export", extra={"/etc/coaxis-opt/vault-password": str(password)}))
    production_inventory(walk.inventory, walk.lang, walk.workdir)
    docker_vars = walk.inventory / "group_vars" / "docker_hosts.yml"
    prompt = {"prod@prompt": f"prod@{password}"}
    tls = LAB_STATE / "tls"
    for name, file in (("vault_opt_tls_key", tls / "wildcard.key"), ("vault_opt_tls_cert", tls / "wildcard.crt")):
        vaulted = walk.run("vault-value", "encrypt_string",
                           extra={**prompt, "vault_opt_tls_key": name, "wildcard.key": str(file)}, cwd=walk.workdir)
        docker_vars.write_text(docker_vars.read_text() + vaulted.stdout)
    vaulted = walk.run("signing-secret", "encrypt_string", extra=prompt, cwd=walk.workdir)
    docker_vars.write_text(docker_vars.read_text() + vaulted.stdout)
    assert "$ANSIBLE_VAULT;1.2;AES256;prod" in docker_vars.read_text()


def declare_client(walk):
    """Add a client, step 1: the client in hosts.yml, its main.yml."""
    block = yaml.safe_load(walk.text("declare-client"))
    new = block["all"]["children"]["opt_clients"]["hosts"]
    hosts_file = walk.inventory / "hosts.yml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts["all"]["children"]["opt_clients"]["hosts"].update(new)
    hosts_file.write_text(yaml.safe_dump(hosts, sort_keys=False))
    folder = walk.inventory / "host_vars" / CLIENT
    folder.mkdir()
    (folder / "main.yml").write_text(walk.text("client-vars"))


def no_key_yet(walk):
    """Declared, no key yet: every playbook refuses, naming the line, and changes nothing."""
    snapshot = EngineSnapshot(walk.engine)
    refused = walk.shell.run(walk.command("add-client", "--check"))
    assert refused.rc != 0, refused
    walk.shows("no-key-yet", refused)
    snapshot.assert_unchanged()


def make_key(walk):
    """SSH keys: site_key.yml makes and vaults the key, prints the public key; a second run the same."""
    first = walk.run("site-key", "site_key.yml", without=("--vault-id",))
    walk.shows("site-key", first)
    vault = walk.inventory / "host_vars" / CLIENT / "vault.yml"
    assert vault.read_text().count("$ANSIBLE_VAULT;") == 1 and "PRIVATE KEY" not in vault.read_text()
    public = re.search(rf"ssh-ed25519 [A-Za-z0-9+/=]+ opt-{CLIENT}\b", first.out)
    assert public, first
    before = vault.read_text()
    again = walk.run("site-key", "site_key.yml", without=("--vault-id",))
    assert public[0] in again.out and vault.read_text() == before, again
    assert "PRIVATE KEY" not in first.out + again.out
    return public[0]


def pin_host_keys(walk):
    """SSH keys, pinning: ssh-keyscan, the fingerprint compared with the site's own, then host_key."""
    keys = {}
    for site, host in SITES.items():
        scan = walk.script("host-key-scan", cwd=walk.workdir, extra={"10.130.0.10": host, "lyon": site})
        public = (walk.workdir / f"{site}.pub").read_text().split()
        fingerprint = re.search(r"SHA256:\S+", scan.out)
        assert fingerprint and fingerprint[0] == site_fingerprint(walk.engine, site), scan
        keys[site] = " ".join(public[1:3])
    return keys


def declare_sites(walk, host_keys):
    """Add a site: the guide's declaration, each site's host_key the one just pinned."""
    sites_text = walk.text("sites")
    example_keys = {site["name"]: site["host_key"] for site in yaml.safe_load(sites_text)["opt_sites"]}
    sites_text = substitute(sites_text, {example_keys[site]: key for site, key in host_keys.items()})
    main = walk.inventory / "host_vars" / CLIENT / "main.yml"
    assert main.read_text().count("opt_sites: []") == 1
    main.write_text(main.read_text().replace("opt_sites: []\n", sites_text))


def add_client(walk):
    """Add a client, step 3: look (nothing changes), then apply; a second run changes nothing."""
    snapshot = EngineSnapshot(walk.engine)
    look = walk.run("add-client", "--check")
    snapshot.assert_unchanged()
    assert look.changed() > 0, look
    assert re.search(rf"(added|ajoutés) ?: {CLIENT}\b", look.out), f"the firewall's summary: {look!r}"
    # A first look on a new Docker host: what the run will create is no problem to act on.
    assert not re.search(r"create it first|créez-le d'abord|None", look.out), look
    apply = walk.run("add-client", "add_client.yml", without=("--check",))
    walk.shows("add-client", apply)
    container = walk.engine.containers.get(f"opt-{CLIENT}")
    assert container_ip(container)[0] == "10.128.0.11"
    again = walk.run("add-client", "add_client.yml", without=("--check",))
    assert again.changed() == 0, again


def print_a_job(walk):
    """Routes, then a job from the Coaxis host to each printer, checked byte for byte at the printer."""
    routes = walk.run("routes", "routes.yml", without=("state=absent",))
    walk.shows("routes", routes)
    for printer, port in JOBS.items():
        before = printer_jobs(walk.engine, printer)
        sent = send_job(walk.engine, "10.128.0.11", port, 64 * 1024)
        assert sent.get("closed") == "normal", (printer, port, sent)
        received = wait_job(walk.engine, printer, before)
        assert list(received.values()) == [sent["sha256"]], (printer, sent, received)


def status(walk):
    report = walk.run("status", "status.yml", without=(" -e ",))
    walk.shows("status-file", report)
    walk.shows("status", report)
    assert list((walk.workdir / "reports").glob("status-*.html"))


def restart_tunnel(walk):
    restart = walk.run("tunnel", "tunnel_action=restart")
    assert restart.changed() == 1, restart
    walk.shows("tunnel", restart, only="/lyon")
    state = walk.run("tunnel", "tunnel_action=status")
    walk.shows("tunnel", state)


def upgrade(walk):
    """Upgrade: the new tag in the Docker hosts' group_vars, look, then roll out."""
    docker_vars = walk.inventory / "group_vars" / "docker_hosts.yml"
    text, count = re.subn(r"(?m)^opt_image: .*\n", walk.text("upgrade-image"), docker_vars.read_text())
    assert count == 1
    docker_vars.write_text(text)
    snapshot = EngineSnapshot(walk.engine)
    walk.run("upgrade", "--check")
    snapshot.assert_unchanged()
    rollout = walk.run("upgrade", "upgrade.yml", without=("--check", " -e "))
    walk.shows("upgrade", rollout)
    container = walk.engine.containers.get(f"opt-{CLIENT}")
    assert container.image.tags == [f"{RELEASE.format(name='docker-opt')}:{TAGS[1]}"]
    again = walk.run("upgrade", "upgrade.yml", without=("--check", " -e "))
    assert again.recap and all(host["changed"] == 0 for host in again.recap.values()), again
    assert walk.engine.containers.get(f"opt-{CLIENT}").id == container.id


def remove_and_add_back(walk):
    """Remove a client (look, then remove: its volumes stay), then add it back with its data."""
    data = config_files(walk.engine)
    snapshot = EngineSnapshot(walk.engine)
    walk.run("remove-client", "--check")
    snapshot.assert_unchanged()
    removed = walk.run("remove-client", "remove_client.yml", without=("--check",))
    walk.shows("remove-client", removed)
    assert not walk.engine.containers.list(all=True, filters={"name": f"opt-{CLIENT}"})
    assert {v.name for v in walk.engine.volumes.list()} >= {f"opt-{CLIENT}-config", f"opt-{CLIENT}-logs"}
    back = walk.run("add-back")
    assert config_files(walk.engine) == data
    assert container_ip(walk.engine.containers.get(f"opt-{CLIENT}"))[0] == "10.128.0.11", back


def drift(walk):
    report = walk.run("drift", "drift.yml", without=("prune",))
    walk.shows("drift", report)
    assert report.changed() == 0, report


@pytest.mark.parametrize("walk", ["en", "fr"], indirect=True)
def test_a_new_client_is_onboarded_by_the_guide_as_written(walk):
    prepare_inventory(walk)
    declare_client(walk)
    no_key_yet(walk)
    public_key = make_key(walk)
    for site in SITES:
        site_container_key(walk.engine, site, key=public_key)
    declare_sites(walk, pin_host_keys(walk))
    add_client(walk)
    print_a_job(walk)
    status(walk)
    restart_tunnel(walk)
    upgrade(walk)
    remove_and_add_back(walk)
    drift(walk)
