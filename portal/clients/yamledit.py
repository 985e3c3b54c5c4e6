"""Round-trip edits of the inventory's YAML files (ruamel.yaml): comments, key order, quoting, the
document start and ``{{ vault_... }}`` references stay as they were; only what the change names moves.

Every function here is pure over text: ``load(text) -> document``, edits on the document,
``dump(document) -> text``.
"""
from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ansible_collections.coaxis.opt.plugins.module_utils import _siteschema

# The order of a site's and a printer's keys when the portal writes a new one.
SITE_ORDER = ("name", "host", "port", "user", "host_key", "upload_kbps", "download_kbps", "keepalive_interval",
              "keepalive_count", "connect_timeout", "compression", "printers")
PRINTER_ORDER = _siteschema.PRINTER_FIELDS


class Document:
    """A YAML file as ruamel.yaml's round-trip loader reads it, with how to write it back."""

    def __init__(self, text):
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        # The project's style: mappings by 2, sequence items by 4 with the dash at 2.
        self.yaml.indent(mapping=2, sequence=4, offset=2)
        self.data = self.yaml.load(text) if text.strip() else None
        if self.data is None:
            self.data = CommentedMap()
        # A document that opens with "---" keeps it (ruamel drops it unless told).
        self.yaml.explicit_start = text.startswith("---")

    def dump(self):
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()


def load(text):
    return Document(text or "")


def _ordered(values, order):
    result = CommentedMap()
    for key in order:
        if values.get(key) is not None:
            result[key] = values[key]
    return result


class NotFound(KeyError):
    """The site or the printer the change names is not in the file."""


def sites(doc):
    value = doc.data.get("opt_sites")
    if value is None:
        value = CommentedSeq()
        doc.data["opt_sites"] = value
    return value


def find_site(doc, name):
    for site in doc.data.get("opt_sites") or []:
        if isinstance(site, dict) and site.get("name") == name:
            return site
    raise NotFound(name)


def _update(mapping, values, defaults):
    """Set the given keys in place (order kept); a None value removes the key, a value equal to the
    schema's default is written only when the key was already there."""
    for key, value in values.items():
        if value is None:
            mapping.pop(key, None)
        elif key in mapping or defaults.get(key, object()) != value:
            mapping[key] = value


def add_site(doc, values):
    site = _ordered({k: v for k, v in values.items()
                     if v is not None and _siteschema.SITE_DEFAULTS.get(k, object()) != v}, SITE_ORDER)
    sites(doc).append(site)
    return site


def edit_site(doc, name, values):
    site = find_site(doc, name)
    _update(site, values, _siteschema.SITE_DEFAULTS)
    return site


def remove_site(doc, name):
    seq = doc.data.get("opt_sites") or []
    for index, site in enumerate(seq):
        if isinstance(site, dict) and site.get("name") == name:
            del seq[index]
            return
    raise NotFound(name)


def printers(site):
    value = site.get("printers")
    if value is None:
        value = CommentedSeq()
        site["printers"] = value
    return value


def find_printer(site, name):
    for printer in site.get("printers") or []:
        if isinstance(printer, dict) and printer.get("name") == name:
            return printer
    raise NotFound(name)


def add_printer(doc, site_name, values):
    printer = _ordered({k: v for k, v in values.items()
                        if v is not None and _siteschema.PRINTER_DEFAULTS.get(k, object()) != v}, PRINTER_ORDER)
    printers(find_site(doc, site_name)).append(printer)
    return printer


def edit_printer(doc, site_name, name, values):
    printer = find_printer(find_site(doc, site_name), name)
    _update(printer, values, _siteschema.PRINTER_DEFAULTS)
    return printer


def remove_printer(doc, site_name, name):
    seq = find_site(doc, site_name).get("printers") or []
    for index, printer in enumerate(seq):
        if isinstance(printer, dict) and printer.get("name") == name:
            del seq[index]
            return
    raise NotFound(name)


def add_host_to_group(doc, group, host):
    """Add ``host`` (no variables) to ``group`` wherever the group sits under all.children."""
    found = _find_group(doc.data, group)
    if found is None:
        children = doc.data.setdefault("all", CommentedMap()).setdefault("children", CommentedMap())
        found = children.setdefault(group, CommentedMap())
    hosts = found.get("hosts")
    if hosts is None:
        hosts = found["hosts"] = CommentedMap()
    if host not in hosts:
        hosts[host] = None
    return found


def remove_host_from_group(doc, group, host):
    """Take ``host`` out of ``group`` (the group stays, even empty); False when it was not there."""
    found = _find_group(doc.data, group)
    hosts = (found or {}).get("hosts")
    if not isinstance(hosts, dict) or host not in hosts:
        return False
    del hosts[host]
    return True


def _find_group(node, group):
    """The mapping of ``group`` in a YAML inventory: a top-level key or a key under some group's children."""
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key == group:
            if value is None:
                value = node[key] = CommentedMap()
            return value if isinstance(value, dict) else None
        if isinstance(value, dict) and isinstance(value.get("children"), dict):
            found = _find_group(value["children"], group)
            if found is not None:
                return found
    return None


def group_hosts(doc, group):
    found = _find_group(doc.data, group)
    return list((found or {}).get("hosts") or [])
