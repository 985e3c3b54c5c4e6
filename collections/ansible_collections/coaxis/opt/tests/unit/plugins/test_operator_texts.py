# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every text an operator reads comes from the message catalog, in the language they chose.

A static scan of the plugins (modules, module_utils, filters) and of the playbooks and roles:
  - no operator text written in the code: what reaches fail_json, warn, a result's message or
    error, a raised exception, a diff header, a refused Docker step, a playbook's fail, assert or
    debug message is either a catalog message or a value (a name, an address, a command);
  - every key the code renders is in the catalog, and every key of the catalog is used;
  - the operator's language reaches every renderer, and it is ``en`` wherever nobody chose one.

A *text* is a literal with a word of two letters or more once its placeholders, identifiers
(``opt_validate_clients``, ``owner.json``, ``coaxis.opt.opt_ipplan``) and language codes are
taken out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.coaxis.opt.plugins.module_utils._messages import LANGS, MESSAGES

COLLECTION = Path(__file__).resolve().parents[3]
PLUGINS = COLLECTION / 'plugins'
CATALOG = PLUGINS / 'module_utils' / '_messages.py'
# The project around the collection (playbooks, roles, inventories), when the tests run from it.
PROJECT = COLLECTION.parents[3] if (COLLECTION.parents[3] / 'playbooks').is_dir() else None
needs_project = pytest.mark.skipif(PROJECT is None, reason='the collection alone, without its project')

# Result fields, keyword arguments and dict keys whose value an operator reads.
SINK_KEYS = frozenset(['msg', 'message', 'messages', 'error', 'errors', 'warning', 'warnings',
                       'before_header', 'after_header', 'fail_msg', 'success_msg'])
# Calls that render a catalog message: their first argument is the key, the second the language.
RENDERERS = frozenset(['msg'])

# The only places where a text may stay outside the catalog, and why.
EXEMPT_CALLS = {
    'usage_error': 'a filter given the wrong kind of input is a bug of the playbook, read by its '
                   'author: English, like the errors of Ansible itself (plugin_utils/filter_errors.py)',
}
EXEMPT_FUNCTIONS = {
    ('module_utils/_tunnelplan.py', 'parse_status'): 'a ValueError its callers catch (the status is '
                                                     'then unreadable, reported as tunnel_no_daemon)',
    # The survey data of awx/vars is written by the project's developers, not by operators: a
    # malformed question is a bug reported to its author, like usage_error().
    ('module_utils/_survey.py', 'choice_labels'): 'SurveyError: malformed survey data (awx/vars)',
    ('module_utils/_survey.py', 'canonical_choice'): 'SurveyError: malformed survey data (awx/vars)',
    ('module_utils/_survey.py', '_question'): 'SurveyError: malformed survey data (awx/vars)',
    ('module_utils/_survey.py', '_choices'): 'SurveyError: malformed survey data (awx/vars)',
    ('module_utils/_survey.py', 'survey_spec'): 'SurveyError: malformed survey data (awx/vars)',
}

PLACEHOLDER = re.compile(r'%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdrgfx%]|\{[^{}]*\}')
TOKEN = re.compile(r'[\w.\-/@~]+')
WORD = re.compile(r'[^\W\d_]{2,}')


def is_text(literal):
    """True when ``literal`` says something in a language (see the module docstring)."""
    rest = PLACEHOLDER.sub(' ', literal)
    return any(WORD.fullmatch(token) and token not in LANGS for token in TOKEN.findall(rest))


def test_is_text():
    for text in ('the request', 'TCP: ', '%s address', 'exit code %s', 'no firewall container',
                 "state must be present or absent, not {{ x }}", ' and %d more'):
        assert is_text(text), text
    for value in ('; ', ', ', ' (%s)', 'opt_validate_clients: ', 'opt_config', '%s: %s', '-', '?',
                  'coaxis.opt.opt_ipplan', '{client}', '%s/%s', 'owner.json', 'en', 'fr'):
        assert not is_text(value), value


