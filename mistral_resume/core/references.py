# Copyright 2026 - mistral-resume authors
#
#    Licensed under the Apache License, Version 2.0 (the "License");
#    you may not use this file except in compliance with the License.
#    You may obtain a copy of the License at
#
#        http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS,
#    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
#    See the License for the specific language governing permissions and
#    limitations under the License.

"""Find the data context variables that Mistral expressions read.

Expressions are only parsed, never evaluated. Only yaql, Jinja2 and the
standard library are imported: importing mistral.* here would select the
oslo.service backend as a side effect.
"""

# yaql 3 uses collections.abc without importing it, so make sure it is loaded.
import collections.abc  # noqa: F401
import re

from jinja2 import nodes as jinja_nodes
from jinja2 import parser as jinja_parser
from jinja2 import sandbox
from yaql.language import expressions as yaql_expr
from yaql.language import factory as yaql_factory

# Same patterns as mistral.expressions: no DOTALL, so an expression spanning
# lines is not an expression for Mistral either.
_YAQL_INLINE = re.compile(r'<%.*?%>')
_JINJA_EXPR = re.compile(r'{{(.*?)}}')
_JINJA_BLOCK = re.compile(r'{%(.*?)%}')

# Mistral's engine settings ([yaql] keyword_operator/allow_delegates
# defaults); the evaluation options do not change the parse tree.
_YAQL_ENGINE = yaql_factory.YaqlFactory(
    keyword_operator='=>', allow_delegates=False).create()
_JINJA_ENV = sandbox.SandboxedEnvironment(trim_blocks=True,
                                          lstrip_blocks=True)

# Argument positions (0 is the receiver of a method call or the first
# argument of a plain call) that yaql passes as lambdas called with an item,
# a match, etc.: "$" is rebound inside them, so "$.x" there does not read the
# data context and those arguments are not walked; named (=>) arguments of
# these functions are skipped for the same reason. Taken from the yaql 3
# standard library; lambdas called without arguments ("and", "or",
# "coalesce", "switch"...) keep "$" and are walked normally.
_YAQL_LAMBDA_ARGS = dict.fromkeys(
    ('accumulate', 'aggregate', 'all', 'any', 'assert', 'def', 'distinct',
     'filter', 'indexWhere', 'lastIndexWhere', 'map', 'orderBy',
     'orderByDescending', 'reduce', 'select', 'selectMany', 'skipWhile',
     'sliceWhere', 'splitWhere', 'takeWhile', 'thenBy', 'thenByDescending',
     'where'),
    (1,))
_YAQL_LAMBDA_ARGS.update({
    'generate': (1, 2, 3), 'generateMany': (1, 2), 'groupBy': (1, 2, 3),
    'join': (2, 3), 'mergeWith': (2, 3), 'replaceBy': (2,),
    'search': (2,), 'searchAll': (2,), 'toDict': (1, 2)})

_MEMBER_OPERATORS = ('#operator_.', '#operator_?.')

# Task keys whose values may hold expressions evaluated against the context;
# "name", "description", "tags", "type", "version", "requires" and "join"
# never do, and "with-items" is handled on its own.
_TASK_EXPRESSION_KEYS = (
    'action', 'workflow', 'input', 'publish', 'publish-on-error',
    'publish-on-skip', 'on-success', 'on-error', 'on-complete', 'on-skip',
    'concurrency', 'target', 'keep-result', 'safe-rerun', 'wait-before',
    'wait-after', 'timeout', 'retry', 'pause-before', 'fail-on')

# Like mistral.lang.v2.tasks.WITH_ITEMS_PTRN: "var in <source>".
_WITH_ITEMS = re.compile(r'\s*([\w\-]+)\s*in\s*(.*)', re.DOTALL)


def _is_yaql_root(node):
    return (isinstance(node, yaql_expr.GetContextValue) and
            node.path.value == '$')


def _is_str_constant(node):
    return (isinstance(node, yaql_expr.Constant) and
            isinstance(node.value, str))


def _walk_yaql_call(name, args, found):
    lambdas = _YAQL_LAMBDA_ARGS.get(name, ())
    for pos, arg in enumerate(args):
        if pos in lambdas or (lambdas and pos and isinstance(
                arg, yaql_expr.MappingRuleExpression)):
            continue
        _walk_yaql(arg, found)


