"""P3: a no-op re-converge of K clients against a loop of community.docker modules doing the same.

    lab/fleet.sh up 1
    python bench/community.py [--clients 100]

Measured in one run, on engine 1 of the fleet, each side starting from an engine without any
container, volume or network of ours:
  community  a playbook of community.docker (from the `ansible` package on PyPI): the client
             network (docker_network), every client's two volumes (a docker_volume loop) and its
             container (a docker_container loop: same image, static IP, mounts, capabilities and
             restart policy as ours), run twice: first, then no-op;
  ours       playbooks/site.yml --limit docker_hosts on the generated inventory, twice (network,
             volumes, configs, containers, firewall, edge: more work than the loop above; the
             second run finds the state the first recorded and stops after one read).
Prints the four wall times and P3 = community no-op / our no-op (goal >= 20). Never run by the
tests: speed is measured, not asserted.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker

import converge  # a sibling script, not a package
import fleet_inventory

ROOT = Path(__file__).resolve().parents[1]

PLAYBOOK = """
- name: The same clients with community.docker, one module call per object
  hosts: {host}
  gather_facts: false
  vars:
    bench_clients: "{{{{ groups['opt_clients'] | map('extract', hostvars) | list }}}}"
  tasks:
    - name: Client network
      community.docker.docker_network:
        docker_host: "{{{{ opt_docker_url }}}}"
        name: opt-clients
        driver_options:
          com.docker.network.bridge.name: opt-clients
        ipam_config:
          - subnet: "{{{{ opt_network.subnet }}}}"
            gateway: "{{{{ opt_network.gateway }}}}"
        labels:
          coaxis.opt.bench: raw

    - name: Client volumes
      community.docker.docker_volume:
        docker_host: "{{{{ opt_docker_url }}}}"
        name: "opt-{{{{ item.0.inventory_hostname }}}}-{{{{ item.1 }}}}"
        labels:
          coaxis.opt.bench: raw
      loop: "{{{{ bench_clients | product(['config', 'logs']) | list }}}}"
      loop_control:
        label: "{{{{ item.0.inventory_hostname }}}}-{{{{ item.1 }}}}"

    - name: Client containers
      community.docker.docker_container:
        docker_host: "{{{{ opt_docker_url }}}}"
        name: "opt-{{{{ item.inventory_hostname }}}}"
        image: "{{{{ opt_image }}}}"
        labels:
          coaxis.opt.bench: raw
        networks:
          - name: opt-clients
            ipv4_address: "{{{{ item.opt_ip }}}}"
        networks_cli_compatible: true
        network_mode: opt-clients
        mounts:
          - {{type: volume, source: "opt-{{{{ item.inventory_hostname }}}}-config", target: /etc/mast, read_only: true}}
          - {{type: volume, source: "opt-{{{{ item.inventory_hostname }}}}-logs", target: /var/log/mast}}
        cap_drop: [ALL]
        security_opts: ["no-new-privileges:true"]
        restart_policy: unless-stopped
        state: started
      loop: "{{{{ bench_clients }}}}"
      loop_control:
        label: "{{{{ item.inventory_hostname }}}}"
"""


def run_playbook(inventory_dir, playbook, *args):
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    start = time.perf_counter()
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory_dir), str(playbook),
                          *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"{playbook} failed:\n{run.stdout[-4000:]}{run.stderr[-2000:]}")
    changed = [line.split("changed=")[1].split()[0] for line in run.stdout.splitlines() if "changed=" in line]
    return took, changed[0] if changed else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    args = parser.parse_args()
    engine = docker.DockerClient(base_url=converge.ENGINE, timeout=300)
    engine.ping()
    with tempfile.TemporaryDirectory(prefix="bench-community-") as tmp:
        out = Path(tmp) / "inventory"
        subprocess.run([sys.executable, str(ROOT / "bench" / "fleet_inventory.py"), "--clients", str(args.clients),
                        "--hosts", "1", "--out", str(out)], check=True, capture_output=True)
        playbook = Path(tmp) / "community.yml"
        playbook.write_text(PLAYBOOK.format(host=fleet_inventory.host_name(1)))
        converge.clean(engine)
        theirs_first = run_playbook(out, playbook)
        theirs_noop = run_playbook(out, playbook)
        converge.clean(engine)
        state = f"opt_state_dir={Path(tmp) / 'state'}"
        ours_first = run_playbook(out, ROOT / "playbooks" / "site.yml", "--limit", "docker_hosts", "-e", state)
        ours_noop = run_playbook(out, ROOT / "playbooks" / "site.yml", "--limit", "docker_hosts", "-e", state)
        converge.clean(engine)
    print(f"clients: {args.clients} on one Docker host ({converge.ENGINE})")
    print(f"community.docker loop, first:     {theirs_first[0]:7.1f} s   changed={theirs_first[1]}")
    print(f"community.docker loop, no-op:     {theirs_noop[0]:7.1f} s   changed={theirs_noop[1]}")
    print(f"site.yml, first converge:         {ours_first[0]:7.1f} s   changed={ours_first[1]}")
    print(f"site.yml, no-op re-converge:      {ours_noop[0]:7.1f} s   changed={ours_noop[1]}")
    print(f"P3 community no-op / our no-op = {theirs_noop[0] / ours_noop[0]:.1f} (goal >= 20)")


if __name__ == "__main__":
    main()
