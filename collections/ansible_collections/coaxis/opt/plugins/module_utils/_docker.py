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

# URL schemes of the Docker API: encrypted or local ones, and the plain TCP ones that need TLS
# settings (tcp://) or the inventory's explicit opt-in (opt_docker_insecure: true).
SAFE_SCHEMES = ('unix', 'npipe', 'ssh', 'https')
PLAIN_SCHEMES = ('tcp', 'http')
TLS_FIELDS = ('ca_cert', 'client_cert', 'client_key')

DOCKER_COMMON_ARGS = dict(
    docker_host=dict(type='str', default=DEFAULT_DOCKER_HOST, fallback=(env_fallback, ['DOCKER_HOST'])),
    docker_tls=dict(type='dict', options=dict((field, dict(type='path')) for field in TLS_FIELDS)),
    docker_insecure=dict(type='bool', default=False),
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


def _tls_given(tls):
    return isinstance(tls, dict) and any(tls.get(field) for field in TLS_FIELDS)


def url_errors(url, tls=None, insecure=None, lang='en'):
    """Problems of a Docker engine URL with its TLS settings and opt-in (pure; empty: usable).

    unix://, npipe://, ssh:// and https:// are accepted; tcp:// only with TLS settings (ca_cert,
    and client_cert with client_key) or ``insecure`` true; http:// only with ``insecure`` true:
    whoever reaches an unencrypted, unauthenticated Docker API is root on the Docker host."""
    errors = []
    if insecure is not None and not isinstance(insecure, bool):
        errors.append(msg('docker_insecure_invalid', lang, value=insecure))
        insecure = False
    if tls not in (None, '') and not (isinstance(tls, dict) and not any(tls.values())):  # {} or all unset: none
        unknown = sorted(set(tls) - set(TLS_FIELDS)) if isinstance(tls, dict) else None
        if (not isinstance(tls, dict) or unknown or not tls.get('ca_cert')
                or bool(tls.get('client_cert')) != bool(tls.get('client_key'))):
            errors.append(msg('docker_tls_invalid', lang, fields=', '.join(TLS_FIELDS)))
    scheme = url.split('://', 1)[0] if isinstance(url, str) and '://' in url else None
    if scheme not in SAFE_SCHEMES + PLAIN_SCHEMES or not url.split('://', 1)[1]:
        errors.append(msg('docker_url_invalid', lang, url=url))
    elif scheme in PLAIN_SCHEMES and not insecure and not (scheme == 'tcp' and _tls_given(tls)):
        errors.append(msg('docker_url_insecure', lang, url=url))
    return errors


def tls_config(tls):
    """A docker.tls.TLSConfig (the engine's certificate verified) out of ``docker_tls``, or None."""
    if not _tls_given(tls):
        return None
    client_cert = (tls['client_cert'], tls['client_key']) if tls.get('client_cert') else None
    return docker.tls.TLSConfig(client_cert=client_cert, ca_cert=tls.get('ca_cert'), verify=True)


def docker_client(module):
    """A docker.DockerClient on ``docker_host`` (API version negotiated), or fail_json.

    A plain tcp:// or http:// URL is refused unless TLS settings or docker_insecure say otherwise."""
    check_requirements(module)
    url = module.params['docker_host']
    lang = module.params['lang']
    tls = module.params.get('docker_tls')
    errors = url_errors(url, tls, module.params.get('docker_insecure'), lang)
    if errors:
        module.fail_json(msg='; '.join(errors), errors=errors, changed=False)
    try:
        return docker.DockerClient(base_url=url, timeout=module.params['timeout'], version='auto',
                                   tls=tls_config(tls) or False)
    except (DockerException, RequestException) as exc:
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
