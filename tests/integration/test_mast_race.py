"""A restart racing a reload (tunnel.yml and add_client.yml at once) leaves exactly one autossh
per site. mast is driven directly, as those playbooks do: `mast restart lyon` through the Docker
exec API, and at the same moment a reload of a changed lyon (`mast reload`, or SIGHUP as
`docker kill -s HUP` sends it). Bounded: ROUNDS rounds, every wait with a timeout."""
import json
import threading
import time

import pytest

from conftest import deployment_changed, ensure_deployed
from lab.paths import mast, site_config, status, two_sites_by_hand, wait_state, write_config

ROUNDS = 20

COUNT = r'''
import json, os
count = {}
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode() for a in f.read().split(b"\0") if a]
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if not argv or os.path.basename(argv[0]) != "autossh" or state in "ZX":
        continue
    sites = {a.split("/run/mast/sites/", 1)[1].split("/")[0] for a in argv if "/run/mast/sites/" in a}
    for site in sites:
        count[site] = count.get(site, 0) + 1
print(json.dumps(count))
'''


def autossh_per_site(engine):
    out = engine.containers.get("opt-acme").exec_run(["python3", "-c", COUNT]).output.decode()
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def acme(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("mast-race"))
    two_sites_by_hand(engine)
    yield engine
    write_config(engine, "acme", [site_config("lyon"), site_config("paris")])
    mast(engine, "acme", "reload")
    mast(engine, "acme", "start")
    deployment_changed()  # acme's configs written by hand


def test_restart_racing_reload_leaves_one_autossh_per_site(acme):
    assert autossh_per_site(acme) == {"lyon": 1, "paris": 1}
    container = acme.containers.get("opt-acme")
    replies = []

    def restart():
        replies.append(("restart", *mast(acme, "acme", "restart", "lyon")))

    def reload(round_no):
        if round_no % 2:
            container.kill(signal="SIGHUP")
            replies.append(("sighup", 0, ""))
        else:
            replies.append(("reload", *mast(acme, "acme", "reload")))

    for round_no in range(ROUNDS):
        # A changed lyon, so that the reload restarts it while the restart runs.
        write_config(acme, "acme", [site_config("lyon", keepalive_count=2 + round_no % 2), site_config("paris")])
        threads = [threading.Thread(target=restart), threading.Thread(target=reload, args=(round_no,))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), f"round {round_no}: mast did not answer in 60 s"
    failed = [r for r in replies if r[1] != 0]
    assert failed == [], failed

    deadline = time.monotonic() + 30
    counts = autossh_per_site(acme)
    while counts != {"lyon": 1, "paris": 1} and time.monotonic() < deadline:
        time.sleep(0.5)
        counts = autossh_per_site(acme)
    assert counts == {"lyon": 1, "paris": 1}, counts
    lyon = wait_state(acme, "acme", "lyon", "up", timeout=40)
    assert lyon["autossh_pid"] and status(acme, "acme")["paris"]["state"] == "up"
