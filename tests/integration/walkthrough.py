"""The onboarding walkthrough: a new client brought in by the operator guide's own commands.

The inventory is made the way the guide tells a production operator to make one: inventories/example
copied, the example's addresses replaced by the lab's, its secrets vaulted with a vault password of
the run's own (never the lab's). Each step takes its commands and its files from the blocks of the
guide marked for it (lab/guide.py), in the language of the run, replaces the guide's example values
(the client acme, `inventories/<env>`, the prompt for the vault password) by the run's, and runs them
as an operator's shell would, from the root of the checkout.
"""
import contextlib
import io
import os
import re
import secrets
import shutil
import subprocess

import docker
import yaml

from conftest import ROOT, Run, production_environment
from lab.guide import substitute

EXAMPLE = ROOT / "inventories" / "example"
CLIENT = "nova"
# The example's addresses and names, and the lab's in their place. The host names stay: the guide's
# outputs name docker-1.coaxis.lan and erp-1.coaxis.lan.
LAB_VALUES = {
    "172.16.0.0/16": "10.128.0.0/16", "172.16.0.1": "10.128.0.1", "172.16.0.0/24": "10.128.0.0/24",
    "172.16.0.2": "10.128.0.2", "172.16.0.3": "10.128.0.3", "172.16.0.10": "10.128.0.10",
    "172.16.0.11": "10.128.0.11", "192.168.2.0/24": "10.129.0.0/24", "192.168.2.156": "10.129.0.1",
    "192.168.2.10": "10.129.0.10", "192.168.2.20": "10.129.0.20", "192.168.2.53": "10.129.0.53",
    "br-opt": "opt-clients",
    "coaxis.com": "coaxis.test",
}
# The example's second Coaxis host: the lab has one.
DROPPED = ("rds-1.coaxis.lan", "192.168.2.11")
IMAGES = {"docker-opt": "coaxis/docker-opt:lab", "opt-firewall": "coaxis/opt-firewall:lab",
          "opt-edge": "coaxis/opt-edge:lab"}
RELEASE = "registry.coaxis.lan/opt/{name}"
LAB_INVENTORY = ROOT / "inventories" / "lab"


class Shell:
    """An operator's shell on the controller: the production environment (nothing of the lab's
    vault settings), the checkout's tools first on the PATH, what the guide exports."""

    def __init__(self):
        self.env = {**production_environment(), "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                    "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
                    "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}

    def export(self, line):
        """`export NAME=value`, as the guide writes it."""
        name, _, value = line.removeprefix("export ").partition("=")
        self.env[name] = value

    def run(self, command, cwd=ROOT):
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=600)
        result = Result(command, proc)
        if os.environ.get("WALK_DUMP"):
            with open(os.environ["WALK_DUMP"], "a") as dump:
                dump.write(f"\n\n$ {command}\n{result.out}")
        return result


class Result(Run):
    """A command's result (a playbook's recap read as conftest.Run reads it), the command kept."""

    def __init__(self, command, proc):
        super().__init__(proc)
        self.command = command
        self.stdout = proc.stdout

    def changed(self, host="docker-1.coaxis.lan"):
        return super().changed(host)

    def __repr__(self):
        return f"<{self.command}: rc={self.rc}>\n{self.out[-6000:]}"


def release_images(engine, tag):
    """The lab's images under the names the example inventory gives them (a release's tag), for
    the engine the walkthrough's Docker host uses: a tag, no copy."""
    for name, lab in IMAGES.items():
        engine.images.get(lab).tag(RELEASE.format(name=name), tag)


def build_release(engine, tag):
    """A docker-opt image of another release: the lab's, with one label more (another image id)."""
    dockerfile = f"FROM {IMAGES['docker-opt']}\nLABEL coaxis.opt.walkthrough-release={tag}\n".encode()
    engine.images.build(fileobj=io.BytesIO(dockerfile), tag=f"{RELEASE.format(name='docker-opt')}:{tag}", rm=True)


