"""The questionnaire's shape: pydantic's errors as (line, message), and salvaging the rest.

Pydantic reports every shape error of a file in one pass. So that the semantic
checks (ids, references, expressions) can report their problems in the same
run, the objects with a wrong shape are then left out (a question with no
`type`, an option whose value YAML read as a boolean), a missing text gets a
placeholder, an evident typo (`lable` where `label` is missing) is read as
meant, and the file is validated again. `Salvage` remembers what was left out,
so that the checks do not report its consequences: a reference to a dropped
question is not "unknown", a `single` whose options were all dropped does not
"need options".
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from assess.core.questionnaire.field_types import LocalizedText
from assess.core.questionnaire.model import Questionnaire
from assess.core.questionnaire.yaml_source import LineMap, Path

Found = list[tuple[int, str]]
# Each pass repairs at least one level of nesting; files are at most ~6 levels deep.
MAX_PASSES = 8
# Required top-level scalars that a placeholder can stand in for while the rest is checked.
TOP_LEVEL_PLACEHOLDERS: dict[str, Any] = {"format": 1, "id": "?", "version": "?"}
TEXT_PLACEHOLDER = "?"
# Lists whose dropped items carry ids that other parts of the file refer to.
ID_LISTS = {"questions": "question", "categories": "category"}

_GENERIC_MESSAGES = {
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
    "dict_type": "must be a mapping (key: value)",
    "too_short": "needs at least one item",
}


@dataclass
class Salvage:
    """What was left out of a file with shape errors, in the salvaged file's coordinates."""

    dropped_ids: dict[str, set[str]] = field(
        default_factory=lambda: {kind: set() for kind in ID_LISTS.values()}
    )
    # Kinds of which an item was left out with no readable id (`id: ~`): any unknown
    # reference of that kind may mean it.
    anonymous: set[str] = field(default_factory=set)
    lost: set[Path] = field(default_factory=set)

    def names_nothing(self, kind: str, item_id: str, known: Collection[str]) -> bool:
        """Whether an id of this kind ('question', 'category') is neither known nor left out."""
        if item_id in known or item_id in self.dropped_ids[kind]:
            return False
        return kind not in self.anonymous

    def lost_at(self, path: Path) -> bool:
        """Whether a key or list item at or under `path` was left out."""
        return any(lost[: len(path)] == path for lost in self.lost)


@dataclass
class Shape:
    """The validated questionnaire (None when nothing could be salvaged) and the shape problems."""

    questionnaire: Questionnaire | None
    lines: LineMap
    salvage: Salvage
    problems: Found


def validate_shape(data: Mapping[str, Any], lines: LineMap) -> Shape:
    """Validate the file's shape; on errors, report them all and salvage what is valid."""
    salvage = Salvage()
    problems: Found = []
    for attempt in range(MAX_PASSES):
        try:
            return Shape(Questionnaire.model_validate(data), lines, salvage, problems)
        except ValidationError as error:
            errors = _without_consequences([_error(item) for item in error.errors()])
        renames = _renames(errors)
        # After a repair, a list emptied by a drop is a consequence, already reported; a
        # value behind a corrected typo is seen for the first time.
        reported = errors if attempt == 0 else [e for e in errors if e.kind != "too_short"]
        problems.extend(_describe(reported, renames, lines))
        repair = _plan(errors, renames, data)
        if repair is None:
            break
        data, lines = repair.apply(data, lines, salvage)
    return Shape(None, lines, salvage, problems)


@dataclass(frozen=True)
class _Error:
    kind: str
    loc: Path
    message: str
    # The line to point at: a translated text's bad language, else the key itself.
    at: Path = ()


def _error(item: Mapping[str, Any]) -> _Error:
    loc = tuple(item["loc"])
    value = item.get("input")
    if item["type"] == "value_error" and isinstance(value, dict):
        bad = [key for key, text in value.items() if not isinstance(text, str)]
        return _Error(item["type"], loc, str(item["msg"]), (*loc, bad[0]) if bad else loc)
    return _Error(item["type"], loc, str(item["msg"]), loc)


