# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Engine side of opt_config: the files of a config volume, read and written through the Docker API.

A created, never started helper container mounts a batch of config volumes, each at
/cfg/<volume>: one ``get_archive`` reads every file of the batch; another helper of the batch,
one ``put_archive``, writes the changed ones (modes and owners in the tar headers). Deletions
need a process: a third helper runs ``rm -f`` of the listed paths, with a bounded wait. Helpers
are always removed. A batch that fails is redone client by client, so that each client gets its
own error. In check mode no helper is made: a volume is read with ``get_archive`` from a
container of ours that mounts it, else it is not read. Nothing here decides anything (see _configplan).
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.coaxis.opt.plugins.module_utils import _docker, _limits, _naming, _configplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

MOUNT = '/cfg'
ENGINE_ERRORS = (_docker.DockerException, _docker.RequestException)


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


def split_batch(files):
    """{volume: {path: entry}} from the files of a batch read ({'<volume>/<path>': entry})."""
    volumes = {}
    for name, entry in files.items():
        if '/' in name:
            volume, path = name.split('/', 1)
            volumes.setdefault(volume, {})[path] = entry
    return volumes


def _add_files(archive, files, prefix, mtime, dir_owner):
    dirs = sorted(set(path.rsplit('/', 1)[0] for path in files if '/' in path))
    for directory in dirs:
        info = tarfile.TarInfo(prefix + directory)
        info.type = tarfile.DIRTYPE
        info.mode = _configplan.DIRS.get(directory, 0o755)
        info.uid, info.gid = dir_owner or (_configplan.OWNER_UID, _configplan.OWNER_GID)
        info.mtime = mtime
        archive.addfile(info)
    for path in sorted(files):
        entry = files[path]
        data = entry['content'] if isinstance(entry['content'], bytes) else entry['content'].encode('utf-8')
        info = tarfile.TarInfo(prefix + path)
        info.size = len(data)
        info.mode = entry['mode']
        info.uid, info.gid = entry['uid'], entry['gid']
        info.mtime = mtime
        archive.addfile(info, io.BytesIO(data))


def build_archive(files, now=None, dir_owner=None, batch=None):
    """A tar of ``files`` ({path: {content, mode, uid, gid}}) and of their parent directories
    (owned by ``dir_owner`` (uid, gid), mast's by default). With ``batch`` ({volume: files})
    instead, each volume's files go under ``<volume>/`` (the volume's own root is not in the
    tar: its owner and mode stay as they are)."""
    mtime = int(now if now is not None else time.time())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w', format=tarfile.PAX_FORMAT) as archive:
        if batch is None:
            _add_files(archive, files, '', mtime, dir_owner)
        for volume in sorted(batch or {}):
            _add_files(archive, batch[volume], volume + '/', mtime, dir_owner)
    return buffer.getvalue()


# --- engine -----------------------------------------------------------------------------

def read_state(client, helper_image, url, lang):
    """Image id of the helper, names of the volumes, state and image of the managed containers by
    name, and per volume a container of ours that mounts it (id, mount point; a running one first)."""
    try:
        image_id = client.api.inspect_image(helper_image)['Id']
    except _docker.NotFound:
        raise StepFailed(msg('image_missing', lang, image=helper_image, url=url)) from None
    volumes = set(v['Name'] for v in (client.api.volumes() or {}).get('Volumes') or [])
    containers, images, mounted = {}, {}, {}
    for summary in _naming.managed_containers(client):
        for name in summary.get('Names') or []:
            containers[name.lstrip('/')] = summary.get('State')
            images[name.lstrip('/')] = summary.get('ImageID')
        for mount in summary.get('Mounts') or []:
            if mount.get('Type') == 'volume' and mount.get('Name') and (
                    mount['Name'] not in mounted or summary.get('State') == 'running'):
                mounted[mount['Name']] = (summary.get('Id'), mount.get('Destination'))
    return {'image_id': image_id, 'volumes': volumes, 'containers': containers, 'images': images,
            'mounted': mounted}


