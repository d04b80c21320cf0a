"""Read a YAML file into plain data while remembering the line of every key and item.

Pydantic and the semantic checks report problems by location path, e.g.
("sections", 2, "questions", 0, "type"); `LineMap.line_of` turns that path
back into the line the author must fix.

Aliases (`*name`) are expanded into the data, so a few lines of nested aliases (a "billion
laughs") would stand for billions of nodes: the nodes an alias expands are counted before
anything walks the data, and past MAX_ALIAS_NODES the file is refused at that line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is about ten times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
# The most nodes aliases may add to the document once expanded (a list of options reused
# by thirty questions adds about a thousand).
MAX_ALIAS_NODES = 10_000


@dataclass(frozen=True)
class SourceProblem:
    """A problem found while reading the file, with its 1-based line."""

    line: int
    message: str


@dataclass
class LineMap:
    """The line of each path in the document."""

    lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the longest known prefix of path (1 for the document)."""
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if end == len(path) and prefix in self.key_lines:
                return self.key_lines[prefix]
            if prefix in self.lines:
                return self.lines[prefix]
        return 1

    def renamed(self, path: Path, new_key: str) -> LineMap:
        """The map after the key at `path` is renamed (a typo corrected to salvage the rest)."""
        depth = len(path)

        def rename(old: Path) -> Path | None:
            return (*path[:-1], new_key, *old[depth:]) if old[:depth] == path else old

        return self.moved(rename)

    def moved(self, move: Callable[[Path], Path | None]) -> LineMap:
        """The map after the document changed: `move` gives a path's new path, None if gone."""
        moved = LineMap()
        for source, target in ((self.lines, moved.lines), (self.key_lines, moved.key_lines)):
            for old, line in source.items():
                new = move(old)
                if new is not None:
                    target.setdefault(new, line)
        return moved


class YamlSourceError(Exception):
    """The file cannot be read as YAML at all."""

    def __init__(self, problems: list[SourceProblem]):
        super().__init__("; ".join(f"{p.line}: {p.message}" for p in problems))
        self.problems = problems


def read_yaml(text: str) -> tuple[Any, LineMap, list[SourceProblem]]:
    """Parse text into data, the line map, and duplicate-key problems."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_alias_bombs(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or str(error)
        raise YamlSourceError([SourceProblem(line, f"YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as error:
        raise YamlSourceError([SourceProblem(1, f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    line_map = LineMap()
    problems: list[SourceProblem] = []
    if node is not None:
        _walk(node, (), line_map, problems)
    return data, line_map, problems


@dataclass(frozen=True)
class AliasExpansion:
    """What the aliases of a document add once expanded, counted up to a limit."""

    visited: int  # nodes the count looked at (at most the document's nodes plus the limit)
    added: int  # nodes the aliases add, counted until past the limit
    refused: SourceProblem | None  # why the document is refused, if it is


def alias_expansion(root: yaml.Node, limit: int = MAX_ALIAS_NODES) -> AliasExpansion:
    """Count the nodes aliases add to the document, stopping past `limit`, or at an alias
    that refers to a node containing it (it would expand for ever)."""
    seen: set[int] = set()
    open_nodes: set[int] = set()  # the node being counted and those around it
    visited = added = 0
    # Depth first, in the document's order; each entry is (node, line of its key or item,
    # reached again through an alias, leaving it)
    pending: list[tuple[yaml.Node, int, bool, bool]] = [
        (root, root.start_mark.line + 1, False, False)
    ]
    while pending:
        node, line, again, leaving = pending.pop()
        if leaving:
            open_nodes.discard(id(node))
            continue
        if id(node) in open_nodes:
            problem = SourceProblem(line, "an alias refers to a node that contains it: refused")
            return AliasExpansion(visited, added, problem)
        visited += 1
        again = again or id(node) in seen
        if again:
            added += 1
            if added > limit:
                problem = SourceProblem(
                    line,
                    f"aliases expand to more than {limit} nodes (a 'billion laughs'?): refused",
                )
                return AliasExpansion(visited, added, problem)
        seen.add(id(node))
        open_nodes.add(id(node))
        pending.append((node, line, again, True))
        children = _children(node, line, seen)
        pending.extend(
            (child, child_line, again, False) for child, child_line in reversed(children)
        )
    return AliasExpansion(visited, added, None)


def _children(node: yaml.Node, line: int, seen: set[int]) -> list[tuple[yaml.Node, int]]:
    """The node's children with the line that names them: a key's line, or an item's own
    line (its parent's for an alias, whose node stands where its anchor is)."""
    if isinstance(node, yaml.MappingNode):
        return [
            (child, key.start_mark.line + 1) for key, value in node.value for child in (key, value)
        ]
    if isinstance(node, yaml.SequenceNode):
        return [
            (item, line if id(item) in seen else item.start_mark.line + 1) for item in node.value
        ]
    return []


def _refuse_alias_bombs(root: yaml.Node) -> None:
    refused = alias_expansion(root).refused
    if refused is not None:
        raise YamlSourceError([refused])


def _walk(node: yaml.Node, path: Path, line_map: LineMap, problems: list[SourceProblem]) -> None:
    line_map.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    SourceProblem(line, f"duplicate key '{key}' (first at line {seen[key]})")
                )
                continue
            seen[key] = line
            # Keys like `yes:` are read as booleans: record both spellings.
            for spelling in _key_spellings(key_node):
                line_map.key_lines[(*path, spelling)] = line
            _walk(value_node, (*path, _key_spellings(key_node)[0]), line_map, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), line_map, problems)


def _key_spellings(key_node: yaml.Node) -> list[Any]:
    if not isinstance(key_node, yaml.ScalarNode):
        return [str(key_node)]
    lowered = key_node.value.lower()
    if key_node.tag == "tag:yaml.org,2002:bool":
        return [key_node.value, lowered in {"yes", "true", "on", "y"}]
    if key_node.tag == "tag:yaml.org,2002:int":
        try:
            return [key_node.value, int(key_node.value)]
        except ValueError:
            return [key_node.value]
    return [key_node.value]