def _walk_yaql(node, found):
    if isinstance(node, yaql_expr.MappingRuleExpression):
        _walk_yaql(node.source, found)
        _walk_yaql(node.destination, found)
    elif isinstance(node, yaql_expr.Wrap):
        _walk_yaql(node.expr, found)
    elif not isinstance(node, yaql_expr.Function):
        return
    elif node.name in _MEMBER_OPERATORS:
        receiver, member = node.args
        if isinstance(member, yaql_expr.KeywordConstant):
            if _is_yaql_root(receiver):
                found.add(member.value)
            else:
                _walk_yaql(receiver, found)
        elif type(member) is yaql_expr.Function:
            # A method call: the receiver is its implicit first argument.
            if (_is_yaql_root(receiver) and member.name == 'get' and
                    member.args and _is_str_constant(member.args[0])):
                found.add(member.args[0].value)
            _walk_yaql_call(member.name, (receiver,) + member.args, found)
        else:
            # "recv.(expr)" evaluates expr with "$" bound to recv.
            _walk_yaql(receiver, found)
    elif node.name == '#indexer':
        obj, index = node.args[0], node.args[1:]
        if _is_yaql_root(obj) and len(index) == 1 and _is_str_constant(
                index[0]):
            found.add(index[0].value)
        else:
            _walk_yaql_call(node.name, node.args, found)
    elif node.name == '#operator_->':
        left, right = node.args
        _walk_yaql(left, found)
        # "with(...)" and "let(...)" with positional arguments rebind "$".
        rebinds = isinstance(left, yaql_expr.Function) and (
            left.name == 'with' or left.name == 'let' and any(
                not isinstance(a, yaql_expr.MappingRuleExpression)
                for a in left.args))
        if not rebinds:
            _walk_yaql(right, found)
    else:
        _walk_yaql_call(node.name, node.args, found)


def _yaql_references(text):
    found = set()
    for expr in _YAQL_INLINE.findall(text):
        try:
            tree = _YAQL_ENGINE(expr.strip('<%>').strip())
        except Exception:
            continue
        _walk_yaql(tree, found)
    return found


def _is_jinja_root(node):
    return isinstance(node, jinja_nodes.Name) and node.name == '_'


def _walk_jinja(node, found):
    if isinstance(node, jinja_nodes.Getattr) and _is_jinja_root(node.node):
        found.add(node.attr)
        return
    if isinstance(node, jinja_nodes.Getitem) and _is_jinja_root(node.node):
        if (isinstance(node.arg, jinja_nodes.Const) and
                isinstance(node.arg.value, str)):
            found.add(node.arg.value)
            return
    exclude = ()
    if (isinstance(node, jinja_nodes.Call) and
            isinstance(node.node, jinja_nodes.Getattr) and
            _is_jinja_root(node.node.node)):
        # A method of the whole context: only _.get('key') names a variable.
        exclude = ('node',)
        first = node.args[0] if node.args else None
        if (node.node.attr == 'get' and
                isinstance(first, jinja_nodes.Const) and
                isinstance(first.value, str)):
            found.add(first.value)
    for child in node.iter_child_nodes(exclude=exclude):
        _walk_jinja(child, found)


def _jinja_references(text):
    if not (_JINJA_EXPR.search(text) or _JINJA_BLOCK.search(text)):
        return set()
    found = set()
    try:
        trees = [_JINJA_ENV.parse(text)]
    except Exception:
        # Salvage the {{ }} expressions that parse on their own.
        trees = []
        for expr in _JINJA_EXPR.findall(text):
            try:
                trees.append(jinja_parser.Parser(
                    _JINJA_ENV, expr, state='variable').parse_expression())
            except Exception:
                continue
    for tree in trees:
        _walk_jinja(tree, found)
    return found


def expression_references(text):
    """Return the top-level context variables read by a string's expressions.

    Both inline YAQL (``<% $.x %>``) and Jinja (``{{ _.x }}``,
    ``{% for i in _.x %}``) are recognised; an expression that does not
    parse contributes nothing.

    :param text: One string value of a workflow or task spec.
    :return: A set of variable names, empty if there is no expression.
    """
    if not isinstance(text, str):
        return set()
    return _yaql_references(text) | _jinja_references(text)


def collect_references(value):
    """Return the variables read by every expression in a nested value.

    :param value: A string, or dicts/lists/tuples of them (keys included).
    :return: The union of expression_references() over all the strings.
    """
    if isinstance(value, str):
        return expression_references(value)
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= collect_references(key)
            found |= collect_references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= collect_references(item)
    return found


def task_references(task_spec):
    """Return the context variables a task's own expressions read.

    The "with-items" loop variables are provided by the iteration, so they
    are not reported unless a "with-items" source itself reads them.

    :param task_spec: The raw task spec dict (as in task_ex.spec).
    :return: A sorted list of variable names.
    """
    found = collect_references(
        [task_spec.get(key) for key in _TASK_EXPRESSION_KEYS])
    with_items = task_spec.get('with-items') or []
    if isinstance(with_items, str):
        with_items = [with_items]
    loop_vars, sources = set(), set()
    for item in with_items:
        match = isinstance(item, str) and _WITH_ITEMS.match(item)
        if match:
            loop_vars.add(match.group(1))
        sources |= collect_references(item)
    return sorted((found - loop_vars) | sources)
