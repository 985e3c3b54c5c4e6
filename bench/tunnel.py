"""Tunnel benchmark on the lab: prints numbers and ratios measured in one run, asserts nothing.

    lab/engine.sh exec -- .venv/bin/python bench/tunnel.py [--seconds 20]

Needs the lab (`make lab`) and client acme added (`make demo`); the Coaxis host's route is left as
found (open after `make demo`). Measures:
  - shaped throughput / limit at 16 KiB/s, 256 KiB/s and 8 MiB/s       (goal 0.97-1.02)
  - unshaped tunnel (mast relay + ssh) / plain `ssh -L` on the same path  (goal >= 0.9)
  - a 1 KiB job's latency while a big job saturates its site at 16 KiB/s (goal <= 2 s)
  - reconnect time after the site's sshd is killed and started again     (goal <= 5 s)
"""
import argparse
import threading
import time

import docker

from lab.paths import coaxis_path_opened, mast, send_job, site_config, wait_state, write_config
from lab.probes import iptables

ACME = "10.128.0.10"
KIB = 1024


def configure(engine, lyon_up=None):
    write_config(engine, "acme", [site_config("lyon", upload_kbps=lyon_up), site_config("paris")])
    mast(engine, "acme", "reload")
    wait_state(engine, "acme", "lyon", "up", timeout=40)


def shaped(engine, rate_kib, seconds):
    configure(engine, rate_kib)
    sent = send_job(engine, ACME, 9101, rate_kib * KIB * seconds, timeout=seconds * 4)
    return sent["bytes"] / sent["elapsed"] / (rate_kib * KIB)


PLAIN_PORT = 19100
# The firewall opens a client's listen ports only: the baseline's port is opened the same way
# for its run, first in the chain, and the rule removed after.
PLAIN_RULE = ["COAXIS-OPT", "-d", ACME, "-p", "tcp", "--dport", str(PLAIN_PORT), "-j", "ACCEPT"]


def delivered(sent, size):
    """A transfer's rate, or an error: a refused or cut transfer is not a number to compare."""
    if sent.get("error") or sent.get("closed") != "normal" or sent["bytes"] != size:
        raise SystemExit(f"transfer failed: {sent}")
    return sent["bytes"] / sent["elapsed"]


def plain_ssh_throughput(engine, size):
    """The same path without mast: ssh -L in acme's container, straight to the printer."""
    container = engine.containers.get("opt-acme")
    iptables("-I", *PLAIN_RULE[:1], "1", *PLAIN_RULE[1:])
    container.exec_run(["sh", "-c", "ssh -f -N -o ExitOnForwardFailure=yes -o BatchMode=yes "
                        "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/mast/ssh/known_hosts "
                        "-i /etc/mast/ssh/id_ed25519 -L 0.0.0.0:19100:10.131.1.20:9100 coaxis@10.130.0.10"])
    try:
        time.sleep(1)
        sent = send_job(engine, ACME, PLAIN_PORT, size, timeout=120)
    finally:
        container.exec_run(["pkill", "-f", "0.0.0.0:19100"])
        iptables("-D", *PLAIN_RULE, check=False)
    return delivered(sent, size)


def small_job_latency(engine, seconds):
    configure(engine, 16)
    big = threading.Thread(target=send_job, args=(engine, ACME, 9101, 16 * KIB * seconds, seconds * 4))
    big.start()
    time.sleep(3)
    small = send_job(engine, ACME, 9102, KIB, timeout=30)
    big.join(timeout=seconds * 4)
    return small["elapsed"]


def reconnect_time(engine):
    configure(engine)
    site = engine.containers.get("lab-site-lyon")
    site.kill()
    wait_state(engine, "acme", "lyon", "connecting", timeout=20)
    site.start()
    started = time.monotonic()
    wait_state(engine, "acme", "lyon", "up", timeout=60)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each shaped transfer")
    args = parser.parse_args()
    engine = docker.from_env()
    with coaxis_path_opened(engine):
        try:
            measure(engine, args.seconds)
        finally:
            configure(engine)


def measure(engine, seconds):
    """Every measure, printed as a table."""
    rows = []
    for rate in (16, 256, 8192):
        rows.append((f"shaped {rate} KiB/s: delivered / limit", shaped(engine, rate, seconds), "0.97-1.02"))
    configure(engine)
    size = 128 * KIB * KIB
    tunnel = send_job(engine, ACME, 9101, size, timeout=120)
    tunnel_rate = delivered(tunnel, size)
    plain_rate = plain_ssh_throughput(engine, size)
    rows.append((f"unshaped tunnel {tunnel_rate / KIB / KIB:.0f} MiB/s / plain ssh -L "
                 f"{plain_rate / KIB / KIB:.0f} MiB/s", tunnel_rate / plain_rate, ">= 0.9"))
    rows.append(("1 KiB job under 16 KiB/s saturation (s)", small_job_latency(engine, seconds), "<= 2"))
    rows.append(("reconnect after sshd restart (s)", reconnect_time(engine), "<= 5"))
    for label, value, goal in rows:
        print(f"{label:<60} {value:8.3f}   goal {goal}")


if __name__ == "__main__":
    main()