def create_helper(client, image_id, volume, name, command, user=None, volumes=None):
    """A helper container mounting ``volume`` at /cfg (or each of ``volumes`` at /cfg/<volume>),
    no network, every capability dropped."""
    types = _docker.docker.types
    cap_add = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'] if user else None
    if volumes is None:
        mounts = [types.Mount(target=MOUNT, source=volume, type='volume', read_only=False)]
    else:
        mounts = [types.Mount(target='%s/%s' % (MOUNT, v), source=v, type='volume', read_only=False)
                  for v in volumes]
    host_config = client.api.create_host_config(
        mounts=mounts,
        network_mode='none', cap_drop=['ALL'], cap_add=cap_add, security_opt=['no-new-privileges:true'],
        **_limits.helper_host_config_args())
    created = client.api.create_container(
        image=image_id, name='%s-%s' % (name, uuid.uuid4().hex[:8]), entrypoint=[], command=command, user=user,
        host_config=host_config, labels=_naming.managed_labels(**{_naming.LABEL_HELPER: 'config'}),
        network_disabled=True, detach=True)
    return created['Id']


def read_files(client, helper_id):
    stream, _stat = client.api.get_archive(helper_id, MOUNT)
    return parse_archive(b''.join(stream), root=MOUNT.strip('/'))


def read_volumes(client, image_id, volumes, name):
    """{volume: {path: entry}} of ``volumes``, read with one helper (always removed)."""
    helper_id = create_helper(client, image_id, None, name, ['true'], volumes=volumes)
    try:
        return split_batch(read_files(client, helper_id))
    finally:
        _docker.remove_helper(client, helper_id)


def read_mounted(client, container_id, mount_point):
    """{path: entry} of a volume as a container that mounts it at ``mount_point`` sees it: one
    get_archive, no helper, no process (a stopped container answers too)."""
    stream, _stat = client.api.get_archive(container_id, mount_point)
    return parse_archive(b''.join(stream), root=posixpath.basename(mount_point.rstrip('/')))


def delete_files(client, image_id, volume, paths, name, wait, lang, volumes=None):
    """Run ``rm -f`` of ``paths`` (relative to /cfg) in a short-lived helper mounting ``volume``
    (or ``volumes``, as create_helper); StepFailed on failure."""
    command = ['rm', '-f', '--'] + ['%s/%s' % (MOUNT, path) for path in paths]
    helper_id = create_helper(client, image_id, volume, name, command, user='0:0', volumes=volumes)
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


def plan_job(job, current):
    """(plan, changed items, files to write, paths to delete) of one client's volume."""
    plan = _configplan.plan_files(job['files'], current)
    todo = _configplan.changed(plan)
    writes = dict((i['path'], job['files'][i['path']]) for i in todo if i['action'] != 'delete')
    deletes = [i['path'] for i in todo if i['action'] == 'delete']
    return plan, todo, writes, deletes


def _job_error(job, exc, url, lang):
    if isinstance(exc, StepFailed):
        return msg('apply_failed', lang, client=job['client'], action='opt_config', error=str(exc))
    return msg('apply_failed', lang, client=job['client'], action='opt_config',
               error=_docker.docker_error_message(exc, url, msg('step_config_volume', lang), lang))


def _batches(jobs, size):
    size = max(1, size)
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def _by_batch(pool, step, batches, url, lang):
    """step(group) for every batch in the pool; a batch that fails is redone job by job.
    Returns {id(job): (value, error)}."""
    def one(job):
        try:
            return [(job, step([job])[0], None)]
        except (StepFailed,) + ENGINE_ERRORS as exc:
            return [(job, None, _job_error(job, exc, url, lang))]

    def batch(group):
        try:
            return list(zip(group, step(group), [None] * len(group)))
        except (StepFailed,) + ENGINE_ERRORS:
            return [entry for job in group for entry in one(job)]
    return dict((id(job), (value, error)) for group in pool.map(batch, batches) for job, value, error in group)