# --- Python -------------------------------------------------------------------------------------

def call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


class Scope:
    """The assignments of one function (or of the module): where a name used in a message comes from."""

    def __init__(self, node):
        self.values = {}
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            self.values.setdefault(name.id, []).append(child.value)
            elif isinstance(child, (ast.AugAssign, ast.AnnAssign)) and isinstance(child.target, ast.Name) \
                    and child.value is not None:
                self.values.setdefault(child.target.id, []).append(child.value)
            elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) \
                    and child.func.attr in ('append', 'extend', 'insert') and isinstance(child.func.value, ast.Name):
                self.values.setdefault(child.func.value.id, []).extend(child.args[-1:])


def literal_texts(node, scope, seen=None):
    """The text literals that flow into the value of ``node``: (line, literal)."""
    seen = set() if seen is None else seen
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and is_text(node.value):
            yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from literal_texts(part.value if isinstance(part, ast.FormattedValue) else part, scope, seen)
    elif isinstance(node, ast.BinOp):
        yield from literal_texts(node.left, scope, seen)
        yield from literal_texts(node.right, scope, seen)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from literal_texts(value, scope, seen)
    elif isinstance(node, ast.IfExp):
        yield from literal_texts(node.body, scope, seen)
        yield from literal_texts(node.orelse, scope, seen)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from literal_texts(element, scope, seen)
    elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        yield from literal_texts(node.elt, scope, seen)
    elif isinstance(node, ast.Starred):
        yield from literal_texts(node.value, scope, seen)
    elif isinstance(node, ast.Name):
        if node.id not in seen:
            seen.add(node.id)
            for value in scope.values.get(node.id, []):
                yield from literal_texts(value, scope, seen)
    elif isinstance(node, ast.Call):
        name = call_name(node)
        if name in RENDERERS:
            # The key and the language are not texts; the values put into the message may be.
            for argument in node.args[2:]:
                yield from literal_texts(argument, scope, seen)
            for keyword in node.keywords:
                yield from literal_texts(keyword.value, scope, seen)
        elif name == 'join' and isinstance(node.func, ast.Attribute):
            yield from literal_texts(node.func.value, scope, seen)
            for argument in node.args:
                yield from literal_texts(argument, scope, seen)
        elif name in ('str', 'format') or (isinstance(node.func, ast.Attribute) and name in ('strip', 'format')):
            if isinstance(node.func, ast.Attribute):
                yield from literal_texts(node.func.value, scope, seen)
            for argument in node.args:
                yield from literal_texts(argument, scope, seen)
        # Any other call computes its value: its own sinks are scanned where it builds one.


def sink_values(node):
    """The expressions of ``node`` that an operator reads."""
    if isinstance(node, ast.Call):
        name = call_name(node)
        for keyword in node.keywords:
            if keyword.arg in SINK_KEYS:
                yield keyword.value
        if name in ('warn', 'deprecate', 'fail_json') and node.args:
            yield node.args[0]
        if name == 'docker_error_message':
            yield from node.args[2:3]
            yield from (keyword.value for keyword in node.keywords if keyword.arg == 'action')
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value in SINK_KEYS:
                yield value
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                    and target.slice.value in SINK_KEYS:
                yield node.value
    elif isinstance(node, ast.Raise) and node.exc is not None:
        if not (isinstance(node.exc, ast.Call) and call_name(node.exc) in EXEMPT_CALLS):
            yield node.exc.args[0] if isinstance(node.exc, ast.Call) and node.exc.args else node.exc


def functions(tree):
    """(name, node) of every function, and of the module for its top-level code."""
    yield None, tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node


