#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_state
short_description: Whether a Docker host is as its last converge left it, in one read (Coaxis OPT)
version_added: 0.1.0
description:
  - "O(state=record), right after a converge that succeeded: stores in O(state_dir) the digest of
    O(inputs) and of each part of what the engine holds: the images behind the tags of O(images),
    the managed containers, the client network and every endpoint on it, the volumes, the files of
    the config volumes, the firewall's rules and the result of its check, the edge proxy's files."
  - "O(state=check): computes the same digests and returns RV(converged=true) when the inputs and
    every part are the same as recorded: the converge would change nothing. Anything else (no
    state yet, other inputs, a container restarted, a file edited by hand, a tag moved to another
    image) returns V(false) with the parts that differ in RV(reasons), and the caller converges."
  - Only digests are stored.
  - The caller puts every input of its converge in O(inputs), the digest of the code included
    (see the filter coaxis.opt.opt_code_digest); an input left out would not be noticed.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: >-
      O(state=check) reads as usual; O(state=record) records nothing. Reading the config volumes needs a
      short-lived helper container (C(opt-helper-state), removed right after), also in check mode.
  diff_mode:
    support: none
    description: The state is bookkeeping of the run, not a setting of the host.
options:
  state:
    description:
      - V(check) compares, V(record) stores.
    type: str
    choices: [check, record]
    default: check
  inputs:
    description:
      - Digests of everything the converge of this Docker host depends on, by name (see the filters
        coaxis.opt.opt_host_inputs and coaxis.opt.opt_code_digest); a value that is not a digest is
        digested here. The names of those that changed are in RV(reasons).
    type: dict
    required: true
  network:
    description:
      - Name of the client network.
    type: str
    required: true
  images:
    description:
      - Image references the converge uses (docker-opt, firewall, edge).
    type: list
    elements: str
    default: []
  clients:
    description:
      - The clients of this Docker host, whose config volumes are read.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Client name.
        type: str
        required: true
      config_volume:
        description: Name of its config volume; C(<volume_prefix><name>-config) when unset.
        type: str
  volume_prefix:
    description:
      - Prefix of the default config volume names.
    type: str
    default: opt-
  helper_image:
    description:
      - Image of the helper container that reads the config volumes (the docker-opt image, never pulled).
    type: str
    required: true
  firewall:
    description:
      - Name of the firewall container.
    type: str
    default: opt-firewall
  edge:
    description:
      - Name of the edge proxy container.
    type: str
    default: opt-edge
  state_dir:
    description:
      - Directory of the state files on the host the module runs on (one file per engine and network).
    type: path
    default: /var/lib/coaxis-opt
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Is the Docker host as its last converge left it?
  coaxis.opt.opt_state:
    docker_host: unix:///run/coaxis-lab/docker.sock
    inputs: "{{ groups | coaxis.opt.opt_host_inputs(hostvars, inventory_hostname) }}"
    network: opt-clients
    images: [coaxis/docker-opt:lab]
    clients: [{name: acme}]
    helper_image: coaxis/docker-opt:lab
  register: host_state

- name: Converge only when something differs
  ansible.builtin.debug:
    msg: "{{ host_state.reasons }}"
  when: not host_state.converged
"""

RETURN = r"""
converged:
  description: With O(state=check), whether the inputs and the engine are as recorded.
  returned: success
  type: bool
reasons:
  description:
    - What differs, V([]) when nothing does. V(no_state), or V(inputs:<name>) for each changed input
      (V(inputs:...) past five), then the parts among images, containers, network, volumes, configs,
      firewall, edge.
  returned: success
  type: list
  elements: str
  sample: ['inputs:client.acme', containers]
recorded:
  description:
    - With O(state=record), whether the state was stored (never in check mode). A state that cannot
      be written is a warning, not a failure; the next run then converges as if there were none.
  returned: success
  type: bool
plan:
  description: Always empty (the module only reads; a record is bookkeeping, not a change).
  returned: always
  type: list
  elements: dict
summary:
  description: The operator's lines (none; playbooks/site.yml words RV(converged) and RV(reasons)).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

import os

from ansible_collections.coaxis.opt.plugins.module_utils import _hoststate, _naming, _stateapply
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Runner

SPEC = dict(
    state=dict(type='str', default='check', choices=['check', 'record']),
    inputs=dict(type='dict', required=True),
    network=dict(type='str', required=True),
    images=dict(type='list', elements='str', default=[]),
    clients=dict(type='list', elements='dict', default=[], options=dict(
        name=dict(type='str', required=True), config_volume=dict(type='str'))),
    volume_prefix=dict(type='str', default='opt-'),
    helper_image=dict(type='str', required=True),
    firewall=dict(type='str', default='opt-firewall'),
    edge=dict(type='str', default='opt-edge'),
    state_dir=dict(type='path', default='/var/lib/coaxis-opt'),
)


def plan(run):
    params = run.params
    spec = dict((key, params[key]) for key in ('network', 'images', 'helper_image', 'firewall', 'edge'))
    spec['config_volumes'] = [c['config_volume'] or _naming.volume_name(c['name'], 'config', params['volume_prefix'])
                              for c in params['clients']]
    spec['images'] = sorted(set(spec['images'] + [spec['helper_image']]))
    spec['helper_name'] = _naming.helper_name('state')
    current = _hoststate.fingerprint(params['inputs'], _hoststate.observe(run.client, spec))
    path = os.path.join(params['state_dir'], _hoststate.state_name(run.url, params['network']))
    if params['state'] == 'check':
        reasons = _hoststate.differences(_stateapply.read_state(path), current)
        return Plan(converged=not reasons, reasons=reasons, recorded=False)
    return Plan(recorded=False, converged=True, reasons=[], data=dict(path=path, current=current))


def record(run, planned):
    """The record is bookkeeping of the run, not a change of the host: changed stays false."""
    if run.params['state'] != 'record':
        return
    try:
        _stateapply.write_state(planned.data['path'], planned.data['current'])
        planned.result['recorded'] = True
    except OSError as exc:
        # The converge itself is done: without its state, the next run only reads more.
        run.warn(run.msg('state_write_failed', path=planned.data['path'], error=str(exc)))


def main():
    Runner(SPEC, plan, record=record).main()


if __name__ == '__main__':
    main()
