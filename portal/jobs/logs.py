"""The last lines of each site's tunnel log, read from the client's container through its Docker
host's engine (docker SDK). mast writes one log per site, <site>.log, in the logs volume mounted at
/var/log/mast (images/docker-opt); a running container is asked for `tail`, a stopped one gives
the file from its volume (get_archive). Every call is bounded."""
import io
import json
import os
import subprocess
import tarfile
import threading
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

LOG_DIR = "/var/log/mast"
CONTAINER_PREFIX = "opt-"
LINES = 50
# Seconds for one engine call, and for Ansible to resolve the engine's address.
DOCKER_TIMEOUT = 10
RESOLVE_TIMEOUT = 60
# Largest log file read whole from a stopped container (mast rotates its logs at 1 MiB by default).
ARCHIVE_LIMIT = 8 << 20


class LogError(Exception):
    pass


_engines = {}
_lock = threading.Lock()


def _inventory_stamp():
    from clients.inventory import _state
    return _state(Path(settings.PORTAL_INVENTORY))


def engine(docker_host):
    """The Docker host's engine as the playbooks see it: opt_docker_url, opt_docker_tls and
    opt_docker_insecure templated by Ansible itself (they may use lookups and the vault), with the
    jobs' environment. Cached per inventory state."""
    from jobs.runner import dropped, environment
    key = (docker_host, _inventory_stamp())
    with _lock:
        if key in _engines:
            return _engines[key]
    expression = ("{{ {'url': opt_docker_url, 'tls': opt_docker_tls | default({}), "
                  "'insecure': opt_docker_insecure | default(false)} | to_json }}")
    extra = environment()
    env = {name: value for name, value in os.environ.items() if not dropped(name, extra)}
    env.update(extra, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    binary = Path(extra["PATH"].split(os.pathsep)[0]) / "ansible"
    command = [str(binary) if binary.exists() else "ansible", "-i", str(settings.PORTAL_INVENTORY), docker_host,
               "-m", "ansible.builtin.debug", "-a", f"msg={expression}"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT,
                              cwd=str(Path(settings.PORTAL_PLAYBOOKS).parent))
        found = json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"][docker_host]["msg"]
        found = json.loads(found) if isinstance(found, str) else found
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LogError(f"{docker_host}: {exc.__class__.__name__}") from exc
    with _lock:
        _engines[key] = found
    return found


def docker_client(found):
    import docker
    tls = found.get("tls") or {}
    config = False
    if tls.get("ca_cert"):
        cert = (tls["client_cert"], tls["client_key"]) if tls.get("client_cert") else None
        config = docker.tls.TLSConfig(client_cert=cert, ca_cert=tls["ca_cert"], verify=True)
    return docker.DockerClient(base_url=found["url"], timeout=DOCKER_TIMEOUT, tls=config)


def last_lines(data, lines=LINES):
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
    return text.splitlines()[-lines:]


def _from_archive(container, path, lines):
    stream, stat = container.get_archive(path)
    if stat.get("size", 0) > ARCHIVE_LIMIT:
        raise LogError(f"{path}: {stat.get('size')} bytes")
    buffer = io.BytesIO()
    for chunk in stream:
        buffer.write(chunk)
        if buffer.tell() > ARCHIVE_LIMIT + (1 << 20):
            raise LogError(f"{path}: too large")
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as archive:
        member = archive.next()
        handle = archive.extractfile(member) if member else None
        return last_lines(handle.read() if handle else b"", lines)


def read_site_logs(client, docker_host, sites, lines=LINES):
    """{site: {"lines": [...], "error": ""}} for each site name; a failure says why per site (or
    for all of them when the engine or the container cannot be reached)."""
    import docker
    try:
        api = docker_client(engine(docker_host))
        try:
            try:
                container = api.containers.get(CONTAINER_PREFIX + client)
            except docker.errors.NotFound as exc:
                raise LogError(gettext("%(client)s has no container on %(host)s.")
                               % {"client": client, "host": docker_host}) from exc
            running = container.status == "running"
            logs = {}
            for site in sites:
                path = f"{LOG_DIR}/{site}.log"
                try:
                    if running:
                        code, output = container.exec_run(["tail", "-n", str(lines), "--", path])
                        if code:
                            raise LogError(last_lines(output, 1)[0] if output else f"tail: {code}")
                        logs[site] = {"lines": last_lines(output, lines), "error": ""}
                    else:
                        logs[site] = {"lines": _from_archive(container, path, lines), "error": ""}
                except (LogError, docker.errors.APIError) as exc:
                    logs[site] = {"lines": [], "error": str(exc)}
            return logs
        finally:
            api.close()
    except (LogError, docker.errors.DockerException, OSError) as exc:
        return {site: {"lines": [], "error": str(exc)} for site in sites}