def own_nodes(function):
    """The nodes of ``function`` outside its nested functions (they are scanned on their own)."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) \
                and node is not function:
            if isinstance(node, ast.ClassDef):
                todo.extend(n for n in node.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
            elif isinstance(node, ast.Lambda):
                todo.append(node.body)
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def python_findings(path, relative):
    tree = ast.parse(path.read_text(encoding='utf-8'))
    module_scope = Scope(tree)
    findings = []
    for name, function in functions(tree):
        if (relative, name) in EXEMPT_FUNCTIONS:
            continue
        scope = module_scope if name is None else Scope(function)
        for node in own_nodes(function):
            for value in sink_values(node):
                for line, literal in literal_texts(value, scope):
                    findings.append((line, '%s:%s: %r' % (relative, line, literal)))
    return [finding for _line, finding in sorted(set(findings))]


PYTHON_FILES = sorted(path for path in PLUGINS.rglob('*.py') if path != CATALOG and 'doc_fragments' not in path.parts)


@pytest.mark.parametrize('path', PYTHON_FILES, ids=lambda path: str(path.relative_to(PLUGINS)))
def test_no_operator_text_outside_the_catalog_in_the_plugins(path):
    assert python_findings(path, str(path.relative_to(PLUGINS))) == []


def test_the_python_scan_bites(tmp_path):
    source = tmp_path / 'sample.py'
    source.write_text('''
def main(module, lang, url, exc):
    step = 'the network inspect'
    module.fail_json(msg=docker_error_message(exc, url, step, lang))
    module.warn(msg('network_missing', lang) + ' (check mode: not checked)')
    errors = [msg('unknown_client', lang)]
    errors.append('no such thing')
    module.fail_json(msg='; '.join(errors), errors=errors)
    result = {'error': 'no answer', 'status': 'not a message'}
    raise StepFailed(msg('fw_apply_failed', lang, error=output or 'exit code %s' % code))
    raise usage_error('filter: a playbook bug')
    module.exit_json(message=msg('fw_summary', lang, added=', '.join(added) or '-'))
''')
    assert [finding.split(': ', 1)[1] for finding in python_findings(source, 'sample.py')] == [
        "'the network inspect'", "' (check mode: not checked)'", "'no such thing'", "'no answer'",
        "'exit code %s'"]


# --- catalog keys -------------------------------------------------------------------------------

def rendered_keys(tree):
    """(keys, prefixes) rendered by msg(): a constant key, either constant of a conditional key,
    the constant start of a key built at run time."""
    keys, prefixes = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in RENDERERS and node.args:
            key = node.args[0]
            for option in (key.body, key.orelse) if isinstance(key, ast.IfExp) else (key,):
                if isinstance(option, ast.Constant):
                    keys.add(option.value)
                elif isinstance(option, ast.BinOp) and isinstance(option.left, ast.Constant):
                    prefixes.add(option.left.value.split('%')[0])
    return keys, prefixes


def catalog_code():
    """The catalog module without its MESSAGES dict (its functions may use keys too)."""
    tree = ast.parse(CATALOG.read_text(encoding='utf-8'))
    tree.body = [node for node in tree.body
                 if not (isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'MESSAGES' for t in node.targets))]
    return tree


def yaml_files():
    if PROJECT is None:
        return []
    return sorted(list((PROJECT / 'playbooks').rglob('*.yml')) + list((PROJECT / 'roles').glob('*/*/*.yml'))
                  + list((PROJECT / 'awx').glob('*.yml')))


OPT_MSG_KEY = re.compile(r"""['"]([a-z0-9_]+)['"]\s*\|\s*coaxis\.opt\.opt_msg\b""")


