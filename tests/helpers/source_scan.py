"""Read assess/'s source as syntax trees: the values the code can write, for label checks."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ASSESS = Path(__file__).resolve().parents[2] / "assess"


def trees(folder: str = "") -> Iterator[tuple[Path, ast.Module]]:
    """Every module under assess/ (or its `folder`), parsed."""
    for path in sorted((ASSESS / folder).rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def calls(tree: ast.AST, name: str) -> Iterator[ast.Call]:
    """The calls of a function or class called `name` (plain or as an attribute)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield node


def argument(call: ast.Call, keyword: str, position: int) -> ast.expr | None:
    """A call's argument given by keyword or at `position`, if any."""
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def constants(tree: ast.AST) -> dict[str, object]:
    """The module-level NAME = constant assignments of a module."""
    found: dict[str, object] = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found
