"""Scoring: a pure function of (questionnaire, answers, contact), explainable question by question."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assess.answers import walk
from assess.contact import expression_contact
from assess.questionnaire import LocalizedText, Question, Questionnaire


@dataclass(frozen=True)
class QuestionScore:
    """Points earned and possible for one question, as the respondent answered it."""

    question_id: str
    category: str | None
    shown: bool
    answer: Any
    earned: float
    possible: float


@dataclass(frozen=True)
class CategoryScore:
    """A category's percentage and level; score is None when nothing was possible."""

    id: str
    score: float | None
    level: str | None
    earned: float
    possible: float


@dataclass(frozen=True)
class FiredRecommendation:
    """A rule that fired, with its texts rendered in every language and why it fired."""

    id: str
    priority: int
    category: str | None
    when: str
    values: dict[str, Any]
    title: dict[str, str]
    text: dict[str, str]
    actions: list[dict[str, dict[str, str]]]


@dataclass(frozen=True)
class OutcomeResult:
    """The case an unscored outcome landed on."""

    id: str
    case: int
    label: dict[str, str]
    text: dict[str, str]
    values: dict[str, Any]


@dataclass(frozen=True)
class Result:
    """Everything the results page, the report and the back office show about a submission."""

    overall: float | None
    level: str | None
    categories: dict[str, CategoryScore]
    recommendations: list[FiredRecommendation]
    questions: list[QuestionScore]
    outcomes: dict[str, OutcomeResult] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Plain data: the CLI prints it and a submission stores it."""
        return {
            "overall": self.overall,
            "level": self.level,
            "categories": {
                c.id: {"score": c.score, "level": c.level, "earned": c.earned, "possible": c.possible}
                for c in self.categories.values()
            },
            "recommendations": [r.id for r in self.recommendations],
            "outcomes": {o.id: {"case": o.case, "label": o.label} for o in self.outcomes.values()},
            "explanation": {
                "questions": [
                    {
                        "id": s.question_id,
                        "category": s.category,
                        "shown": s.shown,
                        "answer": s.answer,
                        "earned": s.earned,
                        "possible": s.possible,
                    }
                    for s in self.questions
                ],
                "recommendations": [
                    {
                        "id": r.id,
                        "priority": r.priority,
                        "category": r.category,
                        "when": r.when,
                        "values": r.values,
                        "title": r.title,
                        "text": r.text,
                        "actions": r.actions,
                    }
                    for r in self.recommendations
                ],
                "outcomes": [
                    {"id": o.id, "case": o.case, "values": o.values, "text": o.text}
                    for o in self.outcomes.values()
                ],
            },
        }


def points_earned(question: Question, answer: Any) -> float:
    """Points for one clean answer, within 0 and the question's maximum."""
    if answer is None or not question.is_scored:
        return 0.0
    if question.type == "single":
        option = question.option(answer)
        earned = option.points if option is not None else 0.0
    elif question.type == "multiple":
        earned = sum(o.points for o in question.options or () if o.value in answer)
    elif question.type == "boolean":
        earned = question.boolean_points[0 if answer else 1]
    elif question.bands is not None:
        earned = next(b.points for b in question.bands if b.below is None or answer < b.below)
    elif question.type == "scale":
        earned = float(answer - (question.min or 0))
    else:
        earned = 0.0
    return min(max(earned, 0.0), question.points_possible)


def score(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    contact: Mapping[str, Any] | None = None,
) -> Result:
    """Score clean answers (see `validate_answers`): categories, overall, levels, rules."""
    q = questionnaire
    question_scores: list[QuestionScore] = []
    earned = dict.fromkeys(q.categories_by_id, 0.0)
    possible = dict.fromkeys(q.categories_by_id, 0.0)
    shown_answers: dict[str, Any] = dict.fromkeys(q.questions_by_id)
    for item in walk(q, answers, contact):
        question = item.question
        answer = answers.get(question.id) if item.shown else None
        if item.shown:
            shown_answers[question.id] = answer
        points = points_earned(question, answer) if item.shown else 0.0
        maximum = question.points_possible if item.shown else 0.0
        if question.is_scored and question.category in earned:
            earned[question.category] += points
            possible[question.category] += maximum
        question_scores.append(
            QuestionScore(question.id, question.category, item.shown, answer, points, maximum)
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
            category.id, percent, level.id if level else None, earned[category.id], possible[category.id]
        )
    overall = _weighted_mean(q, categories)
    overall_level = q.level_for(overall)
    context = {
        "answers": shown_answers,
        "scores": {cid: c.score for cid, c in categories.items()},
        "levels": {cid: c.level for cid, c in categories.items()},
        "overall": overall,
        "level": overall_level.id if overall_level else None,
        "contact": expression_contact(contact),
    }
    return Result(
        overall=overall,
        level=context["level"],
        categories=categories,
        recommendations=_fired_recommendations(q, context, categories),
        questions=question_scores,
        outcomes=_outcomes(q, context),
    )


def _weighted_mean(q: Questionnaire, categories: dict[str, CategoryScore]) -> float | None:
    weighted = [
        (c.score, q.categories_by_id[c.id].weight) for c in categories.values() if c.score is not None
    ]
    total_weight = sum(weight for _, weight in weighted)
    if not weighted or total_weight <= 0:
        return None
    return round(sum(s * w for s, w in weighted) / total_weight, 1)


def _fired_recommendations(
    q: Questionnaire, context: dict[str, Any], categories: dict[str, CategoryScore]
) -> list[FiredRecommendation]:
    """The rules that fire: most urgent first, then weakest category first, then file order."""
    fired = []
    for order, rule in enumerate(q.recommendations):
        if not rule.condition.is_true(context):
            continue
        category_score = categories[rule.category].score if rule.category else None
        sort_key = (rule.priority, 101.0 if category_score is None else category_score, order)
        fired.append(
            (
                sort_key,
                FiredRecommendation(
                    id=rule.id,
                    priority=rule.priority,
                    category=rule.category,
                    when=rule.when,
                    values=rule.condition.values(context),
                    title=_all_locales(q, rule.title),
                    text={
                        locale: rule.text_template(locale, q.locale).render(context)
                        for locale in q.locales
                    },
                    actions=[
                        {
                            "what": _all_locales(q, a.what),
                            "who": _all_locales(q, a.who),
                            "when": _all_locales(q, a.when),
                        }
                        for a in rule.actions
                    ],
                ),
            )
        )
    fired.sort(key=lambda pair: pair[0])
    return [recommendation for _, recommendation in fired]


def _outcomes(q: Questionnaire, context: dict[str, Any]) -> dict[str, OutcomeResult]:
    found = {}
    for outcome in q.outcomes:
        for index, case in enumerate(outcome.cases):
            if case.condition is None or case.condition.is_true(context):
                found[outcome.id] = OutcomeResult(
                    id=outcome.id,
                    case=index,
                    label=_all_locales(q, case.label),
                    text=_all_locales(q, case.text) if case.text else {},
                    values=case.condition.values(context) if case.condition else {},
                )
                break
    return found


def _all_locales(q: Questionnaire, text: LocalizedText) -> dict[str, str]:
    return {locale: text.get(locale, q.locale) for locale in q.locales}
