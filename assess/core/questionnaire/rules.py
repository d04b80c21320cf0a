"""Compile and check a questionnaire's expressions (`show_if`, `when`) and rule texts.

Every expression is parsed at load time, and every question, category or
contact field it names must exist. A `show_if` is evaluated while the
respondent answers, so it may only read what is known by then: answers to
earlier questions, and the contact when it is asked first.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Generator, Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from assess.core.contact import CONTACT_FIELDS
from assess.core.questionnaire.case_text import CaseList, texts_of
from assess.core.questionnaire.expressions import (
    KNOWN_NAMES,
    Expression,
    ExpressionError,
    Reference,
    compile_expression,
    compile_text,
)
from assess.core.questionnaire.model import Questionnaire
from assess.core.questionnaire.report_model import Recommendation
from assess.core.questionnaire.shape import Salvage
from assess.core.questionnaire.yaml_source import LineMap, Path

Found = Iterator[tuple[int, str]]


@dataclass(frozen=True)
class _ShowIf:
    """What a `show_if` may read: the questions asked before it, and who owns it."""

    earlier: Collection[str]
    owner: str | None = None


def check_expressions(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Compile every show_if, when (rules, outcomes, KPIs, roles) and rule text; yield problems."""
    yield from _check_conditions(q, lines, salvage)
    yield from _check_recommendations(q, lines, salvage)
    yield from _check_outcomes(q, lines, salvage)
    yield from _check_kpis(q, lines, salvage)
    yield from _check_roles(q, lines, salvage)
    yield from _check_case_lists(q, lines, salvage)


