# -*- coding: utf-8 -*-
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resource limits and bounded logs of the containers coaxis.opt creates: pure functions.

Three kinds of long-lived containers (the clients' docker-opt, the edge proxy, the firewall) get
a memory limit (no swap beyond it), a pids limit and a CPU share, and every container, the
short-lived helpers included, logs through a bounded Docker log driver (json-file or local,
max-size * max-file). The inventory sets them per Docker host (opt_client_limits,
opt_edge_limits, opt_firewall_limits, opt_log); every key has a default.

Measured on the lab (Docker 20.10, cgroup v1): a client with 2 sites ~21 MiB and 11 pids at rest,
22 MiB at peak under 3000 HTTPS requests through its nginx, 28 MiB (page cache included) and 11
pids while three 20 MiB print jobs crossed it at once (each more site ~3 MiB, 2 pids); the
edge 5 MiB with 2 vhosts, 15 MiB with 100 (18 MiB during a reload); the firewall under 4 MiB and
3 pids. The defaults leave more than ten times that.
"""

from __future__ import annotations

import re

from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg

KINDS = ('client', 'edge', 'firewall')
DEFAULTS = {
    'client': {'memory': '256m', 'pids': 256, 'cpus': 1.0},
    'edge': {'memory': '256m', 'pids': 256, 'cpus': 1.0},
    'firewall': {'memory': '64m', 'pids': 64, 'cpus': 0.5},
}
LOG_DRIVERS = ('json-file', 'local')
LOG_DEFAULTS = {'driver': 'json-file', 'max_size': '10m', 'max_file': 3}
# The helpers (config writer, volume copy) live for seconds and are removed with their logs.
HELPER_LOG = {'driver': 'json-file', 'max_size': '1m', 'max_file': 1}
# The inventory variables of a Docker host (docker_hosts), per kind.
INVENTORY = {'client': 'opt_client_limits', 'edge': 'opt_edge_limits', 'firewall': 'opt_firewall_limits'}
LOG_INVENTORY = 'opt_log'

SIZE_RE = re.compile(r'(?P<number>[1-9][0-9]{0,9})(?P<unit>[kmg]?)', re.IGNORECASE)
UNITS = {'': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3}
MEMORY_RANGE = (16 * 1024 ** 2, 64 * 1024 ** 3)   # Docker's own minimum is 6 MB
PIDS_RANGE = (16, 65536)
CPUS_RANGE = (0.01, 256.0)
LOG_SIZE_RANGE = (16 * 1024, 1024 ** 3)
LOG_FILES_RANGE = (1, 100)


def parse_size(value):
    """Bytes of ``value``: an int (bytes) or a string, a number with k, m or g (KiB, MiB, GiB).
    None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    match = SIZE_RE.fullmatch(value.strip())
    if not match:
        return None
    return int(match.group('number')) * UNITS[match.group('unit').lower()]


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _range_text(low, high, size=False):
    if size:
        return '%s..%s' % (human(low), human(high))
    return '%s..%s' % (low, high)


def human(size):
    for unit, factor in (('g', 1024 ** 3), ('m', 1024 ** 2), ('k', 1024)):
        if size % factor == 0:
            return '%d%s' % (size // factor, unit)
    return str(size)


def limits_of(kind, given):
    """The limits of a kind: the defaults overridden by the keys ``given`` sets (None ignored)."""
    result = dict(DEFAULTS[kind])
    result.update(dict((k, v) for k, v in (given or {}).items() if v is not None))
    return result


def log_of(given):
    result = dict(LOG_DEFAULTS)
    result.update(dict((k, v) for k, v in (given or {}).items() if v is not None))
    return result


# field, parser, range, shown as sizes, message key: the bounded values of each settings dict.
LIMIT_CHECKS = (
    ('memory', parse_size, MEMORY_RANGE, True, 'limits_memory_invalid'),
    ('pids', _integer, PIDS_RANGE, False, 'limits_pids_invalid'),
    ('cpus', _number, CPUS_RANGE, False, 'limits_cpus_invalid'),
)
LOG_CHECKS = (
    ('max_size', parse_size, LOG_SIZE_RANGE, True, 'log_max_size_invalid'),
    ('max_file', _integer, LOG_FILES_RANGE, False, 'log_max_file_invalid'),
)


def _known(given, defaults, where, lang):
    """(the keys of ``given`` that ``defaults`` knows, errors): ``given`` must be a dict (None: {})."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return None, [msg('limits_not_dict', lang, where=where, value=given)]
    errors = []
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        errors.append(msg('limits_unknown_key', lang, where=where, keys=', '.join(unknown),
                          known=', '.join(sorted(defaults))))
    return dict((k, v) for k, v in given.items() if k in defaults), errors


def _range_errors(values, checks, where, lang):
    errors = []
    for field, parse, (low, high), size, key in checks:
        parsed = parse(values[field])
        if parsed is None or not low <= parsed <= high:
            errors.append(msg(key, lang, where=where, value=values[field], range=_range_text(low, high, size=size)))
    return errors


def validate_limits(kind, given, where, lang='en'):
    """Every problem of the limits of one kind (``where`` names the variable), one message each."""
    known, errors = _known(given, DEFAULTS[kind], where, lang)
    if known is None:
        return errors
    return errors + _range_errors(limits_of(kind, known), LIMIT_CHECKS, where, lang)


def validate_log(given, where, lang='en'):
    """Every problem of the log settings (``where`` names the variable), one message each."""
    known, errors = _known(given, LOG_DEFAULTS, where, lang)
    if known is None:
        return errors
    log = log_of(known)
    if log['driver'] not in LOG_DRIVERS:
        errors.append(msg('log_driver_invalid', lang, where=where, value=log['driver'], drivers=', '.join(LOG_DRIVERS)))
    return errors + _range_errors(log, LOG_CHECKS, where, lang)


def engine_cpus_errors(kind, given, ncpu, where, url, lang='en'):
    """The engine refuses a CPU share above its own CPUs at create time, after other changes: say it first.
    ``given`` is VALID; ``ncpu`` the engine's CPUs (its info), None when unknown."""
    cpus = _number(limits_of(kind, given)['cpus'])
    if not ncpu or cpus <= ncpu:
        return []
    return [msg('limits_cpus_engine', lang, where=where, value=limits_of(kind, given)['cpus'], ncpu=ncpu, url=url)]


def limits_spec(kind, given):
    """The limits of a VALID setting as the engine takes them, for a container spec (and its hash)."""
    limits = limits_of(kind, given)
    memory = parse_size(limits['memory'])
    return {'memory': memory, 'pids': _integer(limits['pids']), 'nano_cpus': int(round(_number(limits['cpus']) * 1e9))}


def log_spec(given):
    """The log config of a VALID setting: {type, config} as Docker's LogConfig takes it."""
    log = log_of(given)
    size = parse_size(log['max_size'])
    return {'type': log['driver'], 'config': {'max-size': human(size), 'max-file': str(_integer(log['max_file']))}}


def host_config_args(limits, log):
    """create_host_config() keyword arguments of a limits_spec() and a log_spec() (either may be None)."""
    args = {}
    if limits:
        args.update(mem_limit=limits['memory'], memswap_limit=limits['memory'], pids_limit=limits['pids'],
                    nano_cpus=limits['nano_cpus'])
    if log:
        args['log_config'] = {'type': log['type'], 'config': dict(log['config'])}
    return args


def helper_host_config_args():
    """The bounded log of the short-lived helper containers."""
    return host_config_args(None, log_spec(HELPER_LOG))


def inventory_errors(groups, hostvars, lang='en'):
    """Every problem of the limits and log settings of every Docker host of the inventory."""
    errors = []
    for host in groups.get('docker_hosts') or []:
        variables = hostvars[host]
        for kind in KINDS:
            name = INVENTORY[kind]
            errors.extend('%s: %s' % (host, e) for e in validate_limits(kind, variables.get(name), name, lang))
        errors.extend('%s: %s' % (host, e) for e in validate_log(variables.get(LOG_INVENTORY), LOG_INVENTORY, lang))
    return errors
