#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: opt_route
short_description: Static routes of a Coaxis host to the client networks, at runtime and persisted (Coaxis OPT)
version_added: 0.1.0
description:
  - Runs on a Coaxis host (Linux, as root). Makes every route of O(routes) present or absent in the
    main routing table with C(ip route add)/C(ip route del), and persists the present ones in a
    systemd unit of its own, C(/etc/systemd/system/<unit>.service).
  - "The whole request is checked before any change, and every problem is reported at once: a
    destination that is not a network address (the error names the network it meant), a gateway
    inside its destination, a destination listed twice or overlapping another one, a gateway that
    is not on a directly connected network of the host (C(ip route get)), and a route that
    conflicts with the host's table: the same destination through another gateway or device, or a
    more specific route inside the destination that this module did not make. A conflicting route
    is never overwritten. An identical existing route is adopted as it is."
  - A route the unit made, whose gateway the task now gives differently, is moved to the new gateway.
    Routes the unit holds that the task does not name are kept; remove one with O(routes[].state=absent).
  - "Why a unit of its own and not the host's network configuration: it works the same whatever
    manages the host's interfaces (ifupdown, NetworkManager, netplan, systemd-networkd), it never
    edits a file that, written wrong, could cut the host off the network at its next boot, and it is
    easy to inspect and undo (C(systemctl cat <unit>), C(systemctl disable <unit>)). The unit is a
    C(oneshot) ordered after C(network-online.target) with one C(ExecStart=-ip route add) and one
    C(ExecStop=-ip route del) line per route; a route already there does not fail it."
  - The unit is enabled, and started only when it is not active, so routes in place are never
    dropped by a restart. When no present route is left, the unit is disabled and removed.
extends_documentation_fragment:
  - coaxis.opt.result
attributes:
  check_mode:
    support: full
    description: Reads the routing table and the unit, plans, changes nothing.
  diff_mode:
    support: full
    description: The runtime routes and the unit file, before and after.
