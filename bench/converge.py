"""P1 and P2: converging K clients on one Docker host of the lab fleet, against a raw SDK script.

    lab/fleet.sh up 1
    python bench/converge.py [--clients 100]

Measured in one run, on engine 1 of the fleet (unix:///run/coaxis-fleet-1/docker.sock), each
step starting from an engine without any container, volume or network of ours:
  baseline  a sequential docker SDK script creates the client network, then per client its two
            volumes and its container (same image, same static IP, same mounts), and starts it;
  first     ansible-playbook playbooks/site.yml --limit docker_hosts on a generated inventory
            (bench/fleet_inventory.py): network, volumes, configs, containers, firewall, edge;
  no-op     the same command again (nothing to change): the state site.yml recorded lets it stop
            after one read (coaxis.opt.opt_state);
  no-op without state  once more after deleting that state: every step compares and changes nothing.
Prints the wall times, P1 = first / baseline (goal <= 1.0) and P2 = no-op / first (goal <= 0.05),
with and without the state. Never run by the tests: speed is measured, not asserted.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import yaml

import fleet_inventory  # a sibling script, not a package

ROOT = Path(__file__).resolve().parents[1]

ENGINE = fleet_inventory.engine_url(1)
IMAGE = "coaxis/docker-opt:lab"
MANAGED = "coaxis.opt.managed-by=coaxis-opt"
BENCH = "coaxis.opt.bench=raw"


def clean(engine):
    """Everything of ours and of the baseline off the engine (bounded by the engine's own timeouts)."""
    for label in (MANAGED, BENCH):
        for container in engine.containers.list(all=True, filters={"label": label}):
            container.remove(force=True)
    for network in engine.networks.list(names=["opt-clients"]):
        network.remove()
    for label in (MANAGED, BENCH):
        for volume in engine.volumes.list(filters={"label": label}):
            volume.remove(force=True)


def baseline(engine, inventory):
    """The same containers, created and started one after the other with the docker SDK."""
    host = inventory["hosts.yml"]["all"]["children"]["docker_hosts"]["hosts"][fleet_inventory.host_name(1)]
    net = host["opt_network"]
    clients = inventory["hosts.yml"]["all"]["children"]["opt_clients"]["hosts"]
    start = time.perf_counter()
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=net["subnet"], gateway=net["gateway"])])
    engine.networks.create("opt-clients", driver="bridge", ipam=ipam, labels={"coaxis.opt.bench": "raw"},
                           options={"com.docker.network.bridge.name": "opt-clients"})
    for name, spec in clients.items():
        for kind in ("config", "logs"):
            engine.volumes.create(f"opt-{name}-{kind}", labels={"coaxis.opt.bench": "raw"})
        container = engine.containers.create(
            IMAGE, name=f"opt-{name}", labels={"coaxis.opt.bench": "raw"}, network="opt-clients",
            networking_config={"opt-clients": engine.api.create_endpoint_config(ipv4_address=spec["opt_ip"])},
            volumes={f"opt-{name}-config": {"bind": "/etc/mast", "mode": "ro"},
                     f"opt-{name}-logs": {"bind": "/var/log/mast", "mode": "rw"}},
            cap_drop=["ALL"], security_opt=["no-new-privileges:true"], restart_policy={"Name": "unless-stopped"})
        container.start()
    return time.perf_counter() - start


def converge(inventory_dir, state_dir):
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    start = time.perf_counter()
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory_dir),
                          str(ROOT / "playbooks" / "site.yml"), "--limit", "docker_hosts",
                          "-e", f"opt_state_dir={state_dir}"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"site.yml failed:\n{run.stdout[-4000:]}{run.stderr[-2000:]}")
    recap = [line for line in run.stdout.splitlines() if "changed=" in line]
    return took, recap


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    args = parser.parse_args()
    engine = docker.DockerClient(base_url=ENGINE, timeout=300)
    engine.ping()
    with tempfile.TemporaryDirectory(prefix="bench-converge-") as tmp:
        out = Path(tmp) / "inventory"
        subprocess.run([sys.executable, str(ROOT / "bench" / "fleet_inventory.py"), "--clients", str(args.clients),
                        "--hosts", "1", "--out", str(out)], check=True, capture_output=True)
        inventory = {"hosts.yml": yaml.safe_load((out / "hosts.yml").read_text())}
        clean(engine)
        raw = baseline(engine, inventory)
        clean(engine)
        state = Path(tmp) / "state"
        first, recap_first = converge(out, state)
        noop, recap_noop = converge(out, state)
        shutil.rmtree(state)
        full, recap_full = converge(out, state)
        clean(engine)
    changed = [recap[0].split(":", 1)[1].split()[1] for recap in (recap_first, recap_noop, recap_full)]
    print(f"clients: {args.clients} on one Docker host ({ENGINE})")
    print(f"baseline, sequential docker SDK: {raw:7.1f} s")
    print(f"site.yml, first converge:        {first:7.1f} s   {changed[0]}")
    print(f"site.yml, no-op re-converge:     {noop:7.1f} s   {changed[1]}   (state recorded: one read)")
    print(f"site.yml, no-op without state:   {full:7.1f} s   {changed[2]}   (every step compares)")
    print(f"P1 first / baseline = {first / raw:.2f} (goal <= 1.0)")
    print(f"P2 no-op / first    = {noop / first:.3f} (goal <= 0.05); without state {full / first:.3f}")


if __name__ == "__main__":
    main()