def used_keys(with_awx=True):
    """Every catalog key the code and the playbooks use: (keys rendered, prefixes, every string constant).

    with_awx=False: without what awx/ uses (a key of the collection's catalog serves the hosts: its
    modules, filters, roles or playbooks; the texts only awx/ uses are in awx/vars/messages.yml)."""
    keys, prefixes, constants = set(), set(), set()
    trees = [ast.parse(path.read_text(encoding='utf-8')) for path in PYTHON_FILES] + [catalog_code()]
    for tree in trees:
        found, starts = rendered_keys(tree)
        keys |= found
        prefixes |= starts
        constants |= set(node.value for node in ast.walk(tree)
                         if isinstance(node, ast.Constant) and isinstance(node.value, str))
    for path in yaml_files():
        if not with_awx and path.relative_to(PROJECT).parts[0] == 'awx':
            continue
        text = path.read_text(encoding='utf-8')
        keys |= set(OPT_MSG_KEY.findall(text))
        constants |= set(re.findall(r"""['"]([a-z0-9_]+)['"]""", text))
    return keys, prefixes, constants


def test_every_key_the_code_renders_is_in_the_catalog():
    keys, prefixes, _constants = used_keys()
    assert sorted(key for key in keys if key not in MESSAGES) == []
    assert sorted(p for p in prefixes if not any(key.startswith(p) for key in MESSAGES)) == []


def unused_keys(messages, with_awx=False):
    keys, prefixes, constants = used_keys(with_awx)
    return [key for key in messages
            if key not in keys and key not in constants and not any(key.startswith(p) for p in prefixes)]


def test_every_catalog_key_is_used_by_what_runs_on_the_hosts():
    """Used by the modules, filters, roles or playbooks: a key only awx/ uses belongs to awx/vars/messages.yml."""
    assert unused_keys(MESSAGES) == []


@needs_project
def test_the_use_check_bites_on_a_key_only_awx_uses():
    assert unused_keys(dict(MESSAGES, awx_secrets_missing={'en': 'x', 'fr': 'x'})) == ['awx_secrets_missing']
    assert unused_keys(dict(MESSAGES, survey_q_client={'en': 'x', 'fr': 'x'})) == ['survey_q_client']


# --- the AWX texts (awx/vars/messages.yml) -------------------------------------------------------

AWX_TEXTS = PROJECT / 'awx' / 'vars' / 'messages.yml' if PROJECT else None
AWX_READ = re.compile(r"""awx_messages\[['"]([a-z0-9_]+)['"]\]""")


def awx_texts():
    return yaml.safe_load(AWX_TEXTS.read_text(encoding='utf-8'))


def awx_used_texts(surveys, configure_text):
    """The keys of the AWX texts that awx/ reads: each survey's name and description, each question's
    label and help (the rule of module_utils/_survey.py), and what configure.yml reads by name."""
    def resolve(value):  # a question given as "{{ awx_q_client }}", a variable of surveys.yml
        match = re.fullmatch(r'\{\{\s*(\w+)\s*\}\}', value) if isinstance(value, str) else None
        return surveys[match.group(1)] if match else value

    keys = set()
    for survey, questions in surveys['awx_surveys'].items():
        keys |= {'survey_%s' % survey, 'survey_%s_help' % survey}
        for question in map(resolve, questions):
            label = question.get('label') or 'survey_q_%s' % question['variable']
            keys |= {label, question.get('help') or '%s_help' % label}
    return keys | set(AWX_READ.findall(configure_text))


def awx_problems(texts, surveys, configure_text):
    used = awx_used_texts(surveys, configure_text)
    return (['%s: not used by awx/' % key for key in sorted(set(texts) - used)]
            + ['%s: read by awx/, not in awx/vars/messages.yml' % key for key in sorted(used - set(texts))]
            + ['%s: in both catalogs' % key for key in sorted(set(texts) & set(MESSAGES))])


@needs_project
def test_every_awx_text_is_used_by_awx_and_only_there():
    surveys = yaml.safe_load((PROJECT / 'awx' / 'vars' / 'surveys.yml').read_text(encoding='utf-8'))
    configure = (PROJECT / 'awx' / 'configure.yml').read_text(encoding='utf-8')
    assert awx_problems(awx_texts()['awx_messages'], surveys, configure) == []


