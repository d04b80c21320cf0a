"""Questionnaire expressions (`show_if`, `when`) and rule texts, run in Jinja2's sandbox.

Expressions are compiled once, when the questionnaire is loaded; nothing is
ever passed to `eval`. The names an expression reads are collected at compile
time so the loader can check that every question and category exists, and so
the scoring explanation can show the values that made a rule fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.parser import Parser

from assess.core.questionnaire.expression_bounds import (
    MAX_TEXT_LENGTH,
    BoundedSandbox,
    BoundExceeded,
    check_expression,
    check_text,
)

# The names in scope of every expression (see the questionnaire contract).
NAMESPACES = frozenset({"answers", "scores", "levels", "contact"})
SCALARS = frozenset({"overall", "level"})
KNOWN_NAMES = NAMESPACES | SCALARS

# Rule texts render to plain text (the page or the PDF escapes them), never to HTML. Only the
# names of the contract are in scope (no range, lipsum, cycler...), and what an expression may
# compute is bounded (see expression_bounds).
_environment = BoundedSandbox(autoescape=False)
# What a valid expression may still raise on some answers (`none < 7`, `'a' + 1`, an attribute
# the sandbox refuses): the expression is then false, and a rule text shows its source.
_RUNTIME_ERRORS = (
    TypeError,
    ValueError,
    ArithmeticError,
    AttributeError,
    LookupError,
    SecurityError,
    TemplateError,
)


class ExpressionError(ValueError):
    """An expression or rule text that does not parse or reads an unknown name."""


@dataclass(frozen=True)
class Reference:
    """One name an expression reads: `answers.budget` is ("answers", "budget")."""

    root: str
    key: str | None = None

    def __str__(self) -> str:
        return self.root if self.key is None else f"{self.root}.{self.key}"


@dataclass(frozen=True)
class Expression:
    """A compiled expression with the names it reads."""

    source: str
    references: tuple[Reference, ...]
    _function: Callable[..., Any] = field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate in the sandbox; a runtime error (e.g. `none < 7`) counts as false."""
        try:
            return self._function(**context)
        except _RUNTIME_ERRORS:
            return False

    def is_true(self, context: Mapping[str, Any]) -> bool:
        """Whether the expression holds for this context."""
        return bool(self.evaluate(context))

    def values(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """The values of the names this expression reads, for the explanation."""
        found: dict[str, Any] = {}
        for reference in self.references:
            value = context.get(reference.root)
            if reference.key is not None:
                value = value.get(reference.key) if isinstance(value, Mapping) else None
            found[str(reference)] = value
        return found


@dataclass(frozen=True)
class TextTemplate:
    """A rule text that may quote `{{ answers.x }}` or `{{ scores.x }}`."""

    source: str
    references: tuple[Reference, ...]
    _template: Any = field(repr=False, compare=False)

    def render(self, context: Mapping[str, Any]) -> str:
        """Render as plain text; answers are data, never template source. A text that fails
        or grows past MAX_TEXT_LENGTH shows its source."""
        parts: list[str] = []
        length = 0
        try:
            for part in self._template.generate(**context):
                length += len(part)
                if length > MAX_TEXT_LENGTH:
                    return self.source
                parts.append(part)
        except _RUNTIME_ERRORS:
            return self.source
        return "".join(parts)


def compile_expression(source: str) -> Expression:
    """Parse and compile an expression, or raise ExpressionError saying why."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be a non-empty string")
    try:
        parser = Parser(_environment, source, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("unexpected text after the expression", 1)
        check_expression(tree)
        function = _environment.compile_expression(source, undefined_to_none=True)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"expression does not parse: {error.message}") from None
    except BoundExceeded as error:
        raise ExpressionError(f"expression refused: {error}") from None
    return Expression(source, _collect_references(tree), function)


def compile_text(source: str) -> TextTemplate:
    """Compile a rule text, or raise ExpressionError saying why."""
    try:
        tree = _environment.parse(source)
        check_text(tree)
        template = _environment.from_string(source)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"text does not parse: {error.message}") from None
    except BoundExceeded as error:
        raise ExpressionError(f"text refused: {error}") from None
    return TextTemplate(source, _collect_references(tree), template)


def _collect_references(tree: nodes.Node) -> tuple[Reference, ...]:
    """Every `root.key` / `root['key']` / bare `root` the tree reads, in order.

    The tree's own top node counts too: `answers.x` alone is one Getattr node.
    Names a rule text sets itself (`{% for c in answers.channels %}`) are not references.
    """
    found: list[Reference] = []
    consumed: set[int] = set()
    every = [tree, *tree.find_all(nodes.Node)]
    for node in every:
        key: str | None = None
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
            key, target = node.attr, node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.node, nodes.Name)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            key, target = node.arg.value, node.node
        if key is not None:
            found.append(Reference(target.name, key))
            consumed.add(id(target))
    names = [node for node in every if isinstance(node, nodes.Name)]
    declared = {name.name for name in names if name.ctx in {"store", "param"}}
    for name in names:
        if id(name) not in consumed and name.ctx == "load":
            found.append(Reference(name.name))
    return tuple(ref for ref in dict.fromkeys(found) if ref.root not in declared)
