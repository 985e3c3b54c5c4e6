"""Supervise nginx (restart with backoff, reload on SIGHUP)."""

import asyncio
import hashlib
import logging
import os
import shutil
import signal
import time

from mast.tunnel import iso

log = logging.getLogger("mast.nginx")
SHARED_CONF = "/usr/share/mast/nginx.conf"
PACKAGE_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nginx.conf")


def pick_conf(config_dir):
    for p in (os.path.join(config_dir, "nginx.conf"), SHARED_CONF, PACKAGE_CONF):
        if os.path.isfile(p):
            return p
    return None


class Nginx:
    def __init__(self, config_dir, run_dir, log_dir, binary="nginx"):
        self.config_dir, self.run_dir, self.log_dir = config_dir, run_dir, log_dir
        self.binary = binary
        self.state = "disabled"
        self.since = time.time()
        self.last_error = None
        self.proc = None
        self.task = None
        self.stopping = False
        self.source = None
        self.digest = None
        self.conf = None

    def _set(self, state):
        if state != self.state:
            self.state, self.since = state, time.time()

    def _prepare(self):
        """Render the chosen conf; returns True if its content changed."""
        src = pick_conf(self.config_dir)
        if src is None:
            raise FileNotFoundError("no nginx.conf found")
        with open(src, encoding="utf-8") as f:
            text = f.read()
        ndir = os.path.join(self.run_dir, "nginx")
        os.makedirs(ndir, mode=0o700, exist_ok=True)
        if "@RUN_DIR@" in text or "@LOG_DIR@" in text:
            text = text.replace("@RUN_DIR@", self.run_dir).replace("@LOG_DIR@", self.log_dir)
            conf = os.path.join(ndir, "nginx.conf")
            with open(conf + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(conf + ".tmp", conf)
        else:
            conf = src
        digest = hashlib.sha256(text.encode()).hexdigest()
        changed = digest != self.digest
        self.source, self.conf, self.digest = src, conf, digest
        return changed

    def start(self):
        if shutil.which(self.binary) is None:
            self.last_error = "nginx is not installed"
            log.warning("nginx not installed: not started")
            self._set("absent")
            return
        self.stopping = False
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        backoff = 0.5
        while not self.stopping:
            started = time.time()
            try:
                self._prepare()
                self.proc = await asyncio.create_subprocess_exec(
                    self.binary, "-e", "stderr",
                    "-g", "daemon off;", "-c", self.conf,
                    stdin=asyncio.subprocess.DEVNULL, start_new_session=True)
                self._set("running")
                log.info("nginx pid %s with %s", self.proc.pid, self.source)
                rc = await self.proc.wait()
                if self.stopping:
                    break
                self.last_error = f"nginx exited with status {rc}"
            except OSError as e:
                self.last_error = f"cannot start nginx: {e}"
            log.warning("%s; restarting in %.1fs", self.last_error, backoff)
            self._set("restarting")
            if time.time() - started > 60:
                backoff = 0.5
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30)
        self._set("stopped")

    def reload(self):
        """Re-render; SIGHUP nginx (what `nginx -s reload` does) if the conf changed."""
        if self.task is None:
            return False
        try:
            changed = self._prepare()
        except OSError as e:
            self.last_error = str(e)
            return False
        if changed and self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGHUP)
            log.info("nginx reloaded (%s changed)", self.source)
            return True
        return False

    def signal(self, sig):
        if self.proc and self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, sig)
            except OSError:
                pass

    async def stop(self, timeout=6.0):
        self.stopping = True
        if self.task is None:
            return
        self.signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except asyncio.TimeoutError:
            self.signal(signal.SIGKILL)
        except Exception:
            pass
        if not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.proc and self.proc.returncode is None:
            self.signal(signal.SIGKILL)
            await self.proc.wait()
        self._set("stopped")

    def status(self):
        return {"state": self.state, "pid": self.proc.pid if self.proc and
                self.proc.returncode is None else None, "since": iso(self.since),
                "conf": self.source, "last_error": self.last_error}