def test_the_awx_check_bites():
    surveys = {'awx_q_client': {'variable': 'client'},
               'awx_surveys': {'tunnel': ['{{ awx_q_client }}', {'variable': 'site', 'label': 'survey_q_where'}]}}
    configure = "msg: \"{{ awx_messages['awx_gone'][awx_lang] }}\""
    texts = dict((key, {'en': 'x', 'fr': 'x'}) for key in (
        'survey_tunnel', 'survey_tunnel_help', 'survey_q_client', 'survey_q_client_help', 'survey_q_where',
        'survey_q_site', 'ip_invalid'))
    assert awx_problems(texts, surveys, configure) == [
        'ip_invalid: not used by awx/', 'survey_q_site: not used by awx/',
        'awx_gone: read by awx/, not in awx/vars/messages.yml',
        'survey_q_where_help: read by awx/, not in awx/vars/messages.yml',
        'ip_invalid: in both catalogs']


# --- playbooks and roles --------------------------------------------------------------------------

MESSAGE_MODULES = frozenset(['fail', 'assert', 'debug'])
MESSAGE_ARGS = ('msg', 'fail_msg', 'success_msg')
JINJA = re.compile(r'\{\{.*?\}\}|\{%.*?%\}', re.S)
JINJA_STRING = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


def tasks(data):
    """Every task (dict) of a playbook or a task file, blocks and plays included."""
    if isinstance(data, list):
        for item in data:
            yield from tasks(item)
    elif isinstance(data, dict):
        yield data
        for key in ('tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always'):
            yield from tasks(data.get(key))


def module_of(task):
    for key in task:
        if key.rsplit('.', 1)[-1] in MESSAGE_MODULES and key in (key.rsplit('.', 1)[-1], 'ansible.builtin.' + key.rsplit('.', 1)[-1]):
            return key.rsplit('.', 1)[-1], task[key]
    return None, None


def template_texts(value):
    """The texts of a templated message: outside its expressions, and string literals inside them.

    Inside an expression a lone word is a name (an attribute, a key, a state): only a literal of
    several words counts as a text there."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        if not isinstance(item, str):
            continue
        if is_text(JINJA.sub(' ', item)):
            yield JINJA.sub('{{ ... }}', item).strip()
        for expression in JINJA.findall(item):
            for single, double in JINJA_STRING.findall(expression):
                literal = single or double
                if is_text(literal) and len(literal.split()) > 1:
                    yield literal


def yaml_findings(path, relative):
    findings = []
    for task in tasks(yaml.safe_load(path.read_text(encoding='utf-8'))):
        module, args = module_of(task)
        if module is None or not isinstance(args, dict):
            continue
        for arg in MESSAGE_ARGS:
            for text in template_texts(args.get(arg)):
                findings.append('%s: %s %s: %r' % (relative, task.get('name'), arg, text))
    return findings


@needs_project
@pytest.mark.parametrize('path', yaml_files(), ids=lambda path: str(path.relative_to(PROJECT)))
def test_no_operator_text_outside_the_catalog_in_the_playbooks_and_roles(path):
    assert yaml_findings(path, str(path.relative_to(PROJECT))) == []


def test_the_playbook_scan_bites(tmp_path):
    playbook = tmp_path / 'play.yml'
    playbook.write_text('''
- hosts: all
  tasks:
    - name: Literal
      ansible.builtin.assert:
        that: x in ['a', 'b']
        fail_msg: "state must be a or b, not {{ x }}"
    - name: Nested
      block:
        - name: Inside an expression
          ansible.builtin.fail:
            msg: "{{ 'no such client ' ~ client }}"
        - name: Catalog
          ansible.builtin.debug:
            msg: "{{ 'report_written' | coaxis.opt.opt_msg(opt_lang | default('en'), html=a ~ '.html') }}"
''')
    assert yaml_findings(playbook, 'play.yml') == [
        "play.yml: Literal fail_msg: 'state must be a or b, not {{ ... }}'",
        "play.yml: Inside an expression msg: 'no such client '"]


# --- the operator's language --------------------------------------------------------------------

PLAYBOOK_LANG = "opt_lang | default('en')"
# Filters that render in a language: the call must say which.
LANG_FILTERS = ('opt_msg', 'opt_inventory_errors', 'opt_validate_clients', 'opt_report_json', 'opt_report_html',
                'opt_coaxis_routes')


def call_arguments(text, start):
    """The text between the parenthesis at ``start`` and its match."""
    depth = 0
    for index in range(start, len(text)):
        depth += {'(': 1, ')': -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1:index]
    raise AssertionError('unbalanced parenthesis at %d' % start)


def role_lang(path):
    """The language variable of the role ``path`` is in, awx_lang in awx/ (the surveys' language,
    from opt_lang), or the playbooks' expression."""
    parts = path.relative_to(PROJECT).parts
    if parts[0] == 'awx':
        return 'awx_lang'
    return '%s_lang' % parts[1] if parts[0] == 'roles' else PLAYBOOK_LANG


