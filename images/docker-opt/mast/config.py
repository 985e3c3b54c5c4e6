"""Configuration: load and validate /etc/mast (pure, no side effects besides reading)."""

import hashlib
import ipaddress
import json
import os
import re

# The contract of a site file. The collection that writes these files keeps the same table
# (coaxis.opt plugins/module_utils/_siteschema.py); tests/unit/test_site_contract.py holds the two
# equal. Patterns are used with fullmatch ("$" would accept a trailing newline).
NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
HOST_RE = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")
IPV4_LIKE_RE = re.compile(r"[0-9.]+")

SITE_DEFAULTS = {
    "port": 22,
    "user": "coaxis",
    "identity_file": "/etc/mast/ssh/id_ed25519",
    "known_hosts": "/etc/mast/ssh/known_hosts",
    "upload_kbps": None,
    "download_kbps": None,
    "keepalive_interval": 3,
    "keepalive_count": 2,
    "connect_timeout": 5,
    "compression": False,
}
PRINTER_DEFAULTS = {"port": 9100}
GLOBAL_DEFAULTS = {
    "listen_address": "0.0.0.0",
    "nginx": True,
    "log_max_bytes": 1024 * 1024,
    "log_backups": 2,
}
# field -> (min, max) for integers
NULLABLE_INTS = ("upload_kbps", "download_kbps")
SITE_INTS = {
    "port": (1, 65535),
    "upload_kbps": (1, 100000),
    "download_kbps": (1, 100000),
    "keepalive_interval": (1, 3600),
    "keepalive_count": (1, 100),
    "connect_timeout": (1, 300),
}
PRINTER_INTS = {"port": (1, 65535), "listen_port": (1024, 65535)}
GLOBAL_INTS = {"log_max_bytes": (4096, 1 << 30), "log_backups": (0, 100)}
USER_RE = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")


class ConfigError(Exception):
    """The configuration is invalid; .errors lists every problem."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def valid_host(v):
    if not isinstance(v, str) or not v:
        return False
    try:
        return ipaddress.ip_address(v).version == 4
    except ValueError:
        pass
    if IPV4_LIKE_RE.fullmatch(v):  # looks like a (bad) IPv4 address
        return False
    return bool(HOST_RE.fullmatch(v))


def _check_int(err, where, field, v, lo, hi, nullable=False):
    if v is None and nullable:
        return
    if not _is_int(v):
        err(f"{where}{field}: must be an integer{' or null' if nullable else ''}, got {v!r}")
    elif not lo <= v <= hi:
        err(f"{where}{field}: {v} out of range {lo}..{hi}")


def validate_site(data, stem, fname="<site>"):
    """Validate one site document. Returns (site dict with defaults, errors list)."""
    errors = []

    def err(msg):
        errors.append(f"{fname}: {msg}")

    if not isinstance(data, dict):
        err("top level must be a JSON object")
        return None, errors
    allowed = set(SITE_DEFAULTS) | {"name", "host", "printers"}
    for k in sorted(set(data) - allowed):
        err(f"{k}: unknown key")
    site = dict(SITE_DEFAULTS)
    site.update({k: v for k, v in data.items() if k in allowed})
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        err(f"name: {name!r} must match {NAME_RE.pattern}")
    elif name != stem:
        err(f"name: {name!r} must equal the file name stem {stem!r}")
    if "host" not in data:
        err("host: missing")
    elif not valid_host(data["host"]):
        err(f"host: {data['host']!r} is not a hostname or IPv4 address")
    for field, (lo, hi) in SITE_INTS.items():
        _check_int(err, "", field, site[field], lo, hi, nullable=field in NULLABLE_INTS)
    if not isinstance(site["user"], str) or not USER_RE.fullmatch(site["user"]):
        err(f"user: {site['user']!r} is not a valid user name")
    for field in ("identity_file", "known_hosts"):
        v = site[field]
        if not isinstance(v, str) or not v.startswith("/") or "\n" in v or " " in v:
            err(f"{field}: {v!r} must be an absolute path without spaces")
    if not isinstance(site["compression"], bool):
        err(f"compression: must be true or false, got {site['compression']!r}")
    printers = data.get("printers")
    if not isinstance(printers, list):
        err("printers: missing or not a list")
        printers = []
    out, seen = [], set()
    for i, p in enumerate(printers):
        where = f"printers[{i}]."
        if not isinstance(p, dict):
            err(f"printers[{i}]: must be an object")
            continue
        for k in sorted(set(p) - {"name", "address", "port", "listen_port"}):
            err(f"{where}{k}: unknown key")
        pr = dict(PRINTER_DEFAULTS)
        pr.update({k: v for k, v in p.items() if k in ("name", "address", "port", "listen_port")})
        pn = pr.get("name")
        if not isinstance(pn, str) or not NAME_RE.fullmatch(pn):
            err(f"{where}name: {pn!r} must match {NAME_RE.pattern}")
        elif pn in seen:
            err(f"{where}name: duplicate printer name {pn!r}")
        else:
            seen.add(pn)
        if "address" not in pr:
            err(f"{where}address: missing")
        elif not valid_host(pr["address"]):
            err(f"{where}address: {pr['address']!r} is not a hostname or IPv4 address")
        if "listen_port" not in pr:
            err(f"{where}listen_port: missing")
        for field, (lo, hi) in PRINTER_INTS.items():
            if field in pr:
                _check_int(err, where, field, pr[field], lo, hi)
        out.append(pr)
    site["printers"] = out
    if not errors:
        ports = {}
        for p in out:
            if p["listen_port"] in ports:
                err(f"printers: listen_port {p['listen_port']} used by both "
                    f"{ports[p['listen_port']]!r} and {p['name']!r}")
            ports[p["listen_port"]] = p["name"]
    return (site if not errors else None), errors


def validate_global(data, fname="mast.json"):
    errors = []
    if not isinstance(data, dict):
        return None, [f"{fname}: top level must be a JSON object"]
    for k in sorted(set(data) - set(GLOBAL_DEFAULTS)):
        errors.append(f"{fname}: {k}: unknown key")
    g = dict(GLOBAL_DEFAULTS)
    g.update({k: v for k, v in data.items() if k in GLOBAL_DEFAULTS})
    try:
        if ipaddress.ip_address(g["listen_address"]).version != 4:
            raise ValueError
    except (ValueError, TypeError):
        errors.append(f"{fname}: listen_address: {g['listen_address']!r} is not an IPv4 address")
    if not isinstance(g["nginx"], bool):
        errors.append(f"{fname}: nginx: must be true or false, got {g['nginx']!r}")
    for field, (lo, hi) in GLOBAL_INTS.items():
        _check_int(errors.append, f"{fname}: ", field, g[field], lo, hi)
    return (g if not errors else None), errors


def port_conflicts(sites):
    """Listen ports must be unique across all sites. sites: {name: site}."""
    errors, owner = [], {}
    for sname in sorted(sites):
        for p in sites[sname]["printers"]:
            lp = p["listen_port"]
            if lp in owner:
                os_, op = owner[lp]
                errors.append(f"listen_port {lp} conflict: site {os_!r} printer {op!r} "
                              f"and site {sname!r} printer {p['name']!r}")
            else:
                owner[lp] = (sname, p["name"])
    return errors


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def credentials_digest(site):
    """Digest of what authenticates a site's session besides its JSON: the client key and the
    site's lines of the pinned known_hosts. A re-pinned host key or a new client key then
    changes the site's hash, so a reload restarts that site (and only that one)."""
    digest = hashlib.sha256(_read_bytes(site["identity_file"]))
    host, port = site["host"], site["port"]
    name = host if port == 22 else f"[{host}]:{port}"
    for line in _read_bytes(site["known_hosts"]).decode("utf-8", "replace").splitlines():
        fields = line.split()
        if fields and name in fields[0].split(","):
            digest.update(line.encode())
    return digest.hexdigest()[:16]


