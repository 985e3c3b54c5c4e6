"""The collection's whole-inventory check (``opt_inventory_errors``: the address plan, then every
family of INVENTORY_CHECKS), run on an inventory directory as the playbooks run it first.

What blocks a change: every error of the would-be inventory that is new (not in the inventory as it
is), that names the edited client, or that is host-wide (a Docker host's own variables, prefixed
``<docker host>: ``). An error that was there before and concerns another client does not block:
the change is committed and shown with a warning, since every playbook refuses to run until that
other client is fixed (the apply job then fails with that very message).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from clients import loading


def inventory_errors(root, lang, cached=False):
    """Every problem of the inventory at root, in the operator's language (the playbooks' check)."""
    from ansible_collections.coaxis.opt.plugins.filter.ipplan import inventory_errors as check
    from ansible.errors import AnsibleError
    try:
        loaded = loading.load(root, cached=cached)
        return check(loaded.groups, Memo(loaded.hostvars), lang)[0]
    except AnsibleError as exc:
        # A variable that cannot be templated (a lookup's file missing on this machine, a vault
        # secret the portal lacks): the playbooks would stop on it too. One message, blocking.
        raise Unreadable(str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__) from exc


class Unreadable(Exception):
    """The inventory cannot be read as Ansible reads it (the first line of Ansible's error)."""


class Memo:
    """Ansible's hostvars with each host's variables gathered once (every check family reads every
    client: five times the variable gathering otherwise). Values still template when read."""

    def __init__(self, hostvars):
        self.hostvars = hostvars
        self.hosts = {}

    def __getitem__(self, name):
        if name not in self.hosts:
            self.hosts[name] = self.hostvars[name]
        return self.hosts[name]

    def __contains__(self, name):
        return name in self.hostvars


_baseline = {}
_baseline_lock = threading.Lock()


def current_errors(root, state, lang):
    """inventory_errors of the committed inventory, computed once per inventory state and language."""
    key = (str(root), lang)
    with _baseline_lock:
        cached = _baseline.get(key)
        if cached and cached[0] == state:
            return cached[1]
    errors = inventory_errors(root, lang, cached=True)
    with _baseline_lock:
        _baseline[key] = (state, errors)
    return errors


def remember(root, state, lang, errors):
    """Record the errors of the inventory at root in this state (computed on its would-be copy)."""
    with _baseline_lock:
        _baseline[(str(root), lang)] = (state, list(errors))


@dataclass
class Verdict:
    blocking: list = field(default_factory=list)
    # Errors of other clients the inventory already had: shown, not blocking.
    others: list = field(default_factory=list)
    # Every error of the would-be inventory.
    after: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.blocking


def mentions(error, name):
    return re.search(r"(?<![A-Za-z0-9_-])%s(?![A-Za-z0-9_-])" % re.escape(name), error) is not None


def judge(after, before, client, docker_hosts):
    """Verdict of the would-be inventory's errors (after) against the current ones (before)."""
    verdict = Verdict()
    remaining = list(before)
    for error in after:
        known = error in remaining
        if known:
            remaining.remove(error)
        host_wide = any(error.startswith("%s: " % host) for host in docker_hosts)
        if not known or host_wide or mentions(error, client):
            verdict.blocking.append(error)
        else:
            verdict.others.append(error)
    return verdict


def plain(value):
    """A templated value as plain Python (vaulted strings decrypted), as the collection reads it."""
    from ansible_collections.coaxis.opt.plugins.module_utils._inventorycheck import plain as collection_plain
    return collection_plain(value)