def _check_conditions(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Compile show_if; it may read contact and answers to earlier questions only."""
    earlier: list[str] = []
    for si, section in enumerate(q.sections):
        if section.show_if is not None:
            line = lines.line_of(("sections", si, "show_if"))
            scope = _ShowIf(tuple(earlier))
            section._show_if = yield from _compile(section.show_if, q, line, salvage, scope)
        for qi, question in enumerate(section.questions):
            if question.show_if is not None:
                line = lines.line_of(("sections", si, "questions", qi, "show_if"))
                scope = _ShowIf(tuple(earlier), question.id)
                question._show_if = yield from _compile(question.show_if, q, line, salvage, scope)
            earlier.append(question.id)


def _compile(
    source: str, q: Questionnaire, line: int, salvage: Salvage, show_if: _ShowIf | None
) -> Generator[tuple[int, str], None, Expression | None]:
    """Compile an expression, yielding its problems; return it (None if it does not parse)."""
    try:
        expression = compile_expression(source)
    except ExpressionError as error:
        yield line, str(error)
        return None
    for message in _reference_problems(expression.references, q, salvage, show_if):
        yield line, message
    return expression


def _reference_problems(
    references: tuple[Reference, ...], q: Questionnaire, salvage: Salvage, show_if: _ShowIf | None
) -> Iterator[str]:
    for ref in references:
        if ref.root not in KNOWN_NAMES:
            known = f" (known: {', '.join(sorted(KNOWN_NAMES))})"
            yield f"unknown name '{ref.root}'{_hint(ref.root, KNOWN_NAMES) or known}"
        elif show_if is not None and ref.root not in {"answers", "contact"}:
            yield f"show_if cannot use '{ref.root}': scores exist only after the last step"
        elif show_if is not None and ref.root == "contact" and q.lead_capture == "end":
            yield (
                "show_if cannot use 'contact' with 'lead_capture: end': the contact is asked "
                "after the questions (use 'lead_capture: start')"
            )
        elif ref.key is None:
            continue
        elif ref.root == "answers":
            yield from _answer_problems(ref.key, q, salvage, show_if)
        elif ref.root in {"scores", "levels"} and ref.key not in q.categories_by_id:
            if salvage.names_nothing("category", ref.key, q.categories_by_id):
                yield f"unknown category '{ref.key}' in {ref}{_hint(ref.key, q.categories_by_id)}"
        elif ref.root == "contact" and ref.key not in CONTACT_FIELDS:
            yield f"unknown contact field '{ref.key}' (known: {', '.join(CONTACT_FIELDS)})"
        elif ref.root in {"overall", "level"}:
            yield f"'{ref.root}' has no fields"


def _answer_problems(
    key: str, q: Questionnaire, salvage: Salvage, show_if: _ShowIf | None
) -> Iterator[str]:
    if key not in q.questions_by_id:
        if salvage.names_nothing("question", key, q.questions_by_id):
            yield f"unknown question '{key}' in answers.{key}{_hint(key, q.questions_by_id)}"
    elif show_if is not None and key == show_if.owner:
        yield f"the show_if of '{key}' refers to the question itself"
    elif show_if is not None and key not in show_if.earlier:
        yield f"show_if refers to '{key}', which is not asked before it"


def _hint(name: str, known: Collection[str]) -> str:
    found = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _check_recommendations(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    for index, rule in enumerate(q.recommendations):
        path = ("recommendations", index)
        category = rule.category
        if category is not None and salvage.names_nothing("category", category, q.categories_by_id):
            yield lines.line_of((*path, "category")), f"unknown category '{category}'"
        line = lines.line_of((*path, "when"))
        rule._when = yield from _compile(rule.when, q, line, salvage, None)
        yield from _compile_texts(rule, q, lines, (*path, "text"), salvage)


def _compile_texts(
    rule: Recommendation, q: Questionnaire, lines: LineMap, path: Path, salvage: Salvage
) -> Found:
    for case, text in texts_of(rule.text):
        line = lines.line_of(path if case is None else (*path, case, "text"))
        yield from _compile_text(rule, text.values, q, line, salvage)


def _compile_text(
    rule: Recommendation,
    values: tuple[tuple[str, str], ...],
    q: Questionnaire,
    line: int,
    salvage: Salvage,
) -> Found:
    for _, source in values:
        try:
            template = compile_text(source)
        except ExpressionError as error:
            yield line, str(error)
            continue
        for message in _reference_problems(template.references, q, salvage, None):
            yield line, message
        rule._texts[source] = template


def _check_outcomes(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    for oi, outcome in enumerate(q.outcomes):
        # With a case dropped, which case is last is not known.
        cases_complete = not salvage.lost_at(("outcomes", oi, "cases"))
        for ci, case in enumerate(outcome.cases):
            path = ("outcomes", oi, "cases", ci)
            last = ci == len(outcome.cases) - 1
            if case.when is None and not last and cases_complete:
                yield (
                    lines.line_of(path),
                    ("only the last case may have no 'when' (it is the default)"),
                )
            if case.when is not None and last and cases_complete:
                yield (
                    lines.line_of((*path, "when")),
                    ("the last case is the default: it must have no 'when'"),
                )
            if case.when is not None:
                line = lines.line_of((*path, "when"))
                case._when = yield from _compile(case.when, q, line, salvage, None)


def _check_kpis(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Compile each suggested indicator's `when`: it reads what a rule's `when` reads."""
    for index, kpi in enumerate(q.report.kpis):
        if kpi.when is not None:
            line = lines.line_of(("report", "kpis", index, "when"))
            kpi._when = yield from _compile(kpi.when, q, line, salvage, None)


def _check_roles(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Compile each role's `when` (the company has this role): it reads what a rule's reads."""
    for index, role in enumerate(q.roles):
        if role.when is not None:
            line = lines.line_of(("roles", index, "when"))
            role._when = yield from _compile(role.when, q, line, salvage, None)


def _check_case_lists(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Each list of cases ends with its default (no `when`); compile the other cases' `when`."""
    for path, cases in _case_lists_with_paths(q, ()):
        # With a case dropped, which case is last is not known.
        complete = not salvage.lost_at(path)
        last = len(cases.cases) - 1
        for index, case in enumerate(cases.cases):
            if case.when is None and index != last and complete:
                yield (
                    lines.line_of((*path, index)),
                    "only the last case may have no 'when' (it is the default)",
                )
            if case.when is not None and index == last and complete:
                yield (
                    lines.line_of((*path, index, "when")),
                    "the last case is the default: it must have no 'when' "
                    "(a list of cases needs a default)",
                )
            if case.when is not None:
                line = lines.line_of((*path, index, "when"))
                condition = yield from _compile(case.when, q, line, salvage, None)
                if condition is not None:
                    cases.conditions[index] = condition


def _case_lists_with_paths(model: BaseModel, path: Path) -> Iterator[tuple[Path, CaseList]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        items: Iterable[tuple[str | int | None, object]]
        if isinstance(value, tuple):
            items = enumerate(value)
        elif isinstance(value, dict):
            items = value.items()
        else:
            items = [(None, value)]
        for index, item in items:
            item_path = (*path, key) if index is None else (*path, key, index)
            if isinstance(item, CaseList):
                yield item_path, item
            elif isinstance(item, BaseModel):
                yield from _case_lists_with_paths(item, item_path)
