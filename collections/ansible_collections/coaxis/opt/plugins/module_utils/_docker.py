# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Docker engine access shared by the coaxis.opt modules: argument spec, client, errors."""

from __future__ import annotations

import time
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, msg

try:
    import docker
    from docker.errors import APIError, DockerException, NotFound
    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR = None
except ImportError:
    docker = None
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = traceback.format_exc()

    class DockerException(Exception):  # type: ignore[no-redef]
        """Stand-in so that except clauses stay valid without the SDK."""

    class APIError(DockerException):  # type: ignore[no-redef]
        """Stand-in."""

    class NotFound(APIError):  # type: ignore[no-redef]
        """Stand-in."""

try:
    from requests.exceptions import RequestException
except ImportError:
    class RequestException(Exception):  # type: ignore[no-redef]
        """Stand-in so that except clauses stay valid without requests."""

DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'
DEFAULT_TIMEOUT = 60

DOCKER_COMMON_ARGS = dict(
    docker_host=dict(type='str', default=DEFAULT_DOCKER_HOST, fallback=(env_fallback, ['DOCKER_HOST'])),
    timeout=dict(type='int', default=DEFAULT_TIMEOUT),
    lang=dict(type='str', default='en', choices=list(LANGS)),
)


def docker_argument_spec(**specific):
    spec = dict(DOCKER_COMMON_ARGS)
    spec.update(specific)
    return spec


def check_requirements(module):
    """fail_json with install hints when the docker SDK or netaddr is missing."""
    if not HAS_DOCKER:
        module.fail_json(msg=missing_required_lib('docker (Docker SDK for Python >= 7.0)'), exception=DOCKER_IMPORT_ERROR)
    if not _ipplan.HAS_NETADDR:
        module.fail_json(msg=missing_required_lib('netaddr'), exception=_ipplan.NETADDR_IMPORT_ERROR)


def error_text(exc):
    """One line out of a docker SDK / requests exception."""
    if isinstance(exc, APIError):
        explanation = getattr(exc, 'explanation', None)
        if isinstance(explanation, bytes):
            explanation = explanation.decode('utf-8', 'replace')
        status = getattr(exc, 'status_code', None)
        text = explanation or str(exc)
        return '%s (HTTP %s)' % (text, status) if status else text
    return str(exc) or exc.__class__.__name__


def docker_error_message(exc, url, action, lang='en'):
    """Turn an APIError / DockerException / connection error into one operator message.

    action: what the engine refused, already in the operator's language (a step_* message)."""
    if isinstance(exc, APIError):
        return msg('docker_api_error', lang, url=url, action=action, error=error_text(exc))
    return msg('docker_unreachable', lang, url=url, error=error_text(exc))


def docker_client(module):
    """A docker.DockerClient on ``docker_host`` (API version negotiated), or fail_json."""
    check_requirements(module)
    url = module.params['docker_host']
    try:
        return docker.DockerClient(base_url=url, timeout=module.params['timeout'], version='auto')
    except (DockerException, RequestException) as exc:
        lang = module.params['lang']
        module.fail_json(msg=docker_error_message(exc, url, msg('step_connection', lang), lang),
                         exception=traceback.format_exc())
    return None  # not reached


def engine_versions(client):
    """(engine version, API version) of the engine, e.g. ('20.10.24', '1.41')."""
    version = client.api.version()
    return version.get('Version'), version.get('ApiVersion')


def api_at_least(api_version, minimum):
    def as_tuple(text):
        return tuple(int(part) for part in str(text).split('.') if part.isdigit())
    return as_tuple(api_version) >= as_tuple(minimum)


OUTPUT_LIMIT = 2000


def clip_output(data):
    """A container's output (bytes or text) for an operator message, at most OUTPUT_LIMIT characters."""
    text = (data.decode('utf-8', 'replace') if isinstance(data, bytes) else str(data or '')).strip()
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + '...'


def start_and_wait(client, container, timeout, ready=None, poll=0.2):
    """Start ``container``, then wait at most ``timeout`` seconds until it runs and, when given,
    ``ready(client, container)`` holds (nginx accepts its config, say). None when it does; else
    (its status, its last log lines) for the caller's own message. An exited container is not
    waited for: it will not come up by itself."""
    client.api.start(container)
    deadline = time.monotonic() + timeout
    while True:
        state = client.api.inspect_container(container)['State']
        if state.get('Running') and (ready is None or ready(client, container)):
            return None
        if time.monotonic() > deadline or state.get('Status') == 'exited':
            return state.get('Status'), clip_output(client.api.logs(container, tail=20))
        time.sleep(poll)


def remove_helper(client, helper_id):
    """Remove a short-lived helper container; a helper already gone is fine."""
    try:
        client.api.remove_container(helper_id, force=True)
    except (DockerException, RequestException):
        pass


def run_helper(client, helper_id, wait):
    """Start a short-lived helper container and wait for it, at most ``wait`` seconds.

    Returns its exit code, or None when it did not finish in time."""
    client.api.start(helper_id)
    try:
        return client.api.wait(helper_id, timeout=wait).get('StatusCode')
    except RequestException:
        return None


def exec_command(client, container, argv):
    """Run ``argv`` in a running container and wait for it: (exit code, output clipped for messages)."""
    exec_id = client.api.exec_create(container, argv, stdout=True, stderr=True)['Id']
    output = client.api.exec_start(exec_id)
    return client.api.exec_inspect(exec_id).get('ExitCode'), clip_output(output)


def managed_client_names(client):
    """Names of the clients that have a coaxis-opt container on the engine (running or not)."""
    summaries = client.api.containers(all=True, filters={'label': 'coaxis.opt.managed-by=coaxis-opt'})
    return set((c.get('Labels') or {}).get('coaxis.opt.client') for c in summaries) - set([None])


def exec_streams(client, container, argv):
    """Run ``argv`` in a running container: (exit code, stdout, stderr) as text, unclipped
    (for commands whose stdout is a document to parse)."""
    exec_id = client.api.exec_create(container, argv, stdout=True, stderr=True)['Id']
    out, err = client.api.exec_start(exec_id, demux=True)
    code = client.api.exec_inspect(exec_id).get('ExitCode')
    return code, (out or b'').decode('utf-8', 'replace'), (err or b'').decode('utf-8', 'replace')


def observe_service(client, name, image_id):
    """A service container of the Docker host (firewall, edge) as the plans compare it, or None:
    its id, whether it runs, its config hash label and whether its image tag moved on."""
    try:
        data = client.api.inspect_container(name)
    except NotFound:
        return None
    labels = data['Config'].get('Labels') or {}
    return {'id': data['Id'], 'running': bool(data['State'].get('Running')),
            'hash': labels.get('coaxis.opt.config-hash'), 'image_stale': data['Image'] != image_id}


def is_not_found(exc):
    return isinstance(exc, NotFound)
