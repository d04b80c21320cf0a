"""Which questions a respondent is asked: the `show_if` of every section and question, in order.

A condition reads earlier answers only, and an answer to a hidden question is never read,
so one pass over the questionnaire decides every question's visibility. Validation,
scoring and the wizard's route all take it from here.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from assess.core.contact import expression_contact
from assess.core.questionnaire import Question, Questionnaire, Section
from assess.core.questionnaire.expressions import Expression


class Visibility(NamedTuple):
    """One question and whether this respondent is asked it."""

    section: Section
    question: Question
    shown: bool


Step = tuple[Section, Expression | None, tuple[tuple[Question, Expression | None], ...]]

# The sections with their compiled show_if, and their questions', per loaded questionnaire,
# keyed by id and dropped with it (a questionnaire is frozen once loaded): reading
# conditions from the pydantic objects on every call cost a third of a scoring.
_plans: dict[int, tuple[weakref.ref[Questionnaire], tuple[Step, ...]]] = {}


def _steps(q: Questionnaire) -> tuple[Step, ...]:
    cached = _plans.get(id(q))
    if cached is not None and cached[0]() is q:
        return cached[1]
    steps = tuple(
        (section, section.condition, tuple((x, x.condition) for x in section.questions))
        for section in q.sections
    )
    key = id(q)
    _plans[key] = (weakref.ref(q, lambda _: _plans.pop(key, None)), steps)
    return steps


def walk(
    q: Questionnaire, answers: Mapping[str, Any], contact: Mapping[str, Any] | None
) -> Iterator[Visibility]:
    """Each question in order with its visibility, reading earlier answers only.

    `answers` must hold clean values; a hidden question's answer is never read.
    """
    for section, question, shown in visibility(q, answers, contact):
        yield Visibility(section, question, shown)


def visibility(
    q: Questionnaire, answers: Mapping[str, Any], contact: Mapping[str, Any] | None
) -> list[tuple[Section, Question, bool]]:
    """What `walk` yields, as a list of plain tuples: for validation and scoring."""
    seen: dict[str, Any] = dict.fromkeys(q.questions_by_id)
    context = {"answers": seen, "contact": expression_contact(contact)}
    found = []
    for section, section_condition, questions in _steps(q):
        section_shown = section_condition is None or _holds(section_condition, context)
        for question, condition in questions:
            shown = section_shown and (condition is None or _holds(condition, context))
            if shown:
                seen[question.id] = answers.get(question.id)
            found.append((section, question, shown))
    return found


def visible_sections(
    q: Questionnaire, answers: Mapping[str, Any], contact: Mapping[str, Any] | None
) -> list[Section]:
    """The sections with at least one question shown: the wizard's steps for this respondent."""
    shown: dict[str, Section] = {}
    for item in walk(q, answers, contact):
        if item.shown:
            shown.setdefault(item.section.id, item.section)
    return list(shown.values())


# show_if results by (source, values of the names it reads): a show_if reads a few earlier
# answers (often one yes/no), so the same few keys come back on every submission, and a
# lookup costs a fraction of a sandbox call. Bounded; emptied when full.
_SHOW_IF_CACHE_SIZE = 4096
_show_if_cache: dict[tuple[str, tuple[Any, ...]], bool] = {}


def _holds(condition: Expression, context: Mapping[str, Any]) -> bool:
    """condition.is_true(context), remembered by the values it reads when they are plain."""
    key = _cache_key(condition, context)
    if key is None:
        return condition.is_true(context)
    found = _show_if_cache.get(key)
    if found is None:
        found = condition.is_true(context)
        if len(_show_if_cache) >= _SHOW_IF_CACHE_SIZE:
            _show_if_cache.clear()
        _show_if_cache[key] = found
    return found


def _cache_key(
    condition: Expression, context: Mapping[str, Any]
) -> tuple[str, tuple[Any, ...]] | None:
    """The source and the values it reads, typed (1, 1.0 and true differ); None if not plain."""
    frozen: list[tuple[type, Any]] = []
    for value in condition.values(context).values():
        if isinstance(value, list):
            if not all(type(item) is str for item in value):
                return None
            frozen.append((list, tuple(value)))
        elif type(value) is float:
            frozen.append((float, repr(value)))  # -0.0 and nan are keys like any other
        elif value is None or type(value) in _PLAIN:
            frozen.append((type(value), value))
        else:
            return None
    return condition.source, tuple(frozen)


_PLAIN = frozenset({bool, int, str})