@needs_project
@pytest.mark.parametrize('path', [p for p in yaml_files() if '/defaults/' not in str(p) and '/meta/' not in str(p)],
                         ids=lambda path: str(path.relative_to(PROJECT)))
def test_the_language_reaches_every_renderer(path):
    text = path.read_text(encoding='utf-8')
    lang = role_lang(path)
    problems = []
    for match in re.finditer(r'coaxis\.opt\.(%s)\b(\()?' % '|'.join(LANG_FILTERS), text):
        arguments = call_arguments(text, match.end() - 1) if match.group(2) else ''
        if lang not in arguments:
            problems.append('%s without %s' % (match.group(0), lang))
    in_playbooks = path.relative_to(PROJECT).parts[0] == 'playbooks'
    for task in tasks(yaml.safe_load(text)):
        for key, args in task.items():
            if not (key.startswith('coaxis.opt.') and isinstance(args, dict)):
                continue
            if in_playbooks:
                # The play gives every module its language (module_defaults, checked below).
                for option in PLAY_OPTIONS:
                    if option in args:
                        problems.append('%s (%s): %s set on the task; the play sets it once (module_defaults)'
                                        % (task.get('name'), key, option))
            elif args.get('lang') != '{{ %s }}' % lang:
                problems.append('%s (%s): lang is %r, not "{{ %s }}"' % (task.get('name'), key, args.get('lang'), lang))
            if key.endswith(('import_role', 'include_role')) and isinstance(args, dict):
                role = args['name']
                if has_lang(role) and task.get('vars', {}).get('%s_lang' % role) != '{{ %s }}' % lang:
                    problems.append('%s: role %s without %s_lang: "{{ %s }}"' % (task.get('name'), role, role, lang))
    assert problems == []


# What a playbook sets once per play, with module_defaults, for the collection's modules its tasks
# (and the task files of playbooks/tasks/ they include) call: the action group that carries it and
# the value (None: any value naming the engine's URL, opt_docker_url of the Docker host).
PLAY_OPTIONS = {
    'lang': ('group/coaxis.opt.opt', '{{ %s }}' % PLAYBOOK_LANG),
    'docker_host': ('group/coaxis.opt.docker', None),
    'docker_tls': ('group/coaxis.opt.docker', None),
    'docker_insecure': ('group/coaxis.opt.docker', None),
}
RUNTIME = COLLECTION / 'meta' / 'runtime.yml'


def action_groups():
    return yaml.safe_load(RUNTIME.read_text(encoding='utf-8'))['action_groups']


