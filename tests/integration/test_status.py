"""playbooks/status.yml on the lab: what the operator reads in the report is what is really broken.

acme has two sites; for these tests site paris's gateway is stopped and printer compta's sink
(lab-printer-lyon-2) is stopped, so lyon is up with one printer up and one down, paris is
unreachable and its printer unknown. The HTML report is opened in headless Chromium.
"""
import json
import re
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from conftest import Inventory, ensure_deployed
from lab.paths import printer_jobs, wait_state

WRITTEN = {"en": re.compile(r"status report written: (\S+\.html) \(and (\S+\.json)\)"),
           "fr": re.compile(r"rapport d'état écrit : (\S+\.html) \(et (\S+\.json)\)")}
STOPPED = ("lab-site-paris", "lab-printer-lyon-2")
# The report's state colours (module_utils/_report.py COLOURS), as RGB.
GREEN, RED = (0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)
PAGE_SIZE = (1280, 900)


@pytest.fixture(scope="module")
def broken(engine, tmp_path_factory):
    """acme (and globex) converged and up, then paris's gateway and compta's sink stopped; restarted at the end."""
    ensure_deployed(engine, tmp_path_factory.mktemp("status-deployed"))
    inventory = Inventory(tmp_path_factory.mktemp("status") / "inventory")
    for site in ("lyon", "paris"):
        wait_state(engine, "acme", site, "up")
    try:
        for name in STOPPED:
            engine.containers.get(name).stop(timeout=5)
        # The tunnel notices after its keepalives (about 6 s): the report then says degraded.
        wait_state(engine, "acme", "paris", "connecting", timeout=30)
        yield inventory
    finally:
        for name in STOPPED:
            engine.containers.get(name).start()
        wait_state(engine, "acme", "paris", "up", timeout=60)


def status_run(inventory, tmp_path, lang=None):
    run = inventory.playbook("status.yml", "-e", "client=acme", "-e", f"opt_report_dir={tmp_path}", lang=lang)
    assert run.rc == 0, run
    found = WRITTEN[lang or "en"].findall(run.out)
    assert len(found) == 1, run
    html, json_path = (Path(p) for p in found[0])
    assert html.parent == tmp_path and re.fullmatch(r"status-\d{8}T\d{6}Z\.html", html.name)
    return run, html, json.loads(json_path.read_text())


@pytest.fixture(scope="module")
def english(broken, engine, tmp_path_factory):
    before = printer_jobs(engine, "10.131.1.20")
    tmp_path = tmp_path_factory.mktemp("report-en")
    run, html, report = status_run(broken, tmp_path)
    return {"run": run, "html": html, "report": report, "jobs_before": before, "dir": tmp_path}


def by_name(items, key, name):
    return next(item for item in items if item[key] == name)


def test_the_json_says_exactly_what_is_broken(english):
    assert english["run"].changed() == 0 and english["run"].recap["lab-docker-host"]["failed"] == 0
    report = english["report"]
    assert [c["client"] for c in report["clients"]] == ["acme"]
    acme = report["clients"][0]
    assert acme["container_state"] == "running" and acme["service"] == "degraded" and acme["error"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", acme["checked_at"])
    lyon, paris = by_name(acme["sites"], "site", "lyon"), by_name(acme["sites"], "site", "paris")
    assert lyon["state"] == "up" and lyon["tcp"]["state"] == "up" and lyon["ping"]["state"] == "up"
    accueil, compta = by_name(lyon["printers"], "name", "accueil"), by_name(lyon["printers"], "name", "compta")
    assert (accueil["state"], accueil["error"], accueil["listen_port"]) == ("up", None, 9101)
    assert compta["state"] == "down" and compta["listen_port"] == 9102
    # The site's own sshd says why, or (its ARP entry for the vanished printer still stale)
    # its connect is still pending when the probe's time box ends.
    assert compta["error"] in ("connect failed: No route to host",
                               "no answer from 10.131.1.21:9100 at the site within 8 s"), compta
    assert paris["tcp"]["state"] == "down"
    assert paris["tcp"]["error"] in ("timed out after 3 s", "Connection refused", "No route to host"), paris
    assert paris["ping"]["state"] == "down"
    atelier = by_name(paris["printers"], "name", "atelier")
    assert atelier["state"] == "unknown" and atelier["error"].startswith("ssh: ")
    assert report["printer_states"] == {"up": 1, "down": 1, "unknown": 1}


def test_probes_print_nothing_and_need_no_capability(english, engine):
    assert printer_jobs(engine, "10.131.1.20") == english["jobs_before"]
    host = engine.containers.get("opt-acme").attrs["HostConfig"]
    assert host["Sysctls"] == {"net.ipv4.ping_group_range": "0 2147483647"}
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]


def chromium(*args, timeout=90):
    with tempfile.TemporaryDirectory(prefix="coaxis-chromium-") as profile:
        proc = subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                               f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def state_of(dom, attribute, value):
    """The state badge (class, text) in the row of a site or printer."""
    row = re.search(r'<tr class="[a-z]+" %s="%s">(.*?)</tr>' % (attribute, re.escape(value)), dom, re.S).group(1)
    return re.findall(r'<span class="state state-([a-z]+)" data-state="[a-z]+">([^<]+)</span>', row), row


def test_chromium_shows_the_three_states_and_the_error(english):
    dom = chromium("--dump-dom", english["html"].as_uri())
    assert "<title>OPT status</title>" in dom and "Checked at " + english["report"]["checked_at"] in dom
    badges, _ = state_of(dom, "data-printer", "lyon/accueil")
    assert badges == [("up", "up")]
    badges, row = state_of(dom, "data-printer", "lyon/compta")
    compta = by_name(by_name(english["report"]["clients"][0]["sites"], "site", "lyon")["printers"], "name", "compta")
    assert badges == [("down", "down")] and compta["error"] in row
    badges, _ = state_of(dom, "data-printer", "paris/atelier")
    assert badges == [("unknown", "unknown")]
    badges, row = state_of(dom, "data-site", "paris")
    assert ("down", "down") in badges and "TCP: " in row


def png_pixels(path):
    """(width, height, set of RGB) of an 8-bit RGB or RGBA PNG, decoded with zlib alone."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack("!I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack("!IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    previous, colours = bytearray(stride), set()
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        colours.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp))
        previous = line
    return width, height, colours


def test_the_screenshot_has_the_page_size_and_the_green_and_red(english):
    shot = english["dir"] / "status.png"
    chromium(f"--screenshot={shot}", "--window-size=%d,%d" % PAGE_SIZE, "--hide-scrollbars",
             english["html"].as_uri())
    width, height, colours = png_pixels(shot)
    assert (width, height) == PAGE_SIZE
    assert bytes(GREEN) in colours and bytes(RED) in colours


def test_a_french_run_shows_french_labels(broken, tmp_path):
    run, html, report = status_run(broken, tmp_path, lang="fr")
    assert "acme : service dégradé ; sites actifs " in run.out
    dom = chromium("--dump-dom", html.as_uri())
    assert '<html lang="fr">' in dom and "<title>État OPT</title>" in dom and "Vérifié le " in dom
    assert "Dernière erreur" in dom and "Port d'écoute" in dom
    badges, _ = state_of(dom, "data-printer", "lyon/accueil")
    assert badges == [("up", "actif")]
    badges, _ = state_of(dom, "data-printer", "lyon/compta")
    assert badges == [("down", "en panne")]
    assert report["lang"] == "fr"