def remove_release_images(engine, tags):
    for name in IMAGES:
        for tag in tags:
            with contextlib.suppress(docker.errors.ImageNotFound):
                engine.images.remove(f"{RELEASE.format(name=name)}:{tag}")


def _lab_vars(name):
    return yaml.safe_load((LAB_INVENTORY / "group_vars" / f"{name}.yml").read_text())


def lab_connection(state_dir):
    """How the lab inventory reaches its hosts, taken from it (its templates stay, resolved in the
    run): the Docker host is the machine running Ansible, in the lab's namespace, and the lab's
    engine; the Coaxis host is the lab's, over SSH with the lab's keys. No sudo: the example's
    become is for production hosts."""
    lab_all, lab_docker = _lab_vars("all"), _lab_vars("docker_hosts")
    common = {"ansible_become": False, "opt_lab_state": lab_all["opt_lab_state"]}
    docker_host = {**common, **{key: lab_docker[key] for key in
                                ("ansible_connection", "ansible_python_interpreter", "opt_docker_url")},
                   "opt_lock_dir": lab_all["opt_lock_dir"], "opt_state_dir": str(state_dir)}
    coaxis_host = {**common, **_lab_vars("coaxis_hosts"), "ansible_host": "10.129.0.10"}
    return docker_host, coaxis_host


def production_inventory(path, lang, workdir):
    """inventories/example copied, the lab's addresses in place of the example's, the example's own
    client acme left out (the walkthrough adds its own), the lab's connections, `opt_lang`."""
    shutil.copytree(EXAMPLE, path)
    (path / "host_vars" / "acme.yml").unlink()
    for file in path.rglob("*.yml"):
        text = "".join(line for line in file.read_text().splitlines(keepends=True)
                       if not any(dropped in line for dropped in DROPPED))
        file.write_text(substitute(text, LAB_VALUES))
    hosts = yaml.safe_load((path / "hosts.yml").read_text())
    hosts["all"]["children"]["opt_clients"]["hosts"].pop("acme")
    (path / "hosts.yml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    leftovers = [f"{f}: {m}" for f in path.rglob("*.yml") for m in re.findall(r"172\.16\.|192\.168\.", f.read_text())]
    assert not leftovers, f"example addresses left in the walkthrough's inventory: {leftovers}"
    all_vars = path / "group_vars" / "all.yml"
    all_vars.write_text(re.sub(r"(?m)^opt_lang: \w+$", f"opt_lang: {lang}", all_vars.read_text())
                        + f"opt_report_dir: {workdir / 'reports'}\n")
    docker_host, coaxis_host = lab_connection(workdir / "state")
    (path / "host_vars" / "docker-1.coaxis.lan.yml").write_text(yaml.safe_dump(docker_host))
    (path / "host_vars" / "erp-1.coaxis.lan.yml").write_text(yaml.safe_dump(coaxis_host))
    return path


def make_vault_password(workdir):
    password = workdir / "vault-password"
    password.write_text(secrets.token_hex(24) + "\n")
    password.chmod(0o600)
    return password


def site_container_key(engine, site, key=None, remove=None):
    """Add a public key to the authorized_keys of the site's SSH account (coaxis), or remove the
    lines that end with `remove`: the site administrator's part."""
    container = engine.containers.get(f"lab-site-{site}")
    if key:
        script = 'printf "%s\\n" "$0" >> ~coaxis/.ssh/authorized_keys'
        result = container.exec_run(["sh", "-c", script, key])
    else:
        result = container.exec_run(["sh", "-c", 'sed -i "/ $0\\$/d" ~coaxis/.ssh/authorized_keys', remove])
    assert result.exit_code == 0, result.output


def site_fingerprint(engine, site):
    """What the site's administrator reads on the server itself."""
    result = engine.containers.get(f"lab-site-{site}").exec_run(
        ["ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub"])
    assert result.exit_code == 0, result.output
    return result.output.decode().split()[1]