options:
  routes:
    description:
      - The routes to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description:
          - Destination network in CIDR form, for example V(10.128.0.0/16) (the client subnet).
        type: str
        required: true
      via:
        description:
          - IPv4 address of the gateway (the Docker host's address on the Coaxis LAN); it must be on a
            network directly connected to the host.
        type: str
        required: true
      state:
        description:
          - V(present) adds the route, V(absent) removes it (only through this gateway).
        type: str
        default: present
        choices: [present, absent]
      comment:
        description:
          - One line written above the route in the unit, for example the Docker host's name.
        type: str
  persist:
    description:
      - V(systemd) persists the present routes in the unit O(unit); the host must run systemd.
      - V(none) manages the runtime table only (lost at the next boot).
    type: str
    default: systemd
    choices: [systemd, none]
  unit:
    description:
      - Name of the systemd unit, without C(.service).
    type: str
    default: coaxis-opt-routes
  lang:
    description:
      - Language of the operator-facing messages.
    type: str
    default: en
    choices: [en, fr]
notes:
  - "Inspect what persists the routes with C(systemctl cat coaxis-opt-routes) and C(systemctl status coaxis-opt-routes)."
author:
  - Coaxis OPT team (@coaxis)
"""

EXAMPLES = r"""
- name: Route to the client subnet through the Docker host
  coaxis.opt.opt_route:
    routes:
      - dest: 172.16.0.0/16
        via: 192.168.2.156
        comment: docker-1.coaxis.lan
  become: true

- name: Remove it (and the unit, when no route is left)
  coaxis.opt.opt_route:
    routes:
      - dest: 172.16.0.0/16
        via: 192.168.2.156
        state: absent
    lang: fr
  become: true
"""

RETURN = r"""
routes:
  description: One entry per requested route, with what was done (or would be done in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    dest:
      description: Destination network, canonical CIDR form.
      type: str
      sample: 10.128.0.0/16
    via:
      description: Gateway.
      type: str
      sample: 10.129.0.1
    state:
      description: Requested state.
      type: str
    comment:
      description: The route's comment.
      type: str
    action:
      description: V(added), V(removed) or V(none) (already as requested).
      type: str
      sample: added
undeclared:
  description:
    - The routes the unit holds whose destination O(routes) does not name (kept; playbooks/drift.yml
      reports them and removes them with C(-e prune=true)). Empty with O(persist=none).
  returned: always
  type: list
  elements: dict
  sample: [{dest: 10.140.0.0/16, via: 10.129.0.9, comment: an old Docker host}]
unit:
  description: Path of the unit file (V(null) with O(persist=none)).
  returned: always
  type: str
  sample: /etc/systemd/system/coaxis-opt-routes.service
commands:
  description: The C(ip) commands run (or that would run), in order.
  returned: always
  type: list
  elements: str
  sample: ["ip route add 10.128.0.0/16 via 10.129.0.1"]
unit_steps:
  description: The unit steps done (or that would be done), among write, daemon-reload, enable, start, disable, stop, remove.
  returned: always
  type: list
  elements: str
plan:
  description: What was done (in check mode, what would be done), in order.
  returned: always
  type: list
  elements: dict
  contains:
    action: {description: "V(add) or V(del) (a route), or a unit step (see RV(unit_steps)).", type: str}
    target: {description: "C(route <dest> via <via>) or C(unit <name>).", type: str}
    reason: {description: Always null., type: str}
  sample: [{action: add, target: route 10.128.0.0/16 via 10.129.0.1, reason: null}]
summary:
  description: The operator's lines (none for this module; the role coaxis_route shows RV(routes)).
  returned: always
  type: list
  elements: str
errors:
  description: Every problem found; empty on success.
  returned: always
  type: list
  elements: str
"""

import json
import os

from ansible_collections.coaxis.opt.plugins.module_utils import _routeapply, _routeplan
from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS
from ansible_collections.coaxis.opt.plugins.module_utils._runner import Plan, Refused, Runner, action, diff_of

UNIT_DIR = '/etc/systemd/system'
SYSTEMD_RUNNING = '/run/systemd/system'

SPEC = dict(
    routes=dict(type='list', elements='dict', required=True, options=dict(
        dest=dict(type='str', required=True),
        via=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        comment=dict(type='str'),
    )),
    persist=dict(type='str', default='systemd', choices=['systemd', 'none']),
    unit=dict(type='str', default='coaxis-opt-routes'),
    lang=dict(type='str', default='en', choices=list(LANGS)),
)


def read_text(path):
    if not os.path.exists(path):
        return None
    with open(path) as stream:
        return stream.read()


def lookup(run, ip, via):
    """The first entry of C(ip -j route get <via>), or {'error': text}."""
    rc, out, err = run.module.run_command([ip, '-j', 'route', 'get', via])
    if rc != 0:
        return {'error': (err or out).strip()}
    answer = json.loads(out or '[]')
    return answer[0] if answer else {'error': run.msg('route_lookup_no_answer')}


def unit_is(run, state, unit):
    return run.module.run_command([run.module.get_bin_path('systemctl', required=True), state, '--quiet', unit])[0] == 0


def plan(run):
    persist, unit = run.params['persist'], run.params['unit']
    routes, errors = _routeplan.validate_routes(run.params['routes'], unit, run.lang)
    path = os.path.join(UNIT_DIR, unit + '.service') if persist == 'systemd' else None
    if path and not os.path.isdir(SYSTEMD_RUNNING):
        errors.append(run.msg('route_no_systemd', path=SYSTEMD_RUNNING))
    result = dict(routes=[], unit=path, commands=[], unit_steps=[], undeclared=[])
    if errors:
        raise Refused(errors, key='step_refused', **result)
    ip = os.path.realpath(run.module.get_bin_path('ip', required=True))
    shown = _routeapply.command(run, [ip, '-j', 'route', 'show', 'table', 'main'], **result)
    runtime = _routeplan.normalize_runtime(json.loads(shown or '[]'))
    gateways = dict((via, lookup(run, ip, via)) for via in sorted(set(r['via'] for r in routes if r['state'] == 'present')))
    before = read_text(path) if path else None
    if path and not _routeplan.unit_is_ours(before):
        errors.append(run.msg('route_unit_foreign', path=path))
    managed = _routeplan.parse_unit(before) if path and not errors else []
    decided = _routeplan.plan_routes(routes, runtime, gateways, managed, run.lang)
    errors += decided['errors']
    result.update(routes=decided['results'], undeclared=_routeplan.undeclared(routes, managed))
    if errors:
        raise Refused(errors, key='step_refused', **result)
    after = _routeplan.render_unit(decided['unit_routes'], ip, unit) if path else None
    steps = _routeplan.plan_systemd(before, after, unit_is(run, 'is-enabled', unit),
                                    unit_is(run, 'is-active', unit)) if path else []
    commands = decided['commands']
    diff = [dict(before_header=run.msg('diff_runtime_routes'), after_header=run.msg('diff_runtime_routes_after'),
                 before='\n'.join(_routeplan.describe(r) for r in runtime) + '\n',
                 after='\n'.join(_routeplan.runtime_after(runtime, commands)) + '\n')]
    if path:
        diff.append(diff_of(before or '', after or '', path))
    actions = [action(c[1], 'route %s via %s' % (c[2], c[4])) for c in commands]
    actions += [action(step, 'unit %s' % unit) for step in steps]
    result.update(commands=['ip ' + ' '.join(c) for c in commands], unit_steps=steps)
    return Plan(actions, summary=[], diff=diff, data=dict(ip=ip, commands=commands, steps=steps,
                                                          unit=dict(name=unit, path=path, after=after)), **result)


def apply(run, planned):
    data = planned.data
    _routeapply.apply(run, data['ip'], data['commands'], data['unit'], data['steps'], planned.result)


def main():
    Runner(SPEC, plan, apply, docker=False).main()


if __name__ == '__main__':
    main()
