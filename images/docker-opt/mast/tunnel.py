"""One site: its autossh process, the state machine fed by ssh's stderr."""

import asyncio
import datetime
import logging
import logging.handlers
import os
import re
import signal
import time

from mast.shaper import AsyncShaper

log = logging.getLogger("mast.tunnel")

BACKOFF_MIN, BACKOFF_MAX, BACKOFF_RESET_UP = 0.5, 30.0, 60.0
AUTOSSH_RE = re.compile(r"^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?autossh\[(\d+)\]: (.*)$")
PERMANENT = [
    "REMOTE HOST IDENTIFICATION HAS CHANGED",
    "Host key verification failed",
    "No ED25519 host key is known",
    "host key is known for",
    "Permission denied (",
    "Could not resolve hostname",
    "Identity file",              # "Warning: Identity file X not accessible: ..."
    "UNPROTECTED PRIVATE KEY FILE",
    "bad permissions",
    "Load key",
    "no such identity",
]
TRANSIENT = [
    "Connection refused",
    "Timeout, server not responding",
    "Connection closed by",
    "Connection timed out",
    "No route to host",
    "Network is unreachable",
    "Connection reset by",
    "Broken pipe",
    "Could not request local forwarding",
    "Address already in use",
    "kex_exchange_identification",
    "ssh_dispatch_run_fatal",
    "client_loop: send disconnect",
    "Connection to ",
]


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def classify(line):
    """'permanent', 'transient' or None for one line of ssh stderr."""
    for p in PERMANENT:
        if p in line:
            return "permanent"
    for p in TRANSIENT:
        if p in line:
            return "transient"
    return None


class TunnelState:
    """Pure state machine: connecting / up / down / stopped."""

    def __init__(self, now):
        self.state = "stopped"
        self.since = now
        self.last_error = None
        self.authenticated = False
        self.ssh_pid = None
        self.autossh_pid = None
        self.attempt_error = None      # (kind, message) of the current ssh attempt
        self.up_since = None
        self.halting = False           # stopped on purpose: its processes ending is no error

    def _set(self, state, now):
        if state != self.state:
            self.state = state
            self.since = now
            self.up_since = now if state == "up" else None

    def started(self, autossh_pid, now):
        self.autossh_pid = autossh_pid
        self.halting = False
        self._new_attempt()
        if self.state != "down":
            self._set("connecting", now)

    def _new_attempt(self):
        self.authenticated = False
        self.ssh_pid = None
        self.attempt_error = None

    def halt(self):
        """A stop or a restart is under way: ssh and autossh going away is what was asked, not
        an error to show as the site's last one."""
        self.halting = True

    def feed(self, line, now):
        line = line.strip().strip("@").strip()
        if not line or self.halting:
            return
        m = AUTOSSH_RE.match(line)
        if m:
            msg = m.group(2)
            cm = re.match(r"ssh child pid is (\d+)", msg)
            if cm:
                self.ssh_pid = int(cm.group(1))
            elif msg.startswith("starting ssh"):
                self._new_attempt()
            elif msg.startswith("ssh exited") or "ssh died" in msg:
                self._ssh_exited(msg, now)
            return
        if line.startswith("Authenticated to "):
            self.authenticated = True
            self.attempt_error = None
            return
        kind = classify(line)
        if kind is None:
            return
        if self.attempt_error and self.attempt_error[0] == "permanent":
            return  # keep the first, most precise permanent message
        self.attempt_error = (kind, line)
        self.last_error = line
        if kind == "permanent":
            self._set("down", now)
        elif self.state in ("up", "down"):
            self._set("connecting", now)

    def _ssh_exited(self, msg, now):
        self.authenticated = False
        self.ssh_pid = None
        kind = self.attempt_error[0] if self.attempt_error else None
        if kind is None:
            self.last_error = f"ssh exited: {msg}"
        if self.state == "stopped":
            return
        self._set("down" if kind == "permanent" else "connecting", now)

    def autossh_exited(self, rc, now, stopping=False):
        self.authenticated = False
        self.ssh_pid = None
        self.autossh_pid = None
        if stopping:
            self._set("stopped", now)
            return
        if not self.attempt_error:
            self.last_error = f"autossh exited with status {rc}"
        self._set("down" if self.state == "down" else "connecting", now)

    def stop(self, now):
        self._set("stopped", now)

    def evaluate(self, now, ssh_alive, sockets_ok):
        if self.state == "stopped" or self.halting:
            return
        if self.authenticated and ssh_alive and sockets_ok:
            self._set("up", now)
        elif self.state == "up":
            self.last_error = ("ssh process gone" if not ssh_alive
                               else "forward socket missing")
            self._set("connecting", now)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def build_command(site, sockdir):
    argv = ["autossh", "-M", "0", "-N",
            "-o", "ExitOnForwardFailure=yes",
            "-o", f"ConnectTimeout={site['connect_timeout']}",
            "-o", f"ServerAliveInterval={site['keepalive_interval']}",
            "-o", f"ServerAliveCountMax={site['keepalive_count']}",
            "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={site['known_hosts']}",
            "-o", "IdentitiesOnly=yes",
            "-o", f"IdentityFile={site['identity_file']}",
            "-o", "BatchMode=yes",
            "-o", "LogLevel=VERBOSE",
            "-o", "StreamLocalBindUnlink=yes",
            "-o", "StreamLocalBindMask=0177"]
    if site["compression"]:
        argv.append("-C")
    argv += ["-p", str(site["port"])]
    for p in site["printers"]:
        argv += ["-L", f"{sockdir}/{p['name']}.sock:{p['address']}:{p['port']}"]
    argv.append(f"{site['user']}@{site['host']}")
    return argv


