"""A fleet: K clients over N Docker hosts, first converge and no-op re-converge, with forks.

    lab/fleet.sh up 5
    python bench/fleet.py [--clients 500 --hosts 5 --forks 5]

Measured in one run on engines 1..N of the fleet, starting from engines without any container,
volume or network of ours: playbooks/site.yml --limit docker_hosts with --forks F on a generated
inventory (bench/fleet_inventory.py, clients spread round-robin), then the same command again
(nothing to change: each Docker host stops after one read), then once more without the recorded
state (every step of every host compares). Prints the wall times and their ratios to the first
converge. Never run by the tests: speed is measured, not asserted.

--no-healthcheck gives the clients an image of their own, coaxis/docker-opt:lab with HEALTHCHECK
NONE (built in each engine from the lab image, nothing pulled): every health check is an exec
in the container (about 0.15 s of CPU for the engine, runc and the check), and 500 of them a
minute, with the clients' own idle load, take more than the two cores of these machines.
"""
import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker

import converge  # a sibling script, not a package
import fleet_inventory

ROOT = Path(__file__).resolve().parents[1]


NO_HEALTHCHECK_IMAGE = "coaxis/docker-opt:bench-no-healthcheck"


def without_healthcheck(engine):
    """The lab's docker-opt image with its health check off, built in the engine from the image it has."""
    dockerfile = b"FROM coaxis/docker-opt:lab\nHEALTHCHECK NONE\n"
    engine.images.build(fileobj=io.BytesIO(dockerfile), tag=NO_HEALTHCHECK_IMAGE, rm=True, pull=False)
    return NO_HEALTHCHECK_IMAGE


def failure(line):
    """A fatal line of the output, shortened to its host and message (the result can be megabytes)."""
    head, _, body = line.partition("=> ")
    try:
        return f"{head}=> {json.loads(body).get('msg', body[:2000])}"
    except ValueError:
        return line[:2000]


def site(inventory_dir, state_dir, forks):
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    start = time.perf_counter()
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory_dir),
                          str(ROOT / "playbooks" / "site.yml"), "--limit", "docker_hosts", "--forks", str(forks),
                          "-e", f"opt_state_dir={state_dir}"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=7200)
    took = time.perf_counter() - start
    if run.returncode != 0:
        lines = run.stdout.splitlines()
        failures = [failure(line) for line in lines if line.startswith(("fatal:", "failed:"))]
        sys.exit("site.yml failed after %.0f s:\n%s\n%s%s" % (took, "\n".join(failures), run.stdout[-1500:],
                                                               run.stderr[-1500:]))
    changed = sum(int(line.split("changed=")[1].split()[0]) for line in run.stdout.splitlines() if "changed=" in line)
    return took, changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--forks", type=int, default=5)
    parser.add_argument("--no-healthcheck", action="store_true",
                        help="clients without the image's health check (see above)")
    args = parser.parse_args()
    engines = [docker.DockerClient(base_url=fleet_inventory.engine_url(i), timeout=300)
               for i in range(1, args.hosts + 1)]
    for engine in engines:
        engine.ping()
    image = "coaxis/docker-opt:lab"
    if args.no_healthcheck:
        for engine in engines:
            image = without_healthcheck(engine)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        out = Path(tmp) / "inventory"
        subprocess.run([sys.executable, str(ROOT / "bench" / "fleet_inventory.py"), "--clients", str(args.clients),
                        "--hosts", str(args.hosts), "--out", str(out), "--image", image],
                       check=True, capture_output=True)
        for engine in engines:
            converge.clean(engine)
        state = Path(tmp) / "state"
        first = site(out, state, args.forks)
        noop = site(out, state, args.forks)
        shutil.rmtree(state)
        full = site(out, state, args.forks)
        for engine in engines:
            converge.clean(engine)
    print(f"clients: {args.clients} over {args.hosts} Docker hosts, forks {args.forks}, image {image}")
    print(f"site.yml, first converge:        {first[0]:7.1f} s   changed={first[1]}")
    print(f"site.yml, no-op re-converge:     {noop[0]:7.1f} s   changed={noop[1]}   (state recorded: one read a host)")
    print(f"site.yml, no-op without state:   {full[0]:7.1f} s   changed={full[1]}   (every step compares)")
    print(f"no-op / first = {noop[0] / first[0]:.3f}; without state {full[0] / first[0]:.3f}")


if __name__ == "__main__":
    main()
