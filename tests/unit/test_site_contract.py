"""One contract for the mast site file: the collection writes sites/<name>.json with the table of
plugins/module_utils/_siteschema.py; mast (its own image, it cannot import the collection) reads
them with its own table in images/docker-opt/mast/config.py. The two tables are held equal here,
and every file the collection renders goes through mast's own validator and loader."""
import base64
import copy
import json
import struct

import pytest
from ansible_collections.coaxis.opt.plugins.module_utils import _configplan, _siteschema
from mast import config as mast_config


def host_key(fill=b"\x01"):
    name = b"ssh-ed25519"
    blob = struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + fill * 32
    return "ssh-ed25519 " + base64.b64encode(blob).decode("ascii")


ARMOUR = "OPENSSH " + "PRIVATE KEY"
PRIVATE_KEY = "-----BEGIN %s-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END %s-----\n" % (ARMOUR, ARMOUR)


def test_defaults_are_the_same():
    mast_site = dict(mast_config.SITE_DEFAULTS)
    file_only = dict((k, mast_site.pop(k)) for k in _siteschema.FILE_ONLY_DEFAULTS)
    assert mast_site == _siteschema.SITE_DEFAULTS
    assert file_only == _siteschema.FILE_ONLY_DEFAULTS
    assert mast_config.PRINTER_DEFAULTS == _siteschema.PRINTER_DEFAULTS


def test_ranges_are_the_same():
    assert mast_config.SITE_INTS == _siteschema.SITE_INTS
    assert mast_config.PRINTER_INTS == _siteschema.PRINTER_INTS
    assert tuple(mast_config.NULLABLE_INTS) == tuple(_siteschema.NULLABLE_INTS)
    assert _siteschema.SITE_INTS["upload_kbps"] == _siteschema.SITE_INTS["download_kbps"] == (1, 100000)


def test_patterns_are_the_same():
    assert mast_config.NAME_RE.pattern == _siteschema.NAME_PATTERN
    assert mast_config.HOST_RE.pattern == _siteschema.HOST_PATTERN
    assert mast_config.IPV4_LIKE_RE.pattern == _siteschema.IPV4_LIKE_PATTERN
    assert mast_config.USER_RE.pattern == _siteschema.USER_PATTERN


def test_the_collection_uses_the_table():
    assert _configplan.SITE_DEFAULTS is _siteschema.SITE_DEFAULTS
    assert _configplan.PRINTER_RANGES is _siteschema.PRINTER_INTS
    for field, bounds in _configplan.SITE_RANGES.items():
        assert _siteschema.SITE_INTS[field] == bounds


def printer(name, listen_port, **over):
    data = {"name": name, "address": "10.131.1.20", "listen_port": listen_port}
    data.update(over)
    return data


BASE_SITE = {"name": "lyon", "host": "10.130.0.10", "host_key": host_key(), "printers": [printer("accueil", 9101)]}
LOW = dict((field, low) for field, (low, _high) in _siteschema.SITE_INTS.items())
HIGH = dict((field, high) for field, (_low, high) in _siteschema.SITE_INTS.items())
CLIENTS = {
    "defaults": [BASE_SITE],
    "lowest": [dict(BASE_SITE, user="a", compression=False, printers=[printer("a0", 1024, port=1)], **LOW)],
    "highest": [dict(BASE_SITE, user="_" + "z" * 31, compression=True,
                     printers=[printer("z" * 32, 65535, port=65535, address="printer-1.lyon.example.com.")], **HIGH)],
    "several": [
        dict(BASE_SITE, host="gw.lyon.example.com", upload_kbps=64, download_kbps=2048,
             printers=[printer("accueil", 9101), printer("compta", 9102, address="10.131.1.21", port=515)]),
        dict(BASE_SITE, name="paris", host="10.130.0.11", port=2222, host_key=host_key(b"\x02"),
             printers=[printer("atelier", 9201, address="10.131.2.20")]),
        dict(BASE_SITE, name="nantes", printers=[]),
    ],
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_every_rendered_site_file_passes_mast(name, tmp_path):
    client = {"name": "acme", "private_key": PRIVATE_KEY, "sites": copy.deepcopy(CLIENTS[name])}
    assert _configplan.validate_client(client) == []
    files = _configplan.render_client(client)
    sites = dict((path, entry) for path, entry in files.items() if path.startswith(_configplan.SITES_DIR + "/"))
    assert len(sites) == len(CLIENTS[name])
    for path, entry in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(entry["content"])
    for path, entry in sites.items():
        stem = path.rsplit("/", 1)[1][:-len(".json")]
        site, errors = mast_config.validate_site(json.loads(entry["content"]), stem, path)
        assert errors == []
        assert site["name"] == stem
    loaded = mast_config.load(str(tmp_path))
    assert sorted(loaded["sites"]) == sorted(s["name"] for s in CLIENTS[name])
    for site in CLIENTS[name]:
        read = loaded["sites"][site["name"]]
        for field, default in _siteschema.SITE_DEFAULTS.items():
            assert read[field] == site.get(field, default)


@pytest.mark.parametrize("site, field", [
    (dict(BASE_SITE, upload_kbps=100001), "upload_kbps"),
    (dict(BASE_SITE, download_kbps=0), "download_kbps"),
    (dict(BASE_SITE, port=0), "port"),
    (dict(BASE_SITE, keepalive_count=101), "keepalive_count"),
    (dict(BASE_SITE, host="010.130.0.10"), "host"),
    (dict(BASE_SITE, user="Bad"), "user"),
    (dict(BASE_SITE, printers=[printer("accueil", 80)]), "listen_port"),
    (dict(BASE_SITE, printers=[printer("accueil", 9101, port=70000)]), "port"),
])
def test_what_mast_refuses_the_collection_refuses(site, field):
    """A value outside the contract is refused by both sides, never written for mast to refuse."""
    document = _configplan.site_document(site)
    _site, mast_errors = mast_config.validate_site(document, site["name"])
    assert any(field in error for error in mast_errors), mast_errors
    assert _configplan.validate_client({"name": "acme", "private_key": PRIVATE_KEY, "sites": [site]}) != []
