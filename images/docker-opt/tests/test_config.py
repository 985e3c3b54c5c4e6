import json

import pytest

from mast import config


def site(**kw):
    d = {"name": "lyon", "host": "10.130.0.10",
         "printers": [{"name": "p1", "address": "10.131.1.20", "listen_port": 9102}]}
    d.update(kw)
    return d


def errs(data, stem="lyon"):
    s, e = config.validate_site(data, stem, "/etc/mast/sites/lyon.json")
    return s, e


def test_defaults_applied():
    s, e = errs(site())
    assert e == []
    assert s["port"] == 22 and s["user"] == "coaxis"
    assert s["identity_file"] == "/etc/mast/ssh/id_ed25519"
    assert s["known_hosts"] == "/etc/mast/ssh/known_hosts"
    assert s["upload_kbps"] is None and s["download_kbps"] is None
    assert (s["keepalive_interval"], s["keepalive_count"], s["connect_timeout"]) == (3, 2, 5)
    assert s["compression"] is False
    assert s["printers"][0]["port"] == 9100


@pytest.mark.parametrize("change, needle", [
    ({"name": "Lyon"}, "name:"),
    ({"name": "paris"}, "must equal the file name stem"),
    ({"name": "-lyon"}, "name:"),
    ({"host": "bad host"}, "host:"),
    ({"host": "300.1.1.1"}, "host:"),
    ({"port": 0}, "port: 0 out of range"),
    ({"port": "22"}, "port: must be an integer"),
    ({"port": True}, "port: must be an integer"),
    ({"upload_kbps": 0}, "upload_kbps: 0 out of range 1..100000"),
    ({"download_kbps": 100001}, "download_kbps: 100001 out of range 1..100000"),
    ({"download_kbps": 1.5}, "download_kbps: must be an integer or null"),
    ({"compression": "yes"}, "compression"),
    ({"identity_file": "relative/key"}, "identity_file"),
    ({"user": "Bad User"}, "user"),
    ({"keepalive_interval": 0}, "keepalive_interval"),
    ({"bandwidth": 3}, "bandwidth: unknown key"),
    ({"printers": "p1"}, "printers: missing or not a list"),
    ({"printers": [{"name": "p1", "address": "10.0.0.1"}]}, "listen_port: missing"),
    ({"printers": [{"name": "p1", "address": "10.0.0.1", "listen_port": 80}]},
     "listen_port: 80 out of range 1024..65535"),
    ({"printers": [{"name": "p1", "address": "10.0.0.1", "listen_port": 9200, "port": 0}]},
     "printers[0].port: 0 out of range"),
    ({"printers": [{"name": "p1", "address": "x y", "listen_port": 9200}]}, "address"),
    ({"printers": [{"name": "p1", "address": "a", "listen_port": 9200, "desc": "x"}]},
     "printers[0].desc: unknown key"),
    ({"printers": [{"name": "p1", "address": "a", "listen_port": 9200},
                   {"name": "p1", "address": "b", "listen_port": 9201}]}, "duplicate printer"),
    ({"printers": [{"name": "p1", "address": "a", "listen_port": 9200},
                   {"name": "p2", "address": "b", "listen_port": 9200}]},
     "listen_port 9200 used by both"),
])
def test_invalid(change, needle):
    s, e = errs(site(**change))
    assert s is None
    assert any(needle in x for x in e), e
    assert all(x.startswith("/etc/mast/sites/lyon.json: ") for x in e)


def test_missing_host():
    d = site()
    del d["host"]
    assert any("host: missing" in x for x in errs(d)[1])


def test_limits_and_hostnames_ok():
    s, e = errs(site(host="gw.lyon.example.com", upload_kbps=1, download_kbps=100000))
    assert e == [] and s["upload_kbps"] == 1


def test_global():
    g, e = config.validate_global({})
    assert g == config.GLOBAL_DEFAULTS and e == []
    g, e = config.validate_global({"listen_address": "nope", "nginx": 1, "x": 1})
    assert g is None and len(e) == 3


