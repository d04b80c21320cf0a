"""Scoring: a pure function of (questionnaire, answers, contact), explainable question by question.

The result's records are in `result.py` (imported here, so callers keep importing them
from this module); how each question earns points is in `points.py`; which recommendations
make the plan is in `action_plan.py`.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assess.core.action_plan import (
    MAX_ACTIONS,
    Candidate,
    RoleChain,
    resolve_roles,
    select,
    weighted_gaps,
)
from assess.core.contact import expression_contact
from assess.core.points import QuestionPoints
from assess.core.questionnaire import (
    LocalizedText,
    Questionnaire,
    Recommendation,
    RoleOwner,
)
from assess.core.questionnaire.case_text import CaseList
from assess.core.questionnaire.expressions import Expression, TextTemplate, compile_expression
from assess.core.result import (
    CategoryScore,
    DroppedRecommendation,
    FiredRecommendation,
    OutcomeResult,
    QuestionScore,
    Result,
)
from assess.core.visibility import visibility


@dataclass(frozen=True)
class _Rule:
    """A recommendation with its static parts prepared: texts without `{` render once."""

    rule: Recommendation
    condition: Expression
    title: dict[str, str] | CaseList  # a list of cases is picked from once the rule fires
    actions: list[dict[str, dict[str, str]]]  # the first MAX_ACTIONS
    owner_roles: tuple[str | None, ...]  # each action's owner role id, None for a plain text
    texts: tuple[tuple[str, str | TextTemplate], ...]  # locale to final text or template


@dataclass
class _Conditions:
    """Every rule and outcome `when`, evaluated together in one sandbox call when possible.

    Each call into Jinja builds a fresh context, which costs more than most conditions
    themselves; a list expression evaluates them all at once. A condition that raises
    (`none < 7`) makes the list raise: the range is then split in two, down to single
    conditions, which `Expression.is_true` evaluates (an error is false), as if one by one.
    """

    expressions: tuple[Expression, ...]
    _ranges: dict[tuple[int, int], Expression | None] = field(default_factory=dict)

    def evaluate(self, context: Mapping[str, Any]) -> list[bool]:
        found: list[bool] = []
        self._evaluate(0, len(self.expressions), context, found)
        return found

    def _evaluate(
        self, start: int, end: int, context: Mapping[str, Any], found: list[bool]
    ) -> None:
        if end - start == 1:
            found.append(self.expressions[start].is_true(context))
            return
        if end - start > 1:
            combined = self._combined(start, end)
            result = combined.evaluate(context) if combined is not None else None
            if isinstance(result, list) and len(result) == end - start:
                found.extend(bool(value) for value in result)
                return
            middle = (start + end) // 2
            self._evaluate(start, middle, context, found)
            self._evaluate(middle, end, context, found)

    def _combined(self, start: int, end: int) -> Expression | None:
        if (start, end) not in self._ranges:
            sources = ", ".join(f"({e.source})" for e in self.expressions[start:end])
            try:
                self._ranges[start, end] = compile_expression(f"[{sources}]")
            except Exception:  # any failure leaves these conditions to one-by-one evaluation
                self._ranges[start, end] = None
        return self._ranges[start, end]


@dataclass(frozen=True)
class _Plan:
    """What scoring reads from a questionnaire on every call, prepared once per questionnaire."""

    points: dict[str, QuestionPoints]
    rules: tuple[_Rule, ...]
    conditions: _Conditions  # the rules' `when`, each outcome case's `when`, each role's `when`
    outcome_cases: tuple[
        tuple[str, tuple[tuple[int, Any, dict[str, str], dict[str, str] | CaseList], ...]], ...
    ]
    roles: tuple[tuple[str, Expression | None, str | None], ...]  # id, `when`, fallback
    role_labels: dict[str, dict[str, str]]
    weights: dict[str, float]  # category id to weight
    first_role_truth: int  # where the roles' `when` start among the conditions
    locales: tuple[str, ...]  # the questionnaire's languages, its default first

    @classmethod
    def of(cls, q: Questionnaire) -> _Plan:
        rules = tuple(
            _Rule(
                rule=rule,
                condition=rule.condition,
                title=rule.title
                if isinstance(rule.title, CaseList)
                else _all_locales(q, rule.title),
                actions=[
                    {
                        "what": _all_locales(q, a.what),
                        "who": _all_locales(q, a.who),
                        "when": _all_locales(q, a.when),
                    }
                    for a in rule.actions[:MAX_ACTIONS]
                ],
                owner_roles=tuple(
                    a.who.role if isinstance(a.who, RoleOwner) else None
                    for a in rule.actions[:MAX_ACTIONS]
                ),
                texts=tuple(
                    (locale, _static(rule.text_template(locale, q.locale))) for locale in q.locales
                )
                if not isinstance(rule.text, CaseList)
                else (),
            )
            for rule in q.recommendations
        )
        expressions = [rule.condition for rule in rules]
        outcome_cases = []
        for outcome in q.outcomes:
            cases = []
            for index, case in enumerate(outcome.cases):
                if case.condition is not None:
                    expressions.append(case.condition)
                text = case.text if isinstance(case.text, CaseList) else _all_locales(q, case.text)
                cases.append((index, case.condition, _all_locales(q, case.label), text))
            outcome_cases.append((outcome.id, tuple(cases)))
        first_role_truth = len(expressions)
        expressions.extend(role.condition for role in q.roles if role.condition is not None)
        return cls(
            points={question.id: QuestionPoints.of(question, q) for question in q.questions},
            rules=rules,
            conditions=_Conditions(tuple(expressions)),
            outcome_cases=tuple(outcome_cases),
            roles=tuple((role.id, role.condition, role.fallback) for role in q.roles),
            role_labels={role.id: _all_locales(q, role.label) for role in q.roles},
            weights={category.id: category.weight for category in q.categories},
            first_role_truth=first_role_truth,
            locales=q.locales,
        )


# Plans per loaded questionnaire, keyed by id and dropped with it: a questionnaire is
# frozen once loaded, and reading its pydantic objects on every scoring was most of the cost.
_plans: dict[int, tuple[weakref.ref[Questionnaire], _Plan]] = {}


def _plan(q: Questionnaire) -> _Plan:
    cached = _plans.get(id(q))
    if cached is not None and cached[0]() is q:
        return cached[1]
    plan = _Plan.of(q)
    key = id(q)
    _plans[key] = (weakref.ref(q, lambda _: _plans.pop(key, None)), plan)
    return plan


def _static(template: TextTemplate) -> str | TextTemplate:
    """The text when its source has no template syntax (it reads nothing), else the template."""
    return template.render({}) if "{" not in template.source else template


def score(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    contact: Mapping[str, Any] | None = None,
) -> Result:
    """Score clean answers (see `validate_answers`): categories, overall, levels, rules."""
    q = questionnaire
    plan = _plan(q)
    question_scores: list[QuestionScore] = []
    earned = dict.fromkeys(q.categories_by_id, 0.0)
    possible = dict.fromkeys(q.categories_by_id, 0.0)
    shown_answers: dict[str, Any] = dict.fromkeys(q.questions_by_id)
    for _, question, shown in visibility(q, answers, contact):
        if shown:
            answer = answers.get(question.id)
            shown_answers[question.id] = answer
            rule = plan.points[question.id]
            points, maximum = rule.earned(answer), rule.possible
            if rule.category is not None:
                earned[rule.category] += points
                possible[rule.category] += maximum
        else:
            answer, points, maximum = None, 0.0, 0.0
        question_scores.append(
            QuestionScore(question.id, question.category, shown, answer, points, maximum)
        )
    categories = {}
    for category in q.categories:
        percent = (
            round(100 * earned[category.id] / possible[category.id], 1)
            if possible[category.id] > 0
            else None
        )
        level = q.level_for(percent)
        categories[category.id] = CategoryScore(
            category.id,
            percent,
            level.id if level else None,
            earned[category.id],
            possible[category.id],
        )
    overall = _weighted_mean(q, categories)
    overall_level = q.level_for(overall)
    level_id = overall_level.id if overall_level else None
    context = {
        "answers": shown_answers,
        "scores": {cid: c.score for cid, c in categories.items()},
        "levels": {cid: c.level for cid, c in categories.items()},
        "overall": overall,
        "level": level_id,
        "contact": expression_contact(contact),
    }
    truths = plan.conditions.evaluate(context)
    role_truths = iter(truths[plan.first_role_truth :])
    owners = resolve_roles(
        RoleChain(role_id, condition is None or next(role_truths), fallback)
        for role_id, condition, fallback in plan.roles
    )
    fired, dropped = _fired_recommendations(plan, truths, context, categories, owners)
    return Result(
        overall=overall,
        level=level_id,
        categories=categories,
        recommendations=fired,
        questions=question_scores,
        outcomes=_outcomes(plan, truths[len(plan.rules) :], context),
        dropped=dropped,
    )


def _weighted_mean(q: Questionnaire, categories: dict[str, CategoryScore]) -> float | None:
    weighted = [
        (c.score, q.categories_by_id[c.id].weight)
        for c in categories.values()
        if c.score is not None
    ]
    total_weight = sum(weight for _, weight in weighted)
    if not weighted or total_weight <= 0:
        return None
    return round(sum(s * w for s, w in weighted) / total_weight, 1)


def _fired_recommendations(
    plan: _Plan,
    truths: Sequence[bool],
    context: dict[str, Any],
    categories: dict[str, CategoryScore],
    owners: dict[str, str],
) -> tuple[list[FiredRecommendation], list[DroppedRecommendation]]:
    """The plan (`action_plan.select`: ranked by impact, cut) and the rules it left out."""
    candidates: dict[str, tuple[Candidate, _Rule, dict[str, Any]]] = {}
    gaps, mean_gap = weighted_gaps(plan.weights, {c.id: c.score for c in categories.values()})
    for prepared, holds in zip(plan.rules, truths, strict=False):
        if not holds:
            continue
        rule = prepared.rule
        values = prepared.condition.values(context)
        candidate = Candidate(
            rule.id,
            rule.priority,
            gaps.get(rule.category or "", mean_gap),
            len(values),
            len(prepared.actions),
            rule.group,
            rule.excludes,
        )
        candidates[rule.id] = (candidate, prepared, values)
    chosen, dropped = select(candidate for candidate, _, _ in candidates.values())
    fired = []
    rendered: dict[int, str] = {}  # each template once, though several languages may share it
    for candidate in chosen:
        _, prepared, values = candidates[candidate.id]
        rule = prepared.rule
        text = {}
        if not prepared.texts:
            text = _picked_text(plan, rule, context)
        for locale, template in prepared.texts:
            if isinstance(template, str):
                text[locale] = template
            else:
                if id(template) not in rendered:
                    rendered[id(template)] = template.render(context)
                text[locale] = rendered[id(template)]
        actions = [{key: dict(texts) for key, texts in a.items()} for a in prepared.actions]
        for action, role in zip(actions, prepared.owner_roles, strict=True):
            if role is not None:  # an owner named by role: the one the company has
                action["who"] = dict(plan.role_labels[owners[role]])
        fired.append(
            FiredRecommendation(
                id=rule.id,
                priority=rule.priority,
                category=rule.category,
                when=rule.when,
                values=values,
                title=_picked(plan, prepared.title, context),
                text=text,
                actions=actions,
            )
        )
    return fired, dropped


def _outcomes(
    plan: _Plan, truths: Sequence[bool], context: dict[str, Any]
) -> dict[str, OutcomeResult]:
    """Each outcome's first case whose `when` holds; the last case has none and always does."""
    found = {}
    results = iter(truths)
    for outcome_id, cases in plan.outcome_cases:
        # Every case's `when` was evaluated: consume them all to stay aligned.
        holds = [True if condition is None else next(results) for _, condition, _, _ in cases]
        for (index, condition, label, text), true in zip(cases, holds, strict=True):
            if true:
                found[outcome_id] = OutcomeResult(
                    id=outcome_id,
                    case=index,
                    label=dict(label),
                    text=_picked(plan, text, context),
                    values=condition.values(context) if condition is not None else {},
                )
                break
    return found


def _all_locales(q: Questionnaire, text: LocalizedText | None) -> dict[str, str]:
    if text is None:
        return {}
    return {locale: text.get(locale, q.locale) for locale in q.locales}


def _picked(
    plan: _Plan, text: dict[str, str] | CaseList, context: Mapping[str, Any]
) -> dict[str, str]:
    """A prepared text in every language, or the one its case list picks for these answers."""
    if not isinstance(text, CaseList):
        return dict(text)
    picked = text.pick(context)
    return {locale: picked.get(locale, plan.locales[0]) for locale in plan.locales}


def _picked_text(plan: _Plan, rule: Recommendation, context: Mapping[str, Any]) -> dict[str, str]:
    """A rule text given as cases: the case the answers pick, rendered in every language."""
    if not isinstance(rule.text, CaseList):
        return {}
    picked = rule.text.pick(context)
    default = plan.locales[0]
    return {
        locale: rule.text_template(locale, default, picked).render(context)
        for locale in plan.locales
    }
