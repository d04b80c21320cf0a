"""The checks a questionnaire must pass beyond its shape: ids, levels, question types, report.

Each check yields (line, message); the loader turns them into `file:line:` problems.
The expressions and rule texts are compiled and checked in `questionnaire_rules`.
After shape errors, the checks run on what was salvaged and stay silent about the
consequences of what was left out (see `questionnaire_shape.Salvage`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from assess.core.questionnaire.case_text import CaseList, texts_of
from assess.core.questionnaire.field_types import LocalizedText
from assess.core.questionnaire.model import Band, Question, Questionnaire
from assess.core.questionnaire.plan_checks import check_plan_keys
from assess.core.questionnaire.rules import check_expressions
from assess.core.questionnaire.shape import Salvage
from assess.core.questionnaire.yaml_source import LineMap, Path
from assess.core.web_address import is_web_address

Found = Iterator[tuple[int, str]]
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")

# Keys that only some question types take.
TYPE_KEYS: dict[str, set[str]] = {
    "options": {"single", "multiple"},
    "min": {"scale", "number"},
    "max": {"scale", "number"},
    "step": {"scale", "number"},
    "unit": {"scale", "number"},
    "min_label": {"scale"},
    "max_label": {"scale"},
    "max_length": {"text"},
    "placeholder": {"text", "number"},
    "points": {"number", "scale", "boolean"},
    "max_points": {"multiple"},
    "category": {"single", "multiple", "scale", "number", "boolean"},
}
# YAML 1.1 reads these keys of a boolean's points as true and false.
YES_NO_KEYS: dict[Any, bool] = {True: True, False: False, "yes": True, "no": False}


def check_and_compile(
    q: Questionnaire, lines: LineMap, salvage: Salvage | None = None
) -> list[tuple[int, str]]:
    """Run every semantic check and compile every expression; return the problems."""
    salvage = salvage or Salvage()
    problems: list[tuple[int, str]] = []
    problems.extend(_check_ids(q, lines))
    problems.extend(_check_levels(q, lines, salvage))
    problems.extend(_check_category_levels(q, lines))
    problems.extend(_check_questions(q, lines, salvage))
    problems.extend(_check_translations(q, lines))
    problems.extend(check_expressions(q, lines, salvage))
    problems.extend(_check_report(q, lines, salvage))
    problems.extend(check_plan_keys(q, lines, salvage))
    return problems


def _duplicates(items: list[tuple[str, Path]], kind: str, lines: LineMap) -> Found:
    first: dict[str, int] = {}
    for item_id, path in items:
        line = lines.line_of((*path, "id"))
        if item_id in first:
            yield line, f"duplicate {kind} id '{item_id}' (first at line {first[item_id]})"
        else:
            first[item_id] = line


def _check_ids(q: Questionnaire, lines: LineMap) -> Found:
    for kind, key in (
        ("category", "categories"),
        ("level", "levels"),
        ("section", "sections"),
        ("recommendation", "recommendations"),
        ("outcome", "outcomes"),
        ("role", "roles"),
    ):
        items = getattr(q, key)
        yield from _duplicates([(item.id, (key, i)) for i, item in enumerate(items)], kind, lines)
    questions: list[tuple[str, Path]] = [(qu.id, path) for path, qu in _questions_with_paths(q)]
    kpis: list[tuple[str, Path]] = [
        (kpi.id, ("report", "kpis", i)) for i, kpi in enumerate(q.report.kpis)
    ]
    for kind, items in (("question", questions), ("kpi", kpis)):
        yield from _duplicates(items, kind, lines)
        for item_id, path in items:
            if not SNAKE_CASE.match(item_id):
                yield (
                    lines.line_of((*path, "id")),
                    f"{kind} id '{item_id}' is not snake_case (lower case, digits and _)",
                )


def _questions_with_paths(q: Questionnaire) -> Iterator[tuple[Path, Question]]:
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            yield ("sections", si, "questions", qi), question


def _check_levels(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    # A dropped first level says nothing of where the levels start; the rest stays ascending.
    if q.levels[0].from_ != 0 and not salvage.lost_at(("levels",)):
        yield lines.line_of(("levels", 0, "from")), "the first level must start at 0 ('from: 0')"
    for index in range(1, len(q.levels)):
        if q.levels[index].from_ <= q.levels[index - 1].from_:
            yield (
                lines.line_of(("levels", index, "from")),
                f"levels must be ascending: 'from: {q.levels[index].from_:g}' is not above "
                f"the previous level's {q.levels[index - 1].from_:g}",
            )


def _check_category_levels(q: Questionnaire, lines: LineMap) -> Found:
    """A category's level texts name the questionnaire's levels."""
    for index, category in enumerate(q.categories):
        for level_id in category.levels or {}:
            if level_id not in q.levels_by_id:
                yield (
                    lines.line_of(("categories", index, "levels", level_id)),
                    f"unknown level '{level_id}' in the levels of category '{category.id}' "
                    f"(known: {', '.join(q.levels_by_id)})",
                )


def _check_questions(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    for path, question in _questions_with_paths(q):
        yield from _check_question(question, path, q, lines, salvage)


def _check_question(
    question: Question, path: Path, q: Questionnaire, lines: LineMap, salvage: Salvage
) -> Found:
    def at(key: str) -> int:
        return lines.line_of((*path, key))

    given = question.model_fields_set
    for key, types in TYPE_KEYS.items():
        if key in given and getattr(question, key) is not None and question.type not in types:
            yield at(key), f"'{key}' does not apply to a {question.type} question"
    category = question.category
    if category is not None and salvage.names_nothing("category", category, q.categories_by_id):
        yield at("category"), f"unknown category '{category}'"
    if question.type in {"single", "multiple"}:
        yield from _check_options(question, path, lines, salvage)
    lost_bounds = salvage.lost_at((*path, "min")) or salvage.lost_at((*path, "max"))
    if (
        question.type == "scale"
        and (question.min is None or question.max is None)
        and not lost_bounds
    ):
        yield at("type"), "a scale question needs 'min' and 'max'"
    if question.min is not None and question.max is not None and question.min >= question.max:
        yield at("max"), f"max ({question.max:g}) must be above min ({question.min:g})"
    if question.step is not None and question.step <= 0:
        yield at("step"), "step must be above 0"
    if question.type in {"number", "scale"} and question.points is not None:
        yield from _parse_bands(question, path, lines)
    if question.type == "boolean" and question.points is not None:
        yield from _parse_yes_no(question, path, lines)


def _check_options(question: Question, path: Path, lines: LineMap, salvage: Salvage) -> Found:
    if not question.options and not salvage.lost_at((*path, "options")):
        key = "options" if "options" in question.model_fields_set else "type"
        yield lines.line_of((*path, key)), f"a {question.type} question needs options"
    first: dict[str, int] = {}
    for oi, option in enumerate(question.options or ()):
        if option.exclusive and question.type != "multiple":
            yield (
                lines.line_of((*path, "options", oi, "exclusive")),
                f"'exclusive' applies only to an option of a multiple question, "
                f"not of a {question.type} question",
            )
        line = lines.line_of((*path, "options", oi, "value"))
        if option.value in first:
            yield (
                line,
                (f"duplicate option value '{option.value}' (first at line {first[option.value]})"),
            )
        else:
            first[option.value] = line


def _parse_bands(question: Question, path: Path, lines: LineMap) -> Found:
    raw = question.points
    if not isinstance(raw, list) or not raw:
        yield (
            lines.line_of((*path, "points")),
            "points must be a list of bands, e.g. [{below: 3, points: 0}, {points: 2}]",
        )
        return
    bands: list[Band] = []
    for index, item in enumerate(raw):
        item_path = (*path, "points", index)
        if not isinstance(item, dict):
            yield lines.line_of(item_path), "a band is a mapping with 'below' and 'points'"
            continue
        unknown = sorted(map(str, set(item) - {"below", "points"}))
        if unknown:
            yield lines.line_of((*item_path, unknown[0])), f"unknown key '{unknown[0]}' in a band"
            continue
        if "points" not in item:
            yield lines.line_of(item_path), "a band needs 'points'"
            continue
        below, points = item.get("below"), item["points"]
        if not _is_number(points):
            yield lines.line_of((*item_path, "points")), "a band's 'points' must be a number"
            continue
        if below is not None and not _is_number(below):
            yield lines.line_of((*item_path, "below")), "a band's 'below' must be a number"
            continue
        bands.append(Band(below=below, points=points))
    if len(bands) != len(raw):
        return
    yield from _check_band_order(bands, (*path, "points"), lines)
    question._bands = tuple(bands)


def _check_band_order(bands: list[Band], path: Path, lines: LineMap) -> Found:
    if bands[-1].below is not None:
        yield (
            lines.line_of((*path, len(bands) - 1)),
            ("the last band must be open-ended (no 'below'): it takes every larger value"),
        )
    previous: float | None = None
    for index, band in enumerate(bands[:-1]):
        if band.below is None:
            yield lines.line_of((*path, index)), "only the last band may be open-ended (no 'below')"
            continue
        if previous is not None and band.below <= previous:
            yield lines.line_of((*path, index, "below")), "bands must be in ascending 'below' order"
        previous = band.below


def _parse_yes_no(question: Question, path: Path, lines: LineMap) -> Found:
    raw = question.points
    if not isinstance(raw, dict):
        yield (
            lines.line_of((*path, "points")),
            "points of a boolean must be a mapping {yes: n, no: n}",
        )
        return
    table: dict[bool, float] = {}
    for key, value in raw.items():
        flag = YES_NO_KEYS.get(key) if isinstance(key, bool | str) else None
        line = lines.line_of((*path, "points", key))
        if flag is None:
            yield line, f"points of a boolean take 'yes' and 'no', not '{key}'"
        elif not _is_number(value):
            yield line, f"points for '{'yes' if flag else 'no'}' must be a number"
        else:
            table[flag] = float(value)
    question._yes_no = (table.get(True, 0.0), table.get(False, 0.0))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_translations(q: Questionnaire, lines: LineMap) -> Found:
    """A translated text must have the default language: the others fall back to it."""
    for path, text in _texts_with_paths(q, ()):
        if len(text.values) and "*" not in text.locales and q.locale not in text.locales:
            yield (
                lines.line_of(path),
                (
                    f"'{path[-1]}' has no '{q.locale}' text: the default language, "
                    "which the other languages fall back to"
                ),
            )


def _texts_with_paths(model: BaseModel, path: Path) -> Iterator[tuple[Path, LocalizedText]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        items: Any = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        if isinstance(value, dict):
            items = value.items()
        for index, item in items:
            item_path = (*path, key) if index is None else (*path, key, index)
            if isinstance(item, CaseList):
                for case, text in texts_of(item):
                    yield (*item_path, case or 0, "text"), text
            elif isinstance(item, LocalizedText):
                yield item_path, item
            elif isinstance(item, BaseModel):
                yield from _texts_with_paths(item, item_path)


def _check_report(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    action = q.report.call_to_action
    # The call to action is a link in the report and the e-mail: a web page, never a script.
    if action is not None and not is_web_address(action.url):
        yield (
            lines.line_of(("report", "call_to_action", "url")),
            (
                "the call to action's url must be a web address starting with https:// "
                f"(or http://), not {action.url[:80]!r}"
            ),
        )
    yield from _check_question_ref(
        q, lines, salvage, ("report", "challenge_question"), q.report.challenge_question, "text"
    )
    cost = q.report.cost_of_giving_up
    if cost is None:
        return
    rate = cost.assumed_win_rate
    if rate is not None and not 0 < rate <= 1:
        yield (
            lines.line_of(("report", "cost_of_giving_up", "assumed_win_rate")),
            (
                f"assumed_win_rate must be above 0 and at most 1, not {rate:g}: "
                "a share of the leads, e.g. 0.2 for 20 %"
            ),
        )
    for key in COST_QUESTIONS:
        path = ("report", "cost_of_giving_up", key)
        yield from _check_question_ref(q, lines, salvage, path, getattr(cost, key), "number")


# The keys of `report.cost_of_giving_up` that name number questions (the last two optional).
COST_QUESTIONS = (
    "leads_per_month",
    "deal_value",
    "contacts_before_giving_up",
    "conversion_rate",
    "new_customers_target",
)


def _check_question_ref(
    q: Questionnaire,
    lines: LineMap,
    salvage: Salvage,
    path: Path,
    question_id: str | None,
    question_type: str,
) -> Found:
    """A report key naming a question: it must exist and be of `question_type`."""
    if question_id is None:
        return
    question = q.questions_by_id.get(question_id)
    if salvage.names_nothing("question", question_id, q.questions_by_id):
        yield lines.line_of(path), f"unknown question '{question_id}'"
    elif question is not None and question.type != question_type:
        yield (
            lines.line_of(path),
            f"'{question_id}' must be a {question_type} question, not {question.type}",
        )
