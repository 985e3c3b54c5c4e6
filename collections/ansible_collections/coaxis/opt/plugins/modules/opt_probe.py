#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_probe
short_description: Service, TCP, ping and printer checks of OPT clients (Coaxis OPT)
version_added: 0.1.0
description:
  - For every client of O(clients) on one Docker host, runs C(mast status --json) and C(mast probe --json)
    in the client's container and returns, per site, the tunnel's state, a TCP connect ("telnet") to the
    site's SSH port and an ICMP echo to the site, both from the container, and per printer whether the
    site reaches it (a channel through the site's SSH server, which answers with success or the reason it
    cannot connect; nothing is sent to the printer).
  - Clients are probed in parallel, so one slow site does not slow the others. Every check is bounded by
    its timeout.
  - A client without a running container is reported as such (service V(stopped)), one without a container
    as not deployed (service V(absent)), not as a failure.
  - Read-only - it never changes anything, so it also runs in check mode.
extends_documentation_fragment:
  - coaxis.opt.docker
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Runs the checks (they change nothing).
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
options:
  clients:
    description:
      - Names of the clients to probe (all on this Docker host).
    type: list
    elements: str
    required: true
  container_prefix:
    description:
      - Prefix of the client containers' names (as given to M(coaxis.opt.opt_client)).
    type: str
    default: opt-
  tcp_timeout:
    description:
      - Seconds a TCP connect to a site may take.
    type: float
    default: 3
  ping_timeout:
    description:
      - Seconds to wait for a site's echo reply.
    type: float
    default: 3
  ssh_timeout:
    description:
      - Seconds a printer check (through the site's SSH server) may take.
    type: float
    default: 8
  workers:
    description:
      - Clients probed at the same time.
    type: int
    default: 8
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Probe every client of the Docker host
  coaxis.opt.opt_probe:
    docker_host: unix:///var/run/docker.sock
    clients: [acme, ma-societe]
    lang: fr
  register: probe

- name: Show one line per client
  ansible.builtin.debug:
    msg: "{{ probe.clients | map(attribute='message') | list }}"
"""

RETURN = r"""
clients:
  description: One entry per client, in the order of O(clients).
  returned: always
  type: list
  elements: dict
  contains:
    client:
      description: Client name.
      type: str
    container:
      description: Name of its container.
      type: str
    container_state:
      description: V(running), V(exited), ..., or V(absent) when there is no container.
      type: str
    service:
      description: >-
        V(up) (every site not stopped by the operator is up), V(degraded) (some are), V(down) (none, or mast does
        not answer), V(stopped) (its container does not run), V(absent) (no container: not deployed).
      type: str
    error:
      description: Why the client could not be probed fully, or null.
      type: str
    checked_at:
      description: When the checks ran (ISO 8601, UTC).
      type: str
    message:
      description: One line for the operator, in O(lang).
      type: str
    sites:
      description: >-
        Per site - C(site), C(host), C(port), C(state) (the tunnel - up, connecting, down, stopped), C(since),
        C(last_error), C(operator_stopped), C(tcp) and C(ping) (C(state) up/down/unsupported, C(ms), C(error)),
        C(printers) (C(name), C(address), C(port), C(listen_port), C(state) up/down/unknown, C(error)).
      type: list
      elements: dict
  sample:
    - client: acme
      container: opt-acme
      container_state: running
      service: up
      error: null
      checked_at: '2026-11-25T18:00:00Z'
      message: 'acme: service up; sites up 1/1; printers up 1/1'
      sites:
        - site: lyon
          host: 10.130.0.10
          port: 22
          state: up
          since: '2026-11-25T17:00:00Z'
          last_error: null
          operator_stopped: false
          tcp: {state: up, ms: 1.2, error: null}
          ping: {state: up, ms: 0.3, error: null}
          printers:
            - {name: accueil, address: 10.131.1.20, port: 9100, listen_port: 9101, state: up, error: null}
plan:
  description: Always empty (the module only reads).
  returned: always
  type: list
  elements: dict
summary:
  description: One line per client for the operator, in O(lang) (each client's C(message)).
  returned: always
  type: list
  elements: str
  sample: ['acme: service up; sites up 1/1; printers up 1/1']
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.coaxis.opt.plugins.module_utils import _proberead
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Runner

SPEC = dict(
    clients=dict(type='list', elements='str', required=True),
    container_prefix=dict(type='str', default='opt-'),
    tcp_timeout=dict(type='float', default=3),
    ping_timeout=dict(type='float', default=3),
    ssh_timeout=dict(type='float', default=8),
    workers=dict(type='int', default=8),
)


def plan(run):
    names = run.params['clients']
    client = run.client
    run.step('step_probe')
    with ThreadPoolExecutor(max_workers=max(1, min(run.params['workers'], len(names) or 1))) as pool:
        results = list(pool.map(lambda name: _proberead.probe_client(client, name, run.params), names))
    return Plan(summary=[r['message'] for r in results], clients=results)


def main():
    Runner(SPEC, plan).main()


if __name__ == '__main__':
    main()
