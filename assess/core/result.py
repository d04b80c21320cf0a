"""What a scoring returns: the records of a result and their plain-data form (stored with
each submission, printed by the CLI).

The records are named tuples: immutable like frozen dataclasses, and built several times
faster (a scoring builds about a hundred of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class QuestionScore(NamedTuple):
    """Points earned and possible for one question, as the respondent answered it."""

    question_id: str
    category: str | None
    shown: bool
    answer: Any
    earned: float
    possible: float


class CategoryScore(NamedTuple):
    """A category's percentage and level; score is None when nothing was possible."""

    id: str
    score: float | None
    level: str | None
    earned: float
    possible: float


class FiredRecommendation(NamedTuple):
    """A rule that fired, with its texts rendered in every language and why it fired."""

    id: str
    priority: int
    category: str | None
    when: str
    values: dict[str, Any]
    title: dict[str, str]
    text: dict[str, str]
    actions: list[dict[str, dict[str, str]]]


class OutcomeResult(NamedTuple):
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
                c.id: {
                    "score": c.score,
                    "level": c.level,
                    "earned": c.earned,
                    "possible": c.possible,
                }
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