def write(d, name, data):
    (d / "sites").mkdir(exist_ok=True)
    (d / "sites" / f"{name}.json").write_text(json.dumps(data))


def test_load_port_conflict_across_sites(tmp_path):
    write(tmp_path, "lyon", site())
    write(tmp_path, "paris", site(name="paris", printers=[
        {"name": "big", "address": "10.131.2.20", "listen_port": 9102}]))
    with pytest.raises(config.ConfigError) as ei:
        config.load(str(tmp_path))
    msg = str(ei.value)
    assert "9102" in msg and "'lyon'" in msg and "'paris'" in msg and "'big'" in msg


def test_load_ok_and_bad_json(tmp_path):
    write(tmp_path, "lyon", site())
    (tmp_path / "mast.json").write_text('{"nginx": false}')
    cfg = config.load(str(tmp_path))
    assert list(cfg["sites"]) == ["lyon"] and cfg["global"]["nginx"] is False
    (tmp_path / "sites" / "bad.json").write_text("{")
    with pytest.raises(config.ConfigError) as ei:
        config.load(str(tmp_path))
    assert "bad.json: cannot read" in str(ei.value)


def test_empty_dir(tmp_path):
    assert config.load(str(tmp_path))["sites"] == {}


def test_diff():
    a = config.validate_site(site(), "lyon")[0]
    b = config.validate_site(site(upload_kbps=10), "lyon")[0]
    p = config.validate_site(site(name="paris"), "paris")[0]
    n = config.validate_site(site(name="nice"), "nice")[0]
    d = config.diff({"lyon": a, "paris": p}, {"lyon": b, "paris": dict(p), "nice": n})
    assert d == {"added": ["nice"], "removed": [], "changed": ["lyon"], "unchanged": ["paris"]}
    d = config.diff({"lyon": a}, {})
    assert d["removed"] == ["lyon"]


def test_a_repinned_host_key_or_a_new_client_key_changes_only_that_site(tmp_path):
    ssh = tmp_path / "ssh"
    ssh.mkdir()
    key, known = ssh / "id_ed25519", ssh / "known_hosts"
    key.write_text("key-1")
    known.write_text("10.0.0.1 ssh-ed25519 AAAA1\n[10.0.0.2]:2222 ssh-ed25519 BBBB1\n")
    files = {"identity_file": str(key), "known_hosts": str(known)}
    write(tmp_path, "lyon", site(host="10.0.0.1", **files))
    write(tmp_path, "paris", site(name="paris", host="10.0.0.2", port=2222, **files,
                                  printers=[{"name": "p2", "address": "10.131.2.20", "listen_port": 9201}]))
    before = config.load(str(tmp_path))["sites"]
    known.write_text("10.0.0.1 ssh-ed25519 AAAA2\n[10.0.0.2]:2222 ssh-ed25519 BBBB1\n")
    after = config.load(str(tmp_path))["sites"]
    assert config.diff(before, after)["changed"] == ["lyon"]
    key.write_text("key-2")
    assert config.diff(after, config.load(str(tmp_path))["sites"])["changed"] == ["lyon", "paris"]


@pytest.mark.parametrize("change, needle", [
    ({"name": "lyon\n"}, "name:"),
    ({"host": "gw.lyon.example.com\n"}, "host:"),
    ({"host": "10.130.0.10\n"}, "host:"),
    ({"user": "coaxis\n"}, "user:"),
    ({"printers": [{"name": "p1\n", "address": "10.131.1.20", "listen_port": 9102}]}, "printers[0].name:"),
    ({"printers": [{"name": "p1", "address": "printer.example.com\n", "listen_port": 9102}]},
     "printers[0].address:"),
])
def test_trailing_newline_refused(change, needle):
    # "$" accepts a trailing newline; every pattern is used with fullmatch.
    s, e = errs(site(**change), stem=change.get("name", "lyon"))
    assert s is None
    assert any(needle in x for x in e), e
