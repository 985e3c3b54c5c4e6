"""The Docker engines of the inventory's Docker hosts, read by the portal: the clients' container
states (one list call per Docker host, not one per client) and the host-key scan of a site
("ssh-keyscan through the Docker host": a one-shot helper container on that engine, host network).

Engine URL, TLS settings and opt-in come from the Docker host's templated variables, checked with
the collection's own rules (module_utils/_docker.py), as the modules take them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _hostkey
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# Bounds: the engine's API calls, and the whole scan (ssh-keyscan itself gives up after SCAN_TIMEOUT).
API_TIMEOUT = 15
SCAN_TIMEOUT = 5
SCAN_WAIT = 30
# Labels of the scan's helper container, so that a leftover is recognisable.
HELPER_LABELS = {"coaxis.opt.portal-helper": "hostkey-scan"}
MANAGED = "coaxis.opt.managed-by=coaxis-opt"


class EngineError(Exception):
    """The engine could not be used: one operator message."""


@dataclass
class Engine:
    url: str
    tls: dict = None
    insecure: bool = False
    image: str = ""


def engine_of(loaded, docker_host):
    """The Engine of a Docker host from its templated variables (as the playbooks pass them)."""
    from clients.checks import plain
    hv = loaded.host(docker_host)
    url = plain(hv.get("opt_docker_url")) or _docker.DEFAULT_DOCKER_HOST
    tls = hv.get("opt_docker_tls")
    tls = {k: plain(v) for k, v in tls.items()} if isinstance(tls, dict) else tls
    return Engine(url=str(url), tls=tls or None, insecure=bool(hv.get("opt_docker_insecure")),
                  image=str(plain(hv.get("opt_image")) or ""))


def connect(engine, lang):
    problems = _docker.url_errors(engine.url, engine.tls, engine.insecure, lang)
    if problems:
        raise EngineError("; ".join(problems))
    try:
        return _docker.docker.DockerClient(base_url=engine.url, timeout=API_TIMEOUT, version="auto",
                                           tls=_docker.tls_config(engine.tls) or False)
    except (_docker.DockerException, _docker.RequestException) as exc:
        raise EngineError(_docker.docker_error_message(exc, engine.url, msg("step_connection", lang), lang)) from exc


def container_states(engine, lang):
    """{client: {state, id, ip}} of the coaxis-opt containers on one engine: one list call."""
    client = connect(engine, lang)
    try:
        summaries = client.api.containers(all=True, filters={"label": MANAGED})
    except (_docker.DockerException, _docker.RequestException) as exc:
        raise EngineError(_docker.docker_error_message(exc, engine.url, msg("step_connection", lang), lang)) from exc
    finally:
        client.close()
    states = {}
    for summary in summaries:
        name = (summary.get("Labels") or {}).get("coaxis.opt.client")
        if not name:
            continue
        raw = summary.get("State") or ""
        state = "running" if raw == "running" else "stopped" if raw in ("exited", "created", "dead") else raw
        networks = (summary.get("NetworkSettings") or {}).get("Networks") or {}
        ip = next((n.get("IPAddress") for n in networks.values() if n.get("IPAddress")), "")
        states[name] = {"state": state or "unknown", "id": (summary.get("Id") or "")[:12], "ip": ip}
    return states


def fleet_states(loaded, clients, lang):
    """{client: {state, id, ip, error}} of every client named: one read per Docker host.

    A client without a container is "absent"; an engine that cannot be read makes its clients
    "unknown", with the engine's error."""
    by_host = {}
    for client in clients:
        by_host.setdefault(client.docker_host, []).append(client.name)
    result = {}
    from ansible.errors import AnsibleError
    for host, names in by_host.items():
        try:
            if host not in (loaded.groups.get("docker_hosts") or []):
                raise EngineError(_("unknown Docker host %(host)s") % {"host": host})
            states = container_states(engine_of(loaded, host), lang)
            for name in names:
                result[name] = dict(states.get(name) or {"state": "absent", "id": "", "ip": ""}, error="")
        except (EngineError, AnsibleError) as exc:
            for name in names:
                result[name] = {"state": "unknown", "id": "", "ip": "", "error": str(exc).splitlines()[0]}
    return result


def remove_leftovers(client):
    """Finished scan helpers a stopped portal left behind (by their label), removed."""
    label = ["%s=%s" % item for item in HELPER_LABELS.items()]
    for summary in client.api.containers(all=True, filters={"label": label, "status": "exited"}):
        _docker.remove_helper(client, summary["Id"])


def scan_host_key(engine, host, port, lang):
    """The site's ed25519 host key as '<type> <base64>', scanned from the Docker host's engine by a
    one-shot container of ``engine.image`` on the host's network; EngineError when none answers."""
    client = connect(engine, lang)
    helper = None
    try:
        remove_leftovers(client)
        argv = _hostkey.keyscan_argv(host, port, timeout=SCAN_TIMEOUT)
        helper = client.api.create_container(
            engine.image, entrypoint=[argv[0]], command=argv[1:], labels=dict(HELPER_LABELS),
            name="opt-portal-keyscan-%s" % uuid.uuid4().hex[:12],
            host_config=client.api.create_host_config(network_mode="host"))["Id"]
        code = _docker.run_helper(client, helper, SCAN_WAIT)
        out = client.api.logs(helper, stdout=True, stderr=False)
        err = _docker.clip_output(client.api.logs(helper, stdout=False, stderr=True))
    except (_docker.DockerException, _docker.RequestException) as exc:
        raise EngineError(_docker.docker_error_message(exc, engine.url, msg("step_connection", lang), lang)) from exc
    finally:
        if helper:
            _docker.remove_helper(client, helper)
        client.close()
    key = _hostkey.scanned_key(out)
    if key is None:
        detail = err or (_("no answer within %(seconds)s s") % {"seconds": SCAN_WAIT} if code is None else "")
        raise EngineError(_("No SSH server answered at %(host)s port %(port)s with an ed25519 host key "
                            "(scanned from the Docker host): %(detail)s")
                          % {"host": host, "port": port, "detail": detail or _("no key")})
    return key