def _without_consequences(errors: list[_Error]) -> list[_Error]:
    """Leave out "too short" for a list whose items have errors: pydantic counts valid items."""
    return [
        e
        for e in errors
        if e.kind != "too_short"
        or not any(len(o.loc) > len(e.loc) and o.loc[: len(e.loc)] == e.loc for o in errors)
    ]


def _renames(errors: list[_Error]) -> dict[Path, str]:
    """Unknown keys that are evident typos of a missing key: `lable` for a missing `label`."""
    missing = {e.loc for e in errors if e.kind == "missing"}
    renames: dict[Path, str] = {}
    for e in errors:
        if e.kind != "extra_forbidden" or not isinstance(e.loc[-1], str):
            continue
        hint = _close_key(e.loc)
        target = (*e.loc[:-1], hint)
        if hint is not None and target in missing:
            renames[e.loc] = hint
            missing.discard(target)
    return renames


def _describe(
    errors: list[_Error], renames: dict[Path, str], lines: LineMap
) -> Iterator[tuple[int, str]]:
    corrected = {(*loc[:-1], new) for loc, new in renames.items()}
    for e in errors:
        if e.kind == "missing":
            if e.loc not in corrected:
                yield lines.line_of(e.loc[:-1]), f"missing key '{e.loc[-1]}'"
        elif e.kind == "extra_forbidden":
            hint = renames.get(e.loc) or _close_key(e.loc)
            suggestion = f" (did you mean '{hint}'?)" if hint else ""
            yield lines.line_of(e.loc), f"unknown key '{e.loc[-1]}'{suggestion}"
        else:
            yield lines.line_of(e.at), _message(e)


def _message(e: _Error) -> str:
    message = _GENERIC_MESSAGES.get(e.kind) or e.message.removeprefix("Value error, ")
    message = message.replace("Input should be", "must be")
    names = [part for part in e.loc if isinstance(part, str)]
    if not names:
        return f"the file {message}"
    subject = f"each item of '{names[-1]}'" if isinstance(e.loc[-1], int) else f"'{names[-1]}'"
    separator = " " if message.startswith(("must", "needs")) else ": "
    return f"{subject}{separator}{message}"


def _close_key(loc: Path) -> str | None:
    model = _model_at(loc[:-1])
    if model is None:
        return None
    allowed = [info.alias or name for name, info in model.model_fields.items()]
    hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    return hint[0] if hint else None


def _model_at(loc: Path) -> type[BaseModel] | None:
    """The model class of the object at `loc`."""
    return _models_along(loc)[-1]


def _models_along(loc: Path) -> list[type[BaseModel] | None]:
    """The model class of the object at each prefix of `loc` (an index keeps the item's class)."""
    models: list[type[BaseModel] | None] = [Questionnaire]
    for part in loc:
        model = models[-1]
        if isinstance(part, str) and model is not None:
            info = _field(model, part)
            model = _model_in(info.annotation) if info is not None else None
        models.append(model)
    return models


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_REMOVE = object()


@dataclass
class _Repair:
    renames: dict[Path, str] = field(default_factory=dict)
    placeholders: dict[Path, Any] = field(default_factory=dict)
    unknown_keys: set[Path] = field(default_factory=set)
    removals: set[Path] = field(default_factory=set)

    def apply(
        self, data: Mapping[str, Any], lines: LineMap, salvage: Salvage
    ) -> tuple[Any, LineMap]:
        """The repaired data and line map; records what was left out in `salvage`."""
        data = copy.deepcopy(data)
        for loc, new_key in self.renames.items():
            owner = _get(data, loc[:-1])
            owner[new_key] = owner.pop(loc[-1])
            lines = lines.renamed(loc, new_key)
        for loc, value in self.placeholders.items():
            _get(data, loc[:-1])[loc[-1]] = value
        for loc in self.removals:
            _record_dropped_ids(_get(data, loc), loc, salvage)
            salvage.lost.add(loc[:-1] if _is_index(loc[-1]) else loc)
        gone = self.removals | self.unknown_keys
        move = _mover(gone)
        salvage.lost = {new for new in map(move, salvage.lost) if new is not None}
        return _without(data, (), gone), lines.moved(move)


