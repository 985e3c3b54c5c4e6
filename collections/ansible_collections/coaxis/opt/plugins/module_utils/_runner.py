# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way a coaxis.opt module runs: build it from its spec, plan, stop there in check mode,
apply, read back, and answer with the collection's return contract.

A module names a planner and an applier::

    def plan(run):                   # reads only; raises Refused on bad input
        ...
        return Plan(actions=[...], summary=[...], before=..., after=..., network=...)

    def apply(run, planned):         # the side effects, never called in check mode
        ...

    def main():
        Runner(SPEC, plan, apply).main()

Every answer carries ``changed``, ``plan`` (the actions, each with its target and reason),
``summary`` (the operator's lines, in the module's ``lang``), ``errors`` (empty on success) and,
with ``--diff``, ``diff``. Every failure carries ``msg``, ``errors`` and ``changed``: Docker and
HTTP errors are turned into one operator line naming the step that failed.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.coaxis.opt.plugins.module_utils import _docker
from ansible_collections.coaxis.opt.plugins.module_utils._contract import Plan, Refused, action, diff_of
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

# A module imports the contract's names from here, with the runner.
__all__ = ('Plan', 'Refused', 'Run', 'Runner', 'action', 'answer', 'diff_of')


class Run:
    """One run of a module: its parameters, language, engine URL and (on first use) engine
    client, the step in progress (named in an engine error), and whether anything changed yet."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.lang = module.params.get('lang') or 'en'
        self.url = module.params.get('docker_host')
        self.check_mode = module.check_mode
        self.changed = False
        # Keys a failure answer carries too (what was done so far): the applier fills them.
        self.result = {}
        self._client = None
        self._step = msg('step_request', self.lang)

    @property
    def client(self):
        if self._client is None:
            self._client = _docker.docker_client(self.module)
        return self._client

    def step(self, key, **values):
        """Name what is being done now; an engine error says it failed there."""
        self._step = msg(key, self.lang, **values)

    def msg(self, key, **values):
        return msg(key, self.lang, **values)

    def warn(self, text):
        self.module.warn(text)

    def fail(self, text, errors, **result):
        for key, value in self.result.items():
            result.setdefault(key, value)
        result.setdefault('changed', self.changed)
        result.setdefault('plan', [])
        result.setdefault('summary', [])
        self.module.fail_json(msg=text, errors=errors, **result)

    def refused(self, exc):
        errors = exc.errors
        text = (self.msg(exc.key, count=len(errors), errors='; '.join(errors))
                if exc.key else '; '.join(errors))
        self.fail(text, errors, **exc.result)

    def engine_error(self, exc):
        text = _docker.docker_error_message(exc, self.url, self._step, self.lang)
        self.fail(text, [text], exception=traceback.format_exc())


class Runner:
    """``argument_spec`` (the Docker options added when ``docker``), a planner and an applier
    (None: the module only reads), and ``read_back(run, planned)`` for what the answer reports
    after the changes (it updates ``planned.result``). ``read_back_unchanged``: read back also when
    nothing was to change (never in check mode), for an answer about a state that moves on its own
    (a tunnel coming up). ``always_apply``: the applier runs whatever the plan says, in check mode
    too, and changes nothing the plan reports (a coordination step such as the Docker host's lock,
    which a check run holds as a real run does). ``record(run, planned)``: bookkeeping every real
    run does last, whatever the plan says and never in check mode, that changes nothing the plan
    reports (the Docker host's recorded state)."""

    def __init__(self, argument_spec, plan, apply=None, read_back=None, docker=True, read_back_unchanged=False,
                 always_apply=False, record=None, **module_args):
        self.argument_spec = _docker.docker_argument_spec(**argument_spec) if docker else argument_spec
        self.plan, self.apply, self.read_back = plan, apply, read_back
        self.docker = docker
        self.always_apply = always_apply
        self.read_back_unchanged = read_back_unchanged
        self.record = record
        self.module_args = module_args

    def module(self):
        return AnsibleModule(argument_spec=self.argument_spec, supports_check_mode=True, **self.module_args)

    def main(self):
        module = self.module()
        run = Run(module)
        if self.docker:
            _docker.check_requirements(module)
        try:
            planned = self.plan(run)
            if self.always_apply:
                self.apply(run, planned)
            elif planned.changed and self.apply is not None and not module.check_mode:
                run.changed = True  # from here a failure may leave changes behind: say so
                self.apply(run, planned)
                if self.read_back is not None:
                    self.read_back(run, planned)
            elif self.read_back_unchanged and self.read_back is not None and not module.check_mode:
                self.read_back(run, planned)
            if self.record is not None and not module.check_mode:
                self.record(run, planned)
        except Refused as exc:
            run.refused(exc)
        except (_docker.DockerException, _docker.RequestException) as exc:
            run.engine_error(exc)
        module.exit_json(**answer(planned, module._diff))


def answer(planned, with_diff):
    """The contract's keys, then the module's own."""
    result = dict(planned.result)
    result.update(changed=planned.changed, plan=planned.actions, summary=planned.summary, errors=[])
    if with_diff and planned.diff is not None:
        result['diff'] = planned.diff
    return result
