"""The supervisor: sites (tunnel + relays), nginx, control socket, signals.

Every change of the running sites (start, stop, restart, reload, SIGHUP, shutdown) runs under
one asyncio.Lock, one at a time in the order they came; each re-reads the site it works on
after every await. So a restart racing a reload (tunnel.yml and add_client.yml at once) still
leaves one autossh per site. status and ping only read, they do not wait for the lock.

The control socket takes one JSON object per connection, on one line of at most
MAX_REQUEST bytes; anything else gets a JSON error reply, never a dropped connection.
"""

import asyncio
import json
import logging
import logging.handlers
import os
import signal
import time

from mast import config
from mast.nginx import Nginx
from mast import relay
from mast.relay import Relay, Slots
from mast.tunnel import Tunnel

log = logging.getLogger("mast")
SHUTDOWN_GRACE = 7.5   # then SIGKILL; everything is gone well within 10 s
SHUTDOWN_LOCK_WAIT = 2.0  # for the change in progress, within the 10 s docker stop gives
MAX_REQUEST = 64 * 1024  # bytes of one control request (a line of JSON)
REQUEST_TIMEOUT = 10.0
ACTIONS = ("start", "stop", "restart")


class Site:
    def __init__(self, conf, gconf, run_dir, log_dir):
        self.conf = conf
        self.hash = config.site_hash(conf)
        self.gconf = gconf
        self.tunnel = Tunnel(conf, run_dir, log_dir, gconf)
        self.tunnel.slots = Slots(relay.MAX_PER_SITE)   # the site's connection cap, all printers
        self.relays = {p["name"]: Relay(self.tunnel, p["name"], gconf["listen_address"],
                                        p["listen_port"]) for p in conf["printers"]}
        self.operator_stopped = False
        self.relay_errors = []

    async def open(self):
        self.relay_errors = []
        for name, r in self.relays.items():
            try:
                await r.start()
            except OSError as e:
                msg = f"cannot listen on {r.address}:{r.port} for printer {name}: {e.strerror}"
                self.relay_errors.append(msg)
                log.error("site %s: %s", self.conf["name"], msg)

    async def close(self, timeout=6.0):
        await asyncio.gather(*(r.stop() for r in self.relays.values()))
        await self.tunnel.stop(timeout)

    def status(self):
        s = self.tunnel.status()
        s["printers"] = [{"name": p["name"], "address": p["address"], "port": p["port"],
                          "listen_port": p["listen_port"],
                          "connections": self.relays[p["name"]].stats.connections,
                          "refused": self.relays[p["name"]].stats.refused,
                          "bytes_up": self.relays[p["name"]].stats.bytes_up,
                          "bytes_down": self.relays[p["name"]].stats.bytes_down}
                         for p in self.conf["printers"]]
        s["config_hash"] = self.hash
        if self.relay_errors:
            s["relay_errors"] = self.relay_errors
        return s


