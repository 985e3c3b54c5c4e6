# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inputs of a Docker host's converge, for coaxis.opt.opt_state, as digests: its variables and
its clients', and the code that converges them."""

from __future__ import annotations

import hashlib
import os

from ansible_collections.coaxis.opt.plugins.filter.inventory import opt_coaxis_sources
from ansible_collections.coaxis.opt.plugins.module_utils._hoststate import digest
from ansible_collections.coaxis.opt.plugins.plugin_utils.filter_errors import usage_error

PLUGINS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIPPED_DIRS = ('__pycache__', '.pytest_cache')


def opt_code_digest(dirs):
    """SHA-256 of every file under ``dirs`` and this collection's plugins (paths and contents)."""
    if not isinstance(dirs, (list, tuple)):
        raise usage_error('opt_code_digest: expects a list of directories, got %r' % (type(dirs).__name__,))
    total = hashlib.sha256()
    for top in sorted(set([PLUGINS] + [os.path.abspath(str(d)) for d in dirs])):
        if not os.path.isdir(top):
            raise usage_error('opt_code_digest: %s is not a directory' % top)
        for root, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                if name.endswith('.pyc'):
                    continue
                path = os.path.join(root, name)
                with open(path, 'rb') as handle:
                    total.update(path.encode('utf-8') + b'\0' + hashlib.sha256(handle.read()).digest())
    return total.hexdigest()


def _opt_vars(variables):
    return dict((key, variables[key]) for key in sorted(variables) if key.startswith('opt_'))


def opt_host_inputs(groups, hostvars, docker_host):
    """{key: digest} of every opt_* variable of ``docker_host`` (key ``host.<variable>``), of the
    variables of each of its clients (key ``client.<name>``) and of the Coaxis hosts its firewall
    lets print (key ``firewall.coaxis_sources``): no value leaves the controller."""
    if not isinstance(groups, dict) or docker_host not in groups.get('docker_hosts', []):
        raise usage_error('opt_host_inputs: expects groups (with docker_hosts holding %r)' % (docker_host,))
    result = dict(('host.%s' % key, digest(value)) for key, value in _opt_vars(hostvars[docker_host]).items())
    # The firewall's sources default to the coaxis_hosts group's addresses, which are not opt_* variables.
    result['firewall.coaxis_sources'] = digest(opt_coaxis_sources(groups, hostvars, docker_host))
    for name in groups.get('opt_clients', []):
        variables = hostvars[name]
        if variables.get('opt_docker_host') == docker_host:
            result['client.%s' % name] = digest(_opt_vars(variables))
    return result


class FilterModule(object):
    def filters(self):
        return {'opt_code_digest': opt_code_digest, 'opt_host_inputs': opt_host_inputs}
