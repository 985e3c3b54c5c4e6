"""A change of the inventory, all or nothing: edit the files (round-trip), check the would-be inventory
with the collection's own whole-inventory check, write, commit with the portal user as author, push.

    result = apply_change(client, user, message, edit, lang)

``edit(read)`` gets ``read(relative path) -> current text or None`` and returns
``{relative path: new text}``; it runs under the inventory's lock, so it sees the latest files.
A refusal (``Refused``) leaves the files, git and the database as they were.
"""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from clients import checks
from clients.inventory import DOCKER_HOST_GROUP, _state

# How long a writer waits for another one (seconds), and git's own bound.
LOCK_WAIT = 60
GIT_TIMEOUT = 60
LOCK_NAME = "opt-portal-inventory.lock"


class Refused(Exception):
    """The change is invalid: the collection's messages, in the user's language."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class Busy(Exception):
    """Another writer held the inventory longer than LOCK_WAIT."""


class GitError(Exception):
    """git refused (the files were put back as they were)."""


@dataclass
class Committed:
    sha: str
    diff: str
    files: list
    # Errors of other clients the inventory already had (not blocking, see checks.judge).
    warnings: list = field(default_factory=list)
    # Why the push failed (the commit is kept), or None.
    push_error: str = None


def git(top, *args, env=None, check=True):
    result = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True, timeout=GIT_TIMEOUT,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise GitError("git %s: %s" % (args[0], (result.stderr or result.stdout).strip()))
    return result.stdout


class _Lock:
    """An exclusive lock file in the inventory's git directory, waited for at most LOCK_WAIT seconds."""

    def __init__(self, git_dir):
        self.path = Path(git_dir) / LOCK_NAME

    def __enter__(self):
        self.handle = open(self.path, "a+")
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    raise Busy(str(self.path))
                time.sleep(0.1)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


VAULT_LINE = re.compile(r"^([+-])(\s*)([0-9a-f]{16,}|\$ANSIBLE_VAULT;.*)$")
SECRET_LINE = re.compile(r"PRIVATE KEY|^[+-]\s*[A-Za-z0-9+/=]{60,}$")
KEY_BEGIN = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
KEY_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")
KEY_BODY = re.compile(r"^[+-]\s*[A-Za-z0-9+/=]+$")


def mask(diff):
    """The diff with vaulted ciphertext and private-key material replaced by a marker (one per run).

    A private key is masked from its BEGIN line to its END line whole: its last base64 line is
    shorter than the others and would not look like a secret on its own."""
    out, masked, in_key = [], False, False
    for line in diff.splitlines():
        changed = line[:1] in "+-" and not line.startswith(("+++ ", "--- "))
        begins = changed and KEY_BEGIN.search(line)
        in_key = in_key and changed and bool(KEY_BODY.match(line) or KEY_END.search(line))
        if changed and (in_key or begins or VAULT_LINE.match(line) or SECRET_LINE.search(line)):
            in_key = (in_key or bool(begins)) and not KEY_END.search(line)
            if not masked:
                out.append("%s    (secret masked)" % line[0])
            masked = True
            continue
        masked = in_key = False
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def _author(user):
    name = (getattr(user, "name", "") or getattr(user, "email", "") or "portal").replace("<", "").replace(">", "")
    email = (getattr(user, "email", "") or "portal@%s" % settings.PORTAL_DOMAIN).replace("<", "").replace(">", "")
    return "%s <%s>" % (name, email)


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".%s.portal-tmp" % path.name)
    tmp.write_text(text)
    os.replace(tmp, path)


def _overlay(root, target, changed):
    """target: the inventory at root as links, real directories only on the way to a changed file
    (500 clients cost 500 links, not 1000 file copies)."""
    target.mkdir()
    parts = {Path(rel).parts for rel in changed}
    for entry in sorted(root.iterdir()):
        if entry.name == ".git" or entry.name.endswith(".portal-tmp"):
            continue
        inner = [p[1:] for p in parts if p[0] == entry.name]
        if not inner:
            os.symlink(entry, target / entry.name)
        elif entry.is_dir() and all(inner):
            _overlay(entry, target / entry.name, [str(Path(*p)) for p in inner])
        # else: a changed file, written by the caller
    for rel in changed:  # changed files in directories the inventory does not have yet
        (target / rel).parent.mkdir(parents=True, exist_ok=True)


def check_only(root, new_files, client, lang):
    """The verdict on the inventory at root with new_files written over it (nothing touched)."""
    from clients import loading
    with tempfile.TemporaryDirectory(prefix="opt-portal-check-") as tmp:
        copy = Path(tmp) / Path(root).name
        _overlay(Path(root), copy, list(new_files))
        for rel, text in new_files.items():
            target = copy / rel
            if text is None:
                target.unlink(missing_ok=True)
            else:
                _write(target, text)
        after = checks.inventory_errors(copy, lang)
    before = checks.current_errors(root, _state(Path(root)), lang)
    docker_hosts = loading.load(root).groups.get(DOCKER_HOST_GROUP, [])
    verdict = checks.judge(after, before, client, docker_hosts)
    verdict.after = after
    return verdict


def apply_change(client, user, message, edit, lang, root=None):
    root = Path(root or settings.PORTAL_INVENTORY).resolve()
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    git_dir = Path(git(root, "rev-parse", "--absolute-git-dir").strip())
    with _Lock(git_dir):
        def read(rel):
            path = root / rel
            return path.read_text() if path.is_file() else None

        wanted = edit(read)
        new_files = {rel: text for rel, text in wanted.items() if read(rel) != text}
        if not new_files:
            return None
        try:
            verdict = check_only(root, new_files, client, lang)
        except checks.Unreadable as exc:
            raise Refused([str(exc)]) from exc
        if not verdict.ok:
            raise Refused(verdict.blocking)
        old = {rel: read(rel) for rel in new_files}
        paths = [str((root / rel).relative_to(top)) for rel in new_files]
        try:
            for rel, text in new_files.items():
                if text is None:
                    (root / rel).unlink(missing_ok=True)
                else:
                    _write(root / rel, text)
            git(top, "add", "-A", "--", *paths)
            env = {"GIT_COMMITTER_NAME": "Coaxis OPT portal",
                   "GIT_COMMITTER_EMAIL": "portal@%s" % settings.PORTAL_DOMAIN}
            git(top, "commit", "-q", "--no-verify", "--author", _author(user), "-m", message, "--", *paths, env=env)
        except (GitError, OSError, subprocess.TimeoutExpired):
            for rel, text in old.items():
                if text is None:
                    (root / rel).unlink(missing_ok=True)
                else:
                    _write(root / rel, text)
            git(top, "reset", "-q", "--", *paths, check=False)
            raise
        # The would-be inventory is now the inventory: its errors are the next change's baseline.
        checks.remember(root, _state(root), lang, verdict.after)
        sha = git(top, "rev-parse", "HEAD").strip()
        diff = mask(git(top, "show", "--format=", sha, "--", *paths))
        pushed = None
        if settings.PORTAL_GIT_REMOTE:
            try:
                git(top, "push", "-q", settings.PORTAL_GIT_REMOTE, "HEAD")
            except (GitError, subprocess.TimeoutExpired) as exc:
                pushed = str(exc)  # the commit stays; the next push carries it
    return Committed(sha=sha, diff=diff, files=paths, warnings=verdict.others, push_error=pushed)
