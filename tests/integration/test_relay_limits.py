"""mast's relay under a real flood in the lab: from the Coaxis host, more connections than the
printer's cap to acme's listen port. The excess is refused at once, the printer still gets a
normal job afterwards. Bounded: cap + 20 connections, every wait with a timeout, lab addresses."""
import json
import time

import pytest

from conftest import deployment_changed, ensure_deployed, lab_address
from lab.paths import (COAXIS_HOST, close_coaxis_path, mast, open_coaxis_path, printer_jobs, send_job,
                       status, two_sites_by_hand, wait_job, wait_state)

ACME = "10.128.0.10"
PRINTER, PRINTER_IP, PORT = "accueil", "10.131.1.20", 9101

FLOOD = r'''
import json, socket, sys, time
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks, outcome = [], {"open": 0, "reset": 0, "closed": 0, "error": 0}
for _ in range(count):
    try:
        socks.append(socket.create_connection((host, port), timeout=5))
    except ConnectionResetError:   # reset before connect() returned: the relay was that quick
        outcome["reset"] += 1
    except OSError:
        outcome["error"] += 1
    time.sleep(0.02)   # in order: the first ones take the slots
time.sleep(1.0)        # the relay resets the excess at once
for s in socks:
    s.settimeout(0.5)
    try:
        outcome["closed" if s.recv(1) == b"" else "open"] += 1
    except socket.timeout:
        outcome["open"] += 1
    except ConnectionResetError:
        outcome["reset"] += 1
    except OSError:
        outcome["error"] += 1
for s in socks:
    s.close()
print(json.dumps(outcome))
'''


def relay_constant(engine, name):
    out = engine.containers.get("opt-acme").exec_run(
        ["python3", "-c", f"from mast import relay; print(relay.{name})"],
        environment={"PYTHONPATH": "/usr/lib/mast"}).output.decode().strip().splitlines()
    try:
        return int(float(out[-1]))
    except (IndexError, ValueError):
        return None


@pytest.fixture(scope="module")
def acme(engine, tmp_path_factory):
    ensure_deployed(engine, tmp_path_factory.mktemp("relay-limits"))
    two_sites_by_hand(engine)
    open_coaxis_path(engine)
    yield engine
    close_coaxis_path(engine)
    deployment_changed()  # acme's configs written by hand


def flood(engine, count):
    result = engine.containers.get(COAXIS_HOST).exec_run(["timeout", "60", "python3", "-c", FLOOD,
                                                          lab_address(ACME), str(PORT), str(count)])
    assert result.exit_code == 0, result.output.decode()[-2000:]
    return json.loads(result.output.decode().strip().splitlines()[-1])


def test_a_flood_beyond_the_printer_cap_is_refused_and_the_printer_still_prints(acme):
    # Before: a job passes (the probe that is refused below first succeeds).
    before = printer_jobs(acme, PRINTER_IP)
    sent = send_job(acme, ACME, PORT, 256 * 1024, timeout=60)
    assert sent.get("closed") == "normal" and list(wait_job(acme, PRINTER_IP, before).values()) == [sent["sha256"]]

    cap = relay_constant(acme, "MAX_PER_PRINTER") or 16
    refused_before = status(acme, "acme")["lyon"]["printers"][0].get("refused", 0)
    outcome = flood(acme, cap + 20)
    assert outcome == {"open": cap, "reset": 20, "closed": 0, "error": 0}, (cap, outcome)
    accueil = {p["name"]: p for p in wait_state(acme, "acme", "lyon", "up")["printers"]}[PRINTER]
    assert accueil["refused"] - refused_before == 20, accueil

    # After the flood (its connections closed), a normal job still arrives byte-identical.
    deadline = time.monotonic() + 30
    while {p["name"]: p for p in status(acme, "acme").get("lyon", {}).get("printers", [])}.get(
            PRINTER, {}).get("connections") != 0:
        assert time.monotonic() < deadline, "the flood's connections did not end"
        time.sleep(0.3)
    before = printer_jobs(acme, PRINTER_IP)
    sent = send_job(acme, ACME, PORT, 1024 * 1024, timeout=60)
    assert sent.get("closed") == "normal", sent
    assert list(wait_job(acme, PRINTER_IP, before).values()) == [sent["sha256"]]
    code, out = mast(acme, "acme", "status", "lyon")
    assert code == 0, out