def build_env(base=None):
    env = {k: v for k, v in (base if base is not None else os.environ).items()
           if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({"AUTOSSH_GATETIME": "0", "AUTOSSH_POLL": "30",
                "AUTOSSH_LOGFILE": "/dev/stderr"})
    return env


def site_logger(name, log_dir, max_bytes, backups):
    lg = logging.getLogger(f"mast.site.{name}")
    lg.propagate = False
    for h in list(lg.handlers):
        lg.removeHandler(h)
        h.close()
    lg.setLevel(logging.INFO)
    try:
        os.makedirs(log_dir, exist_ok=True)
        h = logging.handlers.RotatingFileHandler(
            os.path.join(log_dir, f"{name}.log"), maxBytes=max_bytes, backupCount=backups)
        fmt = logging.Formatter("%(asctime)s.%(msecs)03dZ %(message)s", "%Y-%m-%dT%H:%M:%S")
        fmt.converter = time.gmtime
        h.setFormatter(fmt)
        lg.addHandler(h)
    except OSError as e:
        log.warning("site %s: cannot open its log in %s: %s", name, log_dir, e)
    return lg


class Tunnel:
    """Keeps one autossh running for a site; what the relays of that site use."""

    def __init__(self, site, run_dir, log_dir, gconf, command=None):
        self.conf = site
        self.name = site["name"]
        self.sockdir = os.path.join(run_dir, "sites", self.name)
        self.st = TunnelState(time.time())
        self.logger = site_logger(self.name, log_dir, gconf["log_max_bytes"],
                                  gconf["log_backups"])
        self.command = command or build_command(site, self.sockdir)
        self.upload = AsyncShaper(site["upload_kbps"] * 1024) if site["upload_kbps"] else None
        self.download = (AsyncShaper(site["download_kbps"] * 1024)
                         if site["download_kbps"] else None)
        self.proc = None
        self.task = None
        self.monitor = None
        self.stopping = False
        self.spawning = False
        self.slots = None   # the site's connection cap (relay.Slots), set by the daemon

    # --- what the relay needs -------------------------------------------------
    def socket_path(self, printer):
        return os.path.join(self.sockdir, f"{printer}.sock")

    def ssh_pid(self):
        if self.st.ssh_pid:
            return self.st.ssh_pid
        if self.st.autossh_pid:
            kids = children(self.st.autossh_pid)
            if kids:
                return kids[0]
        return None

    def ssh_alive(self):
        pid = self.ssh_pid()
        return bool(self.st.authenticated and pid and pid_alive(pid))

    def log(self, msg):
        self.logger.info("mast: %s", msg)

    # --- lifecycle ------------------------------------------------------------
    @property
    def running(self):
        return self.task is not None and not self.task.done()

    def start(self):
        if self.running:
            return
        self.stopping = False
        os.makedirs(self.sockdir, mode=0o700, exist_ok=True)
        loop = asyncio.get_running_loop()
        self.task = loop.create_task(self._run())
        self.monitor = loop.create_task(self._monitor())

    async def stop(self, timeout=6.0):
        self.stopping = True
        self.st.halt()
        task = self.task
        alive = self.proc is not None and self.proc.returncode is None
        if alive:
            self._signal(signal.SIGTERM)
        # An autossh being spawned right now is signalled by _run as soon as it exists:
        # cancelling _run meanwhile would leave it running, untracked.
        if task and not task.done() and (alive or self.spawning):
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except asyncio.TimeoutError:
                if self.proc and self.proc.returncode is None:
                    self._signal(signal.SIGKILL)
            except Exception:
                pass
        for t in (self.task, self.monitor):
            if t and not t.done():
                t.cancel()
        await asyncio.gather(*(t for t in (self.task, self.monitor) if t),
                             return_exceptions=True)
        if self.proc and self.proc.returncode is None:
            self._signal(signal.SIGKILL)
            await self.proc.wait()
        self._clean_sockets()
        self.st.stop(time.time())
        self.log("stopped")

    def kill_now(self):
        if self.proc and self.proc.returncode is None:
            self._signal(signal.SIGKILL)

    def _signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)  # autossh leads its own session/group
        except ProcessLookupError:
            pass
        except PermissionError:
            self.proc.send_signal(sig)

    def _clean_sockets(self):
        for p in self.conf["printers"]:
            try:
                os.unlink(self.socket_path(p["name"]))
            except OSError:
                pass

    async def _monitor(self):
        while True:
            self._evaluate()
            await asyncio.sleep(0.5)

    def _evaluate(self):
        before = self.st.state
        socks = all(os.path.exists(self.socket_path(p["name"])) for p in self.conf["printers"])
        self.st.evaluate(time.time(), self.ssh_alive(), socks)
        self._changed(before)

    def _changed(self, before):
        if self.st.state != before:
            extra = f" ({self.st.last_error})" if self.st.state != "up" and self.st.last_error else ""
            log.info("site %s: %s -> %s%s", self.name, before, self.st.state, extra)
            self.log(f"state {before} -> {self.st.state}{extra}")

    async def _run(self):
        backoff = BACKOFF_MIN
        while not self.stopping:
            self._clean_sockets()
            before = self.st.state
            self.spawning = True
            try:
                self.proc = await asyncio.create_subprocess_exec(
                    *self.command, stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                    env=build_env(), start_new_session=True)
            except OSError as e:
                self.spawning = False
                self.st.last_error = f"cannot run autossh: {e}"
                self.st._set("down", time.time())
                self._changed(before)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            self.spawning = False
            if self.stopping:   # stop() came while it was being spawned
                self._signal(signal.SIGTERM)
            self.st.started(self.proc.pid, time.time())
            self.log(f"started autossh pid {self.proc.pid}: {' '.join(self.command)}")
            self._changed(before)
            await self._read(self.proc.stderr)
            rc = await self.proc.wait()
            up_for = time.time() - self.st.up_since if self.st.up_since else 0
            before = self.st.state
            self.st.autossh_exited(rc, time.time(), stopping=self.stopping)
            self.log(f"autossh exited with status {rc}")
            self._changed(before)
            if self.stopping:
                break
            if up_for >= BACKOFF_RESET_UP:
                backoff = BACKOFF_MIN
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _read(self, stream):
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # line longer than the limit
                raw = b"<overlong line>\n"
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.logger.info("%s", line)
            before = self.st.state
            self.st.feed(line, time.time())
            self._changed(before)
            self._evaluate()

    def status(self):
        st = self.st
        return {"site": self.name, "state": st.state,
                "pid": self.ssh_pid() if st.state != "stopped" else None,
                "autossh_pid": st.autossh_pid, "since": iso(st.since),
                "last_error": st.last_error,
                "limits": {"upload_kbps": self.conf["upload_kbps"],
                           "download_kbps": self.conf["download_kbps"]}}