def site_hash(site):
    blob = json.dumps(site, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load(config_dir):
    """Read <config_dir>/mast.json and <config_dir>/sites/*.json.

    Returns {"global": {...}, "sites": {name: site}}; raises ConfigError."""
    errors = []
    gpath = os.path.join(config_dir, "mast.json")
    g = dict(GLOBAL_DEFAULTS)
    if os.path.exists(gpath):
        try:
            g, errs = validate_global(_read_json(gpath), gpath)
            errors += errs
        except (OSError, ValueError) as e:
            errors.append(f"{gpath}: cannot read: {e}")
    sdir = os.path.join(config_dir, "sites")
    sites = {}
    try:
        names = sorted(os.listdir(sdir))
    except FileNotFoundError:
        names = []
    except OSError as e:
        errors.append(f"{sdir}: cannot list: {e}")
        names = []
    for fn in names:
        if not fn.endswith(".json") or fn.startswith("."):
            continue
        path = os.path.join(sdir, fn)
        try:
            data = _read_json(path)
        except (OSError, ValueError) as e:
            errors.append(f"{path}: cannot read: {e}")
            continue
        site, errs = validate_site(data, fn[:-5], path)
        errors += errs
        if site:
            site["_credentials"] = credentials_digest(site)
            sites[site["name"]] = site
    errors += port_conflicts(sites)
    if errors:
        raise ConfigError(errors)
    return {"global": g, "sites": sites}


def diff(old_sites, new_sites):
    """Which sites changed between two {name: site} maps.

    Returns dict added/removed/changed/unchanged -> sorted name lists."""
    o, n = set(old_sites), set(new_sites)
    both = o & n
    changed = {s for s in both if site_hash(old_sites[s]) != site_hash(new_sites[s])}
    return {"added": sorted(n - o), "removed": sorted(o - n),
            "changed": sorted(changed), "unchanged": sorted(both - changed)}


def load_global(config_dir):
    """mast.json alone (defaults if absent or invalid): used when the sites are invalid."""
    try:
        g, errs = validate_global(_read_json(os.path.join(config_dir, "mast.json")))
    except (OSError, ValueError):
        return dict(GLOBAL_DEFAULTS)
    return g if g and not errs else dict(GLOBAL_DEFAULTS)