def setup_logging(log_dir, max_bytes=1 << 20, backups=2):
    root = logging.getLogger("mast")
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s.%(msecs)03dZ %(levelname)s %(message)s",
                            "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    for h in list(root.handlers):
        root.removeHandler(h)
    h = logging.StreamHandler()
    h.setFormatter(fmt)
    root.addHandler(h)
    try:
        os.makedirs(log_dir, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(os.path.join(log_dir, "mast.log"),
                                                  maxBytes=max_bytes, backupCount=backups)
        fh.setFormatter(fmt)
        root.addHandler(fh)
    except OSError as e:
        log.warning("cannot write %s/mast.log: %s", log_dir, e)


class Daemon:
    def __init__(self, config_dir, run_dir, log_dir):
        self.config_dir, self.run_dir, self.log_dir = config_dir, run_dir, log_dir
        self.sites = {}
        self.gconf = dict(config.GLOBAL_DEFAULTS)
        self.config_error = None
        self.last_reload = None
        self.nginx = Nginx(config_dir, run_dir, log_dir)
        self.done = None
        self.server = None
        self.started = time.time()
        self.lock = asyncio.Lock()
        self.closing = False
        self.tasks = set()   # reloads asked by SIGHUP

    # --- lifecycle ------------------------------------------------------------
    async def run(self):
        # Until its handler is set below, a SIGHUP would kill the daemon: held back (python -m
        # mast daemon holds it from its first line already), it is delivered once handled.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        try:
            cfg = config.load(self.config_dir)
            self.gconf = cfg["global"]
        except config.ConfigError as e:
            cfg = None
            self.config_error = e.errors
            self.gconf = config.load_global(self.config_dir)
            for line in e.errors:
                log.error("config: %s", line)
            log.error("invalid configuration: starting with no sites")
        setup_logging(self.log_dir, self.gconf["log_max_bytes"], self.gconf["log_backups"])
        os.makedirs(self.run_dir, exist_ok=True)
        await self._open_control()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._request_stop)
        loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        # Before any child (autossh, nginx) inherits the mask.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})
        if cfg:
            for name, sconf in cfg["sites"].items():
                await self._add_site(sconf)
        if self.gconf["nginx"]:
            self.nginx.start()
        log.info("mast daemon ready: %d site(s), control %s", len(self.sites), self.sock_path)
        await self.done
        await self.shutdown()
        return 0

    def _on_sighup(self):
        if not self.closing:
            log.info("SIGHUP: reloading")
            t = asyncio.get_running_loop().create_task(self.reload())
            self.tasks.add(t)
            t.add_done_callback(self.tasks.discard)

    def _request_stop(self):
        if not self.done.done():
            log.info("signal received: shutting down")
            self.done.set_result(None)

    async def shutdown(self):
        t0 = time.monotonic()
        self.closing = True
        if self.server:
            self.server.close()
        # Let the change in progress finish (the queued ones see closing and refuse), so no
        # site is started behind the shutdown's back.
        try:
            await asyncio.wait_for(self.lock.acquire(), SHUTDOWN_LOCK_WAIT)
        except asyncio.TimeoutError:
            log.error("shutdown: a change still runs after %.1fs, stopping anyway", SHUTDOWN_LOCK_WAIT)
        await asyncio.gather(*(r.stop() for s in self.sites.values()
                               for r in s.relays.values()), return_exceptions=True)
        stops = [s.tunnel.stop(SHUTDOWN_GRACE) for s in self.sites.values()]
        stops.append(self.nginx.stop(SHUTDOWN_GRACE))
        try:
            await asyncio.wait_for(asyncio.gather(*stops, return_exceptions=True),
                                   SHUTDOWN_GRACE + 1.0)
        except asyncio.TimeoutError:
            for s in self.sites.values():
                s.tunnel.kill_now()
            self.nginx.signal(signal.SIGKILL)
        try:
            os.unlink(self.sock_path)
        except OSError:
            pass
        log.info("mast daemon stopped in %.1fs", time.monotonic() - t0)

    async def _add_site(self, sconf, keep_stopped=False):
        site = Site(sconf, self.gconf, self.run_dir, self.log_dir)
        self.sites[sconf["name"]] = site
        await site.open()
        if keep_stopped:
            site.operator_stopped = True
        else:
            site.tunnel.start()
        return site

    # --- actions --------------------------------------------------------------
    def _select(self, names):
        if not names:
            return sorted(self.sites), None
        unknown = [n for n in names if n not in self.sites]
        if unknown:
            return None, f"unknown site(s): {', '.join(unknown)}"
        return list(dict.fromkeys(names)), None

    async def action(self, cmd, names):
        async with self.lock:
            if self.closing:
                return {"ok": False, "error": "the daemon is stopping"}
            return await self._action(cmd, names)

    async def _action(self, cmd, names):
        sel, err = self._select(names)
        if err:
            return {"ok": False, "error": err}
        for n in sel:
            site = self.sites.get(n)
            if site is None:
                continue
            if cmd in ("stop", "restart"):
                site.operator_stopped = True
                await site.tunnel.stop()
                log.info("site %s stopped by the operator", n)
                site = self.sites.get(n)   # re-read after the await
                if site is None:
                    continue
            if cmd in ("start", "restart"):
                site.operator_stopped = False
                site.tunnel.start()
                log.info("site %s started by the operator", n)
        return {"ok": True, "sites": sel, "action": cmd}

    async def reload(self):
        async with self.lock:
            if self.closing:
                return {"ok": False, "error": "the daemon is stopping"}
            return await self._reload()

    async def _reload(self):
        try:
            cfg = config.load(self.config_dir)
        except config.ConfigError as e:
            log.error("reload refused, keeping the running configuration:")
            for line in e.errors:
                log.error("config: %s", line)
            self.last_reload = {"at": time.time(), "ok": False, "errors": e.errors}
            return {"ok": False, "error": "invalid configuration, nothing changed",
                    "errors": e.errors}
        old = {n: s.conf for n, s in self.sites.items()}
        d = config.diff(old, cfg["sites"])
        if cfg["global"]["listen_address"] != self.gconf["listen_address"]:
            d["changed"] = sorted(set(d["changed"]) | set(d["unchanged"]))
            d["unchanged"] = []
        nginx_was = self.gconf["nginx"]
        self.gconf = cfg["global"]
        self.config_error = None
        was_stopped = {}
        for n in d["removed"] + d["changed"]:
            site = self.sites.pop(n, None)
            if site is None:
                continue
            was_stopped[n] = site.operator_stopped
            await site.close()
        for n in d["changed"]:
            await self._add_site(cfg["sites"][n], keep_stopped=was_stopped.get(n, False))
        for n in d["added"]:
            await self._add_site(cfg["sites"][n])
        reloaded = False
        if self.gconf["nginx"] and not nginx_was:
            self.nginx.start()
        elif nginx_was and not self.gconf["nginx"]:
            await self.nginx.stop()
        elif self.gconf["nginx"]:
            reloaded = self.nginx.reload()
        d["nginx_reloaded"] = reloaded
        log.info("reload: added %s removed %s changed %s unchanged %s", d["added"],
                 d["removed"], d["changed"], d["unchanged"])
        self.last_reload = {"at": time.time(), "ok": True}
        return dict(ok=True, **d)

    def status(self, names):
        sel, err = self._select(names)
        if err:
            return {"ok": False, "error": err}
        out = {"ok": True, "sites": [self.sites[n].status() for n in sel],
               "nginx": self.nginx.status(), "config_error": self.config_error,
               "daemon": {"pid": os.getpid(), "config_dir": self.config_dir}}
        for s in out["sites"]:
            s["operator_stopped"] = self.sites[s["site"]].operator_stopped
        return out

    # --- control socket -------------------------------------------------------
    @property
    def sock_path(self):
        return os.path.join(self.run_dir, "mast.sock")

    async def _open_control(self):
        try:
            os.unlink(self.sock_path)
        except FileNotFoundError:
            pass
        old = os.umask(0o177)
        try:
            self.server = await asyncio.start_unix_server(self._client, path=self.sock_path,
                                                          limit=MAX_REQUEST)
        finally:
            os.umask(old)
        os.chmod(self.sock_path, 0o600)

    async def _client(self, reader, writer):
        try:
            try:
                line = await asyncio.wait_for(reader.readline(), REQUEST_TIMEOUT)
            except asyncio.TimeoutError:
                resp = {"ok": False, "error": f"bad request: no complete line within {REQUEST_TIMEOUT:g} s"}
            except (ValueError, asyncio.LimitOverrunError, asyncio.IncompleteReadError):
                resp = {"ok": False, "error": f"bad request: longer than {MAX_REQUEST} bytes"}
            else:
                req, err = parse_request(line)
                if err:
                    resp = {"ok": False, "error": f"bad request: {err}"}
                else:
                    try:
                        resp = await self.dispatch(req["cmd"], req["sites"])
                    except Exception as e:   # a bug must not cost the caller its answer
                        log.exception("control request %r failed", req)
                        resp = {"ok": False, "error": f"internal error: {e.__class__.__name__}: {e}"}
            writer.write(json.dumps(resp).encode() + b"\n")
            await writer.drain()
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            writer.close()

    async def dispatch(self, cmd, names):
        if cmd == "status":
            return self.status(names)
        if cmd in ACTIONS:
            return await self.action(cmd, names)
        if cmd == "reload":
            return await self.reload()
        if cmd == "ping":
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {cmd!r}"}


COMMANDS = ("status", "ping", "reload") + ACTIONS


def parse_request(line):
    """(request, None) for a well-formed request line, else (None, what is wrong)."""
    if not line.endswith(b"\n"):
        return None, "a request is one line of JSON ending with a newline"
    try:
        req = json.loads(line)
    except (UnicodeDecodeError, ValueError) as e:
        return None, f"not JSON: {e}"
    if not isinstance(req, dict):
        return None, "a request is a JSON object"
    cmd = req.get("cmd")
    if not isinstance(cmd, str):
        return None, f"cmd must be a string, got {cmd!r}"
    if cmd not in COMMANDS:
        return None, f"unknown command {cmd!r} (one of {', '.join(COMMANDS)})"
    names = req.get("sites")
    if names is None:
        names = []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None, f"sites must be a list of site names, got {names!r}"[:200]
    return {"cmd": cmd, "sites": names}, None


def run(config_dir, run_dir, log_dir):
    setup_logging(log_dir)
    return asyncio.run(Daemon(config_dir, run_dir, log_dir).run())