def _plan(errors: list[_Error], renames: dict[Path, str], data: Any) -> _Repair | None:
    """How to repair every error, or None when one cannot be (e.g. `sections` is not a list)."""
    repair = _Repair(renames=dict(renames))
    corrected = {(*loc[:-1], new) for loc, new in renames.items()}
    for e in errors:
        if e.loc in renames or (e.kind == "missing" and e.loc in corrected):
            continue
        if e.kind == "extra_forbidden":
            repair.unknown_keys.add(e.loc)
            continue
        target = _repair_target(e.loc)
        if target is None:
            return None
        path, value = target
        if value is _REMOVE:
            repair.removals.add(path)
        else:
            repair.placeholders[path] = value
    try:
        for loc in (*repair.renames, *repair.unknown_keys, *repair.removals):
            _get(data, loc)
        for loc in repair.placeholders:
            _get(data, loc[:-1])
    except (KeyError, IndexError, TypeError):
        return None
    return repair


def _repair_target(loc: Path) -> tuple[Path, Any] | None:
    """Where to repair an error at `loc`: a placeholder at loc, or the innermost part to drop."""
    owners = _models_along(loc)
    for end in range(len(loc), 0, -1):
        part, owner = loc[end - 1], owners[end - 1]
        if _is_index(part):
            return loc[:end], _REMOVE
        info = _field(owner, str(part)) if owner is not None else None
        if info is None:
            continue
        if not info.is_required():
            return loc[:end], _REMOVE
        if end == len(loc):
            if _is_text(info.annotation):
                return loc, TEXT_PLACEHOLDER
            if owner is Questionnaire and part in TOP_LEVEL_PLACEHOLDERS:
                return loc, TOP_LEVEL_PLACEHOLDERS[str(part)]
    return None


def _is_text(annotation: Any) -> bool:
    """Whether a field holds a text (maybe as a list of cases), which a placeholder can fill."""
    return annotation is LocalizedText or LocalizedText in getattr(annotation, "__args__", ())


def _record_dropped_ids(item: Any, loc: Path, salvage: Salvage) -> None:
    if len(loc) < 2 or not _is_index(loc[-1]):
        return
    if loc[-2] == "sections":
        questions = item.get("questions") if isinstance(item, dict) else None
        if isinstance(questions, list):
            for question in questions:
                _record_dropped_ids(question, (*loc, "questions", 0), salvage)
        elif questions is not None:
            salvage.anonymous.add("question")
    elif loc[-2] in ID_LISTS:
        kind = ID_LISTS[str(loc[-2])]
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str):
            salvage.dropped_ids[kind].add(item_id)
        else:
            salvage.anonymous.add(kind)


def _is_index(part: Any) -> bool:
    return isinstance(part, int) and not isinstance(part, bool)


def _get(data: Any, loc: Path) -> Any:
    for part in loc:
        data = data[part]
    return data


def _mover(gone: set[Path]) -> Any:
    """A function giving each path its place once the paths in `gone` are removed."""
    removed_indexes: dict[Path, list[int]] = {}
    for path in gone:
        if _is_index(path[-1]):
            removed_indexes.setdefault(path[:-1], []).append(int(path[-1]))

    def move(path: Path) -> Path | None:
        moved: list[str | int] = []
        for end, part in enumerate(path, start=1):
            if path[:end] in gone:
                return None
            if _is_index(part):
                before = removed_indexes.get(path[: end - 1], ())
                part = int(part) - sum(1 for index in before if index < int(part))
            moved.append(part)
        return tuple(moved)

    return move


def _without(node: Any, path: Path, gone: set[Path]) -> Any:
    if isinstance(node, dict):
        return {k: _without(v, (*path, k), gone) for k, v in node.items() if (*path, k) not in gone}
    if isinstance(node, list):
        return [
            _without(item, (*path, index), gone)
            for index, item in enumerate(node)
            if (*path, index) not in gone
        ]
    return node