def play_modules(items, base, seen=()):
    """(task name, module) of every collection module the tasks ``items`` call, following the task
    files they import or include (relative to ``base``, the playbook's folder); roles set their own."""
    found = []
    for task in tasks(items):
        for key, args in task.items():
            if key.startswith('coaxis.opt.') and isinstance(args, dict):
                found.append((task.get('name'), key.split('.')[-1]))
            elif key.rsplit('.', 1)[-1] in ('import_tasks', 'include_tasks'):
                name = args.get('file') if isinstance(args, dict) else args
                path = (base / name).resolve()
                if path not in seen:
                    found += play_modules(yaml.safe_load(path.read_text(encoding='utf-8')), base, seen + (path,))
    return found


def play_defaults_problems(path):
    """What the plays of playbook ``path`` lack: each play that calls a collection module sets, in its
    module_defaults, the language for every module and the engine for the Docker ones."""
    groups = action_groups()
    problems = []
    for play in yaml.safe_load(path.read_text(encoding='utf-8')):
        modules = play_modules(play.get('tasks', []) + play.get('pre_tasks', []) + play.get('post_tasks', [])
                               + play.get('handlers', []), path.parent)
        defaults = play.get('module_defaults') or {}
        for option, (group, value) in PLAY_OPTIONS.items():
            members = groups[group.rsplit('.', 1)[-1]]
            users = sorted(set(name for _task, name in modules if name in members))
            if not users:
                continue
            given = (defaults.get(group) or {}).get(option)
            if given is None:
                problems.append('%s: play "%s" calls %s without %s in module_defaults %s'
                                % (path.name, play.get('name'), ', '.join(users), option, group))
            elif value is not None and given != value:
                problems.append('%s: play "%s" sets %s to %r, not %r' % (path.name, play.get('name'), option, given, value))
            elif option == 'docker_host' and 'opt_docker_url' not in given:
                problems.append('%s: play "%s" sets docker_host to %r, not the engine opt_docker_url names'
                                % (path.name, play.get('name'), given))
    return problems


PLAYBOOKS = sorted((PROJECT / 'playbooks').glob('*.yml')) if PROJECT else []


@needs_project
@pytest.mark.parametrize('path', PLAYBOOKS, ids=lambda path: path.name)
def test_every_play_sets_the_language_and_the_engine_once(path):
    assert play_defaults_problems(path) == []


@needs_project
def test_the_play_check_bites(tmp_path):
    (tmp_path / 'tasks').mkdir()
    (tmp_path / 'tasks' / 'lock.yml').write_text('- name: Lock\n  coaxis.opt.opt_lock: {name: x}\n')
    playbook = tmp_path / 'play.yml'
    playbook.write_text('''
- name: Old shape
  hosts: docker_hosts
  module_defaults:
    group/coaxis.opt.docker:
      docker_tls: "{{ opt_docker_tls | default({}) }}"
      docker_insecure: "{{ opt_docker_insecure | default(false) }}"
  tasks:
    - name: Lock
      ansible.builtin.import_tasks: tasks/lock.yml
    - name: Plan
      coaxis.opt.opt_ipplan:
        docker_host: "{{ opt_docker_url }}"
        lang: "{{ opt_lang | default('en') }}"
- name: English only
  hosts: coaxis_hosts
  module_defaults:
    group/coaxis.opt.opt:
      lang: en
  tasks:
    - name: Routes
      coaxis.opt.opt_route: {routes: []}
''')
    assert play_defaults_problems(playbook) == [
        'play.yml: play "Old shape" calls opt_ipplan, opt_lock without lang in module_defaults group/coaxis.opt.opt',
        'play.yml: play "Old shape" calls opt_ipplan without docker_host in module_defaults group/coaxis.opt.docker',
        'play.yml: play "English only" sets lang to \'en\', not "{{ opt_lang | default(\'en\') }}"',
    ]


