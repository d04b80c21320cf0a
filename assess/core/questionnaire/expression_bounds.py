"""Bounds on what a questionnaire's expressions and rule texts may compute.

Jinja2's sandbox stops attribute escapes, not resource exhaustion: `9**999999999 > 1`
hangs and `'a' * 10**9` takes a gigabyte. Two lines of defence, both here:

- at load, `check_expression` and `check_text` fold the constants of the tree with the
  same bounds as at run time (a huge constant power or repetition is an error at its
  line), refuse filters that can grow a value by an argument (`center`, `indent`, ...),
  and keep rule texts to output, `if`, `for` over the respondent's data (two deep at
  most) and `set` from that data (no macro, no recursion, no `set` chains that double);
- at run time, `BoundedSandbox` checks the operands of `*`, `**`, `+` and `%` before
  computing, and lets code call only methods that cannot grow a value: an answer-driven
  value cannot blow up either. A rule text's output is cut at MAX_TEXT_LENGTH.

No Flask here; the errors are `BoundExceeded` (an ArithmeticError, so an expression that
meets one at run time is false, as for any runtime error).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import nodes
from jinja2.filters import sync_do_join, sync_do_sum
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import pass_environment, pass_eval_context

# The largest integer a computation may produce, in bits (about 1,200 decimal digits).
MAX_INT_BITS = 4096
# The most characters or items a text or list may hold once computed.
MAX_SIZE = 100_000
# The longest a rendered rule text may be; past it, the text shows its source.
MAX_TEXT_LENGTH = 100_000
# How deep `for` loops may nest in a rule text.
MAX_LOOP_DEPTH = 2
# The names a loop may go over (and their fields): the respondent's data, bounded by the
# questionnaire (a multiple-choice answer has at most as many items as options).
LOOP_SOURCES = frozenset({"answers", "scores", "levels", "contact"})
# Filters that never make a value much larger than their input.
ALLOWED_FILTERS = frozenset(
    {
        "abs",
        "attr",
        "capitalize",
        "count",
        "d",
        "default",
        "dictsort",
        "e",
        "escape",
        "first",
        "float",
        "forceescape",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "striptags",
        "sum",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    }
)
# Methods that may be called on a text, a list or a mapping: none returns much more than it
# reads (`center`, `ljust`, `format`, `replace`, `join`, `append` could).
ALLOWED_METHODS = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "get",
        "index",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "isupper",
        "items",
        "keys",
        "lower",
        "lstrip",
        "rfind",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "title",
        "upper",
        "values",
    }
)
# The loop helper's own methods (`loop.cycle('odd', 'even')`, `loop.changed(x)`).
LOOP_METHODS = frozenset({"cycle", "changed"})
# Template statements a rule text may not use, with the tag an author knows them by.
_STATEMENT_TAGS = {
    "Macro": "{% macro %}",
    "CallBlock": "{% call %}",
    "FilterBlock": "{% filter %}",
    "AssignBlock": "{% set %}…{% endset %}",
    "Include": "{% include %}",
    "Import": "{% import %}",
    "FromImport": "{% from %}",
    "Extends": "{% extends %}",
    "Block": "{% block %}",
    "With": "{% with %}",
    "ScopedEvalContextModifier": "{% autoescape %}",
    "EvalContextModifier": "{% autoescape %}",
    "ExprStmt": "{% do %}",
}
_ALLOWED_STATEMENTS = (nodes.Template, nodes.Output, nodes.If, nodes.For, nodes.Assign)
_SEQUENCES = (str, bytes, list, tuple)


class BoundExceeded(ArithmeticError):
    """A computation that would exceed the bounds, or a construct that could."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "…"


def size_of(value: Any, budget: int = MAX_SIZE) -> int:
    """Characters and items in a value, nested containers counted three levels deep; the
    count stops soon after passing `budget`, so a check never costs more than the bound."""
    total = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending and total <= budget:
        item, depth = pending.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping | list | tuple | set | frozenset):
            total += len(item)
            if depth < 3 and total <= budget:
                inner = [*item.keys(), *item.values()] if isinstance(item, Mapping) else item
                pending.extend((child, depth + 1) for child in inner)
        else:
            total += 1
    return total


def check_power(base: Any, exponent: Any) -> None:
    """Refuse an integer power of more than MAX_INT_BITS bits (floats overflow by themselves)."""
    if not (_is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1):
        return
    if abs(base).bit_length() * exponent > MAX_INT_BITS:
        raise BoundExceeded(
            f"the power {_short(base)} ** {_short(exponent)} is too large "
            f"(over {MAX_INT_BITS} bits)"
        )


def check_product(left: Any, right: Any) -> None:
    """Refuse a repetition past MAX_SIZE, or an integer product past MAX_INT_BITS bits."""
    if _is_int(left) and _is_int(right):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise BoundExceeded(
                f"the product {_short(left)} * {_short(right)} is too large "
                f"(over {MAX_INT_BITS} bits)"
            )
        return
    sequence, times = (left, right) if _is_int(right) else (right, left)
    if not (isinstance(sequence, _SEQUENCES) and _is_int(times) and times > 0):
        return
    if times > MAX_SIZE or size_of(sequence) * times > MAX_SIZE:
        raise BoundExceeded(
            f"the repetition {_short(sequence)} * {_short(times)} is too long "
            f"(over {MAX_SIZE} characters or items)"
        )


def check_sum(left: Any, right: Any) -> None:
    """Refuse joining two texts or lists into more than MAX_SIZE characters or items."""
    both = isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES)
    if both and size_of(left) + size_of(right) > MAX_SIZE:
        raise BoundExceeded(f"the sum is too long (over {MAX_SIZE} characters or items)")


