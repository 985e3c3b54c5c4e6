# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine side of opt_config: the files of a config volume, read and written through the Docker API.

A created, never started helper container mounts the volume at /cfg: one ``get_archive`` reads
every file, one ``put_archive`` writes the changed ones (modes and owners in the tar headers).
Deletions need a process: a second helper runs ``rm -f`` of the listed paths, with a bounded
wait. Helpers are always removed. Nothing here decides anything (see _render).
"""

from __future__ import annotations

import io
import tarfile
import time
import uuid

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _render
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

MOUNT = '/cfg'
HELPER_LABEL = 'coaxis.opt.helper'
MANAGED_BY_LABEL = 'coaxis.opt.managed-by'
MANAGED_BY = 'coaxis-opt'


class StepFailed(Exception):
    """A step of one client failed; the message is rendered for the operator."""


# --- tar (pure) -------------------------------------------------------------------------

def parse_archive(raw, root='cfg'):
    """{relative path: {content (bytes), mode, uid, gid}} of the regular files of a get_archive tar."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode='r:*') as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            name = member.name
            if name.startswith(root + '/'):
                name = name[len(root) + 1:]
            elif name.startswith('./'):
                name = name[2:]
            handle = archive.extractfile(member)
            files[name] = {'content': handle.read() if handle else b'', 'mode': member.mode & 0o7777,
                           'uid': member.uid, 'gid': member.gid}
    return files


def build_archive(files, now=None, dir_owner=None):
    """A tar of ``files`` ({path: {content, mode, uid, gid}}) and of their parent directories
    (owned by ``dir_owner`` (uid, gid), mast's by default)."""
    mtime = int(now if now is not None else time.time())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=tarfile.PAX_FORMAT) as archive:
        dirs = sorted(set(path.rsplit('/', 1)[0] for path in files if '/' in path))
        for directory in dirs:
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = _render.DIRS.get(directory, 0o755)
            info.uid, info.gid = dir_owner or (_render.OWNER_UID, _render.OWNER_GID)
            info.mtime = mtime
            archive.addfile(info)
        for path in sorted(files):
            entry = files[path]
            data = entry['content'] if isinstance(entry['content'], bytes) else entry['content'].encode('utf-8')
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = entry['mode']
            info.uid, info.gid = entry['uid'], entry['gid']
            info.mtime = mtime
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# --- engine -----------------------------------------------------------------------------

def read_state(client, helper_image, url, lang):
    """Image id of the helper, names of the volumes, state of the managed containers by name."""
    try:
        image_id = client.api.inspect_image(helper_image)['Id']
    except _docker.NotFound:
        raise StepFailed(msg('image_missing', lang, image=helper_image, url=url)) from None
    volumes = set(v['Name'] for v in (client.api.volumes() or {}).get('Volumes') or [])
    containers = {}
    for summary in client.api.containers(all=True, filters={'label': '%s=%s' % (MANAGED_BY_LABEL, MANAGED_BY)}):
        for name in summary.get('Names') or []:
            containers[name.lstrip('/')] = summary.get('State')
    return {'image_id': image_id, 'volumes': volumes, 'containers': containers}


def create_helper(client, image_id, volume, name, command, user=None):
    """A helper container mounting ``volume`` at /cfg, no network, every capability dropped."""
    types = _docker.docker.types
    cap_add = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'] if user else None
    host_config = client.api.create_host_config(
        mounts=[types.Mount(target=MOUNT, source=volume, type='volume', read_only=False)],
        network_mode='none', cap_drop=['ALL'], cap_add=cap_add, security_opt=['no-new-privileges:true'])
    created = client.api.create_container(
        image=image_id, name='%s-%s' % (name, uuid.uuid4().hex[:8]), entrypoint=[], command=command, user=user,
        host_config=host_config, labels={HELPER_LABEL: 'config', MANAGED_BY_LABEL: MANAGED_BY},
        network_disabled=True, detach=True)
    return created['Id']


def read_files(client, helper_id):
    stream, _stat = client.api.get_archive(helper_id, MOUNT)
    return parse_archive(b''.join(stream), root=MOUNT.strip('/'))


def write_files(client, helper_id, files):
    if files:
        client.api.put_archive(helper_id, MOUNT, build_archive(files))


def delete_files(client, image_id, volume, paths, name, wait, lang):
    """Run ``rm -f`` of ``paths`` (relative) in a short-lived helper; StepFailed on failure."""
    command = ['rm', '-f', '--'] + ['%s/%s' % (MOUNT, path) for path in paths]
    helper_id = create_helper(client, image_id, volume, name, command, user='0:0')
    try:
        code = _docker.run_helper(client, helper_id, wait)
        if code is None:
            raise StepFailed(msg('cfg_helper_timeout', lang, volume=volume, timeout=wait))
        if code != 0:
            output = client.api.logs(helper_id, stdout=True, stderr=True).decode('utf-8', 'replace')
            raise StepFailed(msg('cfg_delete_failed', lang, volume=volume, paths=', '.join(paths), code=code,
                                 output=_docker.clip_output(output)))
    finally:
        _docker.remove_helper(client, helper_id)


def reload_mast(client, container):
    """``mast reload`` in the client's container: (exit code, output)."""
    return _docker.exec_command(client, container, ['mast', 'reload'])


def converge_client(client, job, state, check_mode, options, lang):
    """Read, plan and (unless check mode) write the files of one client's config volume.

    job: {client, volume, container, files (desired)}; options: {helper_name, wait, reload}.
    Returns {files: plan, current: read files, written: bool, reload: {...}}.
    """
    if job['volume'] not in state['volumes']:
        # Only in check mode (the module refuses it otherwise): a helper mounting the volume
        # would create it, so nothing touches the engine and every file is new.
        plan = _render.plan_files(job['files'], {})
        reload_result = reload_step(client, job, state, bool(_render.changed(plan)), check_mode, options['reload'])
        return {'plan': plan, 'current': {}, 'reload': reload_result}
    helper_id = create_helper(client, state['image_id'], job['volume'], options['helper_name'], ['true'])
    try:
        current = read_files(client, helper_id)
        plan = _render.plan_files(job['files'], current)
        todo = _render.changed(plan)
        writes = dict((i['path'], job['files'][i['path']]) for i in todo if i['action'] != 'delete')
        deletes = [i['path'] for i in todo if i['action'] == 'delete']
        if todo and not check_mode:
            write_files(client, helper_id, writes)
    finally:
        _docker.remove_helper(client, helper_id)
    if deletes and not check_mode:
        delete_files(client, state['image_id'], job['volume'], deletes, options['helper_name'], options['wait'], lang)
    return {'plan': plan, 'current': current, 'reload': reload_step(client, job, state, bool(todo), check_mode,
                                                                    options['reload'])}


def reload_step(client, job, state, files_changed, check_mode, wanted):
    """The reload outcome of one client: status done|failed|planned|not_needed|not_running|disabled."""
    running = state['containers'].get(job['container']) == 'running'
    if not wanted:
        return {'status': 'disabled'}
    if not files_changed:
        return {'status': 'not_needed'}
    if not running:
        return {'status': 'not_running'}
    if check_mode:
        return {'status': 'planned'}
    try:
        code, output = reload_mast(client, job['container'])
    except (_docker.DockerException, _docker.RequestException) as exc:
        return {'status': 'failed', 'rc': None, 'output': _docker.error_text(exc)}
    return {'status': 'done' if code == 0 else 'failed', 'rc': code, 'output': output}