def doc_options(path):
    """The options of a module as its documentation (and the doc fragments it extends) says."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    doc = yaml.safe_load(next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                              and getattr(node.targets[0], 'id', None) == 'DOCUMENTATION'))
    return set(doc.get('options') or {}), doc.get('extends_documentation_fragment') or []


def test_the_action_groups_hold_the_modules_that_take_their_options():
    """group opt: every module (each takes lang); group docker: every module that takes docker_host
    (the coaxis.opt.docker fragment), so module_defaults on them reach every module they must."""
    modules = sorted(path.stem for path in (PLUGINS / 'modules').glob('*.py'))
    docker = sorted(path.stem for path in (PLUGINS / 'modules').glob('*.py')
                    if 'coaxis.opt.docker' in doc_options(path)[1] or 'docker_host' in doc_options(path)[0])
    groups = action_groups()
    assert sorted(groups) == ['docker', 'opt']
    assert sorted(groups['opt']) == modules
    assert sorted(groups['docker']) == docker


def has_lang(role):
    defaults = yaml.safe_load((PROJECT / 'roles' / role / 'defaults' / 'main.yml').read_text(encoding='utf-8'))
    return '%s_lang' % role in (defaults or {})


@needs_project
def test_opt_lang_defaults_to_english_wherever_it_is_read():
    problems = []
    for path in yaml_files():
        for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1):
            if line.lstrip().startswith('#'):
                continue
            for match in re.finditer(r'\bopt_lang\b', line):
                if not line[match.start():].startswith(PLAYBOOK_LANG):
                    problems.append('%s:%d: %s' % (path.relative_to(PROJECT), number, line.strip()))
    assert problems == []


@needs_project
@pytest.mark.parametrize('inventory', sorted(p.name for p in (PROJECT / 'inventories').iterdir()) if PROJECT else [])
def test_every_inventory_says_english(inventory):
    values = yaml.safe_load((PROJECT / 'inventories' / inventory / 'group_vars' / 'all.yml').read_text(encoding='utf-8'))
    assert values['opt_lang'] == 'en'


@needs_project
@pytest.mark.parametrize('role', sorted(p.name for p in (PROJECT / 'roles').iterdir()) if PROJECT else [])
def test_every_role_speaks_english_unless_told(role):
    tasks_text = (PROJECT / 'roles' / role / 'tasks' / 'main.yml').read_text(encoding='utf-8')
    if 'lang' not in tasks_text:
        pytest.skip('%s renders nothing' % role)
    defaults = yaml.safe_load((PROJECT / 'roles' / role / 'defaults' / 'main.yml').read_text(encoding='utf-8'))
    specs = yaml.safe_load((PROJECT / 'roles' / role / 'meta' / 'argument_specs.yml').read_text(encoding='utf-8'))
    option = specs['argument_specs']['main']['options']['%s_lang' % role]
    assert defaults['%s_lang' % role] == 'en'
    assert (option['default'], tuple(option['choices'])) == ('en', LANGS)


def documented_lang(path):
    """The ``lang`` option of a module as its documentation (or the docker fragment it extends) says."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    docs = dict((node.targets[0].id, node.value.value) for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant))
    if 'DOCUMENTATION' not in docs:  # the doc fragment keeps its text in a class
        docs = dict((node.targets[0].id, node.value.value) for node in ast.walk(tree)
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'DOCUMENTATION')
    doc = yaml.safe_load(docs['DOCUMENTATION'])
    if 'lang' in doc.get('options', {}):
        return doc['options']['lang']
    if 'coaxis.opt.docker' in doc.get('extends_documentation_fragment', []):
        return documented_lang(PLUGINS / 'doc_fragments' / 'docker.py')
    return None


@pytest.mark.parametrize('path', sorted((PLUGINS / 'modules').glob('*.py')), ids=lambda path: path.stem)
def test_every_module_takes_the_language_english_by_default(path):
    option = documented_lang(path)
    assert option is not None, 'no lang option'
    assert (option.get('default'), tuple(option.get('choices') or ())) == ('en', LANGS)