def check_modulo(left: Any) -> None:
    """Refuse `text % values`: a width such as `%0999999999d` builds a gigabyte."""
    if isinstance(left, str | bytes):
        raise BoundExceeded("'%' formatting of a text is refused (join texts with ~ instead)")


_CHECKS = {"**": check_power, "*": check_product, "+": check_sum}


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with `*`, `**`, `+` and `%` checked before they compute, only the
    allowed filters, and calls limited to methods that cannot grow a value."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.filters = {
            name: found for name, found in self.filters.items() if name in ALLOWED_FILTERS
        }
        self.filters["join"] = _bounded_join
        self.filters["sum"] = _bounded_sum
        self.globals.clear()  # only the names of the contract are in scope

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Check the operands, then compute."""
        if operator == "%":
            check_modulo(left)
        else:
            _CHECKS[operator](left, right)
        return self.binop_table[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Call only the allowed methods of a text, a list, a mapping or the loop helper."""
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        allowed = (isinstance(owner, str | list | tuple | Mapping) and name in ALLOWED_METHODS) or (
            isinstance(owner, LoopContext) and name in LOOP_METHODS
        )
        if not allowed:
            raise BoundExceeded(f"calling {name or type(__obj).__name__!r} is not allowed")
        return super().call(__context, __obj, *args, **kwargs)


@pass_eval_context
def _bounded_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    items = list(value)
    if size_of(items) + len(str(d)) * len(items) > MAX_SIZE:
        raise BoundExceeded(f"the joined text is too long (over {MAX_SIZE} characters)")
    return str(sync_do_join(eval_ctx, items, d, attribute))


@pass_environment
def _bounded_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    if not isinstance(start, int | float):  # a list start would concatenate quadratically
        raise BoundExceeded("sum starts from a number only")
    return sync_do_sum(environment, iterable, attribute, start)


_FOLDED_BINOPS: dict[type[nodes.Node], tuple[str, Any]] = {
    nodes.Pow: ("**", operator.pow),
    nodes.Mul: ("*", operator.mul),
    nodes.Add: ("+", operator.add),
    nodes.Mod: ("%", operator.mod),
}
_UNKNOWN = object()


def check_expression(tree: nodes.Node) -> None:
    """Fold the tree's constants under the run-time bounds and refuse the filters that are
    not allowed; BoundExceeded says what is wrong."""
    for node in [tree, *tree.find_all(nodes.Filter)]:
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise BoundExceeded(f"the filter '{node.name}' is not allowed")
    _fold(tree)


def _fold(node: nodes.Node) -> Any:
    """The node's constant value (computed under the bounds), or _UNKNOWN; every sub-tree is
    folded, so a huge constant anywhere is found."""
    children = [_fold(child) for child in node.iter_child_nodes()]
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List | nodes.Tuple) and _UNKNOWN not in children:
        return list(children) if isinstance(node, nodes.List) else tuple(children)
    if isinstance(node, nodes.Neg) and _is_number(children[0]):
        return -children[0]
    if isinstance(node, nodes.Concat) and _UNKNOWN not in children:
        joined = "".join(str(child) for child in children)
        if len(joined) > MAX_SIZE:
            raise BoundExceeded(f"the joined text is too long (over {MAX_SIZE} characters)")
        return joined
    folded = _FOLDED_BINOPS.get(type(node))
    if folded is None or len(children) != 2:
        return _UNKNOWN
    symbol, compute = folded
    left, right = children
    if symbol == "%" and left is not _UNKNOWN:
        check_modulo(left)
    if _UNKNOWN in (left, right):
        return _UNKNOWN
    if symbol != "%":
        _CHECKS[symbol](left, right)
    try:
        return compute(left, right)
    except (TypeError, ValueError, ArithmeticError):
        return _UNKNOWN


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_text(tree: nodes.Template) -> None:
    """Check a rule text: only output, if, for and set; loops over the respondent's data,
    two deep at most, never recursive; a set never reads a name the text sets (no chain
    that doubles a value); and every expression as `check_expression` does."""
    declared = {
        name.name
        for name in tree.find_all(nodes.Name)
        if name.ctx in {"store", "param"}  # set targets and loop variables
    }
    for node, depth in _statements(tree, 0):
        if not isinstance(node, _ALLOWED_STATEMENTS):
            tag = _STATEMENT_TAGS.get(type(node).__name__, type(node).__name__)
            raise BoundExceeded(f"'{tag}' is not allowed in a rule text")
        if isinstance(node, nodes.For):
            _check_loop(node, depth)
        if isinstance(node, nodes.Assign):
            for name in node.node.find_all(nodes.Name):
                if name.ctx == "load" and name.name in declared:
                    raise BoundExceeded(
                        f"'{{% set %}}' may not read '{name.name}', a name the text sets itself"
                    )
    check_expression(tree)


def _statements(node: nodes.Node, depth: int) -> Iterator[tuple[nodes.Node, int]]:
    """Every statement of the tree with the number of loops around it."""
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Stmt):
            yield child, depth
            yield from _statements(child, depth + isinstance(child, nodes.For))


def _check_loop(loop: nodes.For, depth: int) -> None:
    if loop.recursive:
        raise BoundExceeded("a recursive loop is not allowed in a rule text")
    if depth >= MAX_LOOP_DEPTH:
        raise BoundExceeded(
            f"loops nested more than {MAX_LOOP_DEPTH} deep are not allowed in a rule text"
        )
    source = loop.iter
    while isinstance(source, nodes.Filter) and source.node is not None:
        source = source.node
    if isinstance(source, nodes.Getattr | nodes.Getitem):
        source = source.node
    if not (isinstance(source, nodes.Name) and source.name in LOOP_SOURCES):
        raise BoundExceeded(
            "a loop may only go over answers, scores, levels or contact "
            "(for example 'answers.channels')"
        )