def read_all(client, jobs, state, check_mode, options, lang):
    """The files on every job's volume: [(job, {path: entry} or None, error or None)] in the order of jobs.

    Batches of options['batch'] volumes, one helper each, in a pool of options['workers'] threads.
    In check mode no helper: a volume is read from a container of ours that mounts it, else (or
    when the volume does not exist) it is not read and holds nothing as far as the plan goes.
    options: {helper_name, wait, url, batch, workers}.
    """
    def helpers(group):
        found = read_volumes(client, state['image_id'], sorted(set(job['volume'] for job in group)),
                             options['helper_name'])
        return [found.get(job['volume'], {}) for job in group]

    def mounted(group):
        where = [state['mounted'].get(job['volume']) if job['volume'] in state['volumes'] else None for job in group]
        return [read_mounted(client, *place) if place else {} for place in where]

    step, size = (mounted, 1) if check_mode else (helpers, options['batch'])
    existing = [job for job in jobs if check_mode or job['volume'] in state['volumes']]
    with ThreadPoolExecutor(max_workers=max(1, options['workers'])) as pool:
        found = _by_batch(pool, step, _batches(existing, size), options['url'], lang)
    return [(job,) + found.get(id(job), ({}, None)) for job in jobs]


def write_batch(client, entries, state, options, lang):
    """Write and delete the files of ``entries`` ([(job, writes, deletes)]): one helper for the
    writes (one put_archive), one for the deletions (rm -f)."""
    writes = dict((job['volume'], files) for job, files, _paths in entries if files)
    deletes = dict((job['volume'], paths) for job, _files, paths in entries if paths)
    if writes:
        helper_id = create_helper(client, state['image_id'], None, options['helper_name'], ['true'],
                                  volumes=sorted(writes))
        try:
            client.api.put_archive(helper_id, MOUNT, build_archive(None, batch=writes))
        finally:
            _docker.remove_helper(client, helper_id)
    if deletes:
        paths = ['%s/%s' % (volume, path) for volume in sorted(deletes) for path in deletes[volume]]
        delete_files(client, state['image_id'], ', '.join(sorted(deletes)), paths, options['helper_name'],
                     options['wait'], lang, volumes=sorted(deletes))
    return [None] * len(entries)


def write_all(client, entries, state, options, lang):
    """write_batch for every batch of ``entries`` ([(job, writes, deletes)]), then the reloads of
    the jobs written. Returns [(job, reload outcome or None, error or None)] in the order of entries."""
    jobs = [job for job, _files, _paths in entries]
    todo = dict((id(job), (job, files, paths)) for job, files, paths in entries)

    def step(group):
        return write_batch(client, [todo[id(job)] for job in group], state, options, lang)

    with ThreadPoolExecutor(max_workers=max(1, options['workers'])) as pool:
        written = _by_batch(pool, step, _batches(jobs, options['batch']), options['url'], lang)

        def reload(job):
            error = written[id(job)][1]
            if error:
                return job, None, error
            return job, reload_step(client, job, state, True, False, options['reload']), None
        return list(pool.map(reload, jobs))


def reload_step(client, job, state, files_changed, check_mode, wanted):
    """The reload outcome of one client: status done|failed|planned|not_needed|not_running|
    other_image|disabled.

    A running container of another image than the helper's (the docker-opt image of the run)
    is about to be recreated on it: its mast reads the new files when it starts, and the old
    mast is never handed files of a newer release.
    """
    running = state['containers'].get(job['container']) == 'running'
    if not wanted:
        return {'status': 'disabled'}
    if not files_changed:
        return {'status': 'not_needed'}
    if not running:
        return {'status': 'not_running'}
    if state.get('images', {}).get(job['container']) not in (None, state['image_id']):
        return {'status': 'other_image'}
    if check_mode:
        return {'status': 'planned'}
    try:
        code, output = reload_mast(client, job['container'])
    except (_docker.DockerException, _docker.RequestException) as exc:
        return {'status': 'failed', 'rc': None, 'output': _docker.error_text(exc)}
    return {'status': 'done' if code == 0 else 'failed', 'rc': code, 'output': output}
