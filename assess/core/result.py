"""What a scoring returns: the records of a result and their plain-data form (stored with
each submission, printed by the CLI), and `StoredResult`, that plain data read back.

The records are named tuples: immutable like frozen dataclasses, and built several times
faster (a scoring builds about a hundred of them).
"""

from __future__ import annotations

from collections.abc import Mapping
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


class DroppedRecommendation(NamedTuple):
    """A rule that fired but is not in the plan, and why (for authors, not for the report)."""

    id: str
    reason: str


class OutcomeResult(NamedTuple):
    """The case an unscored outcome landed on."""

    id: str
    case: int
    label: dict[str, str]
    text: dict[str, str]
    values: dict[str, Any]


@dataclass(frozen=True)
class Result:
    """Everything the results page, the report and the back office show about a submission.

    `recommendations` is the action plan (`action_plan`): ranked by impact, at most
    MAX_RECOMMENDATIONS, each with at most MAX_ACTIONS actions whose owners are resolved.
    """

    overall: float | None
    level: str | None
    categories: dict[str, CategoryScore]
    recommendations: list[FiredRecommendation]
    questions: list[QuestionScore]
    outcomes: dict[str, OutcomeResult] = field(default_factory=dict)
    # The rules that fired but were left out of the plan (`action_plan.select`).
    dropped: list[DroppedRecommendation] = field(default_factory=list)

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
                "dropped": [{"id": d.id, "reason": d.reason} for d in self.dropped],
            },
        }


class StoredCategory(NamedTuple):
    """A category as a submission stored it; score and level are None when it was not scored."""

    id: str
    score: float | None
    level: str | None


class ScoredCategory(NamedTuple):
    """A stored category that was scored: its score is a number."""

    id: str
    score: float
    level: str | None


class StoredOutcome(NamedTuple):
    """The case an unscored outcome landed on, as a submission stored it."""

    id: str
    case: int | None
    label: dict[str, str] | None


@dataclass(frozen=True)
class StoredResult:
    """A submission's stored result (`Result.as_json`) read back: the one way to read it.

    Results stored by older versions may lack keys or hold nulls: a missing score, level or
    section reads as None or empty. `explanation` stays plain data, as stored.
    """

    overall: float | None
    level: str | None
    # In the stored order: the order of the questionnaire the submission was scored with.
    categories: Mapping[str, StoredCategory]
    recommendations: tuple[str, ...]
    outcomes: Mapping[str, StoredOutcome]
    explanation: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> StoredResult:
        """Read the plain data a submission stores (None reads as an empty result)."""
        data = data or {}
        categories = {
            category_id: StoredCategory(
                category_id, (figures or {}).get("score"), (figures or {}).get("level")
            )
            for category_id, figures in (data.get("categories") or {}).items()
        }
        outcomes = {
            outcome_id: StoredOutcome(
                outcome_id, (found or {}).get("case"), (found or {}).get("label")
            )
            for outcome_id, found in (data.get("outcomes") or {}).items()
        }
        return cls(
            overall=data.get("overall"),
            level=data.get("level"),
            categories=categories,
            recommendations=tuple(data.get("recommendations") or ()),
            outcomes=outcomes,
            explanation=data.get("explanation") or {},
        )

    def score_of(self, category_id: str) -> float | None:
        """A category's score; None when it was not scored or is not in the result."""
        found = self.categories.get(category_id)
        return found.score if found is not None else None

    def level_of(self, category_id: str) -> str | None:
        """A category's level id; None when it was not scored or is not in the result."""
        found = self.categories.get(category_id)
        return found.level if found is not None else None

    def weakest(self, n: int | None = None) -> list[ScoredCategory]:
        """The n lowest-scoring categories (every scored one when n is None), lowest first;
        ties keep the stored order, the questionnaire's. Unscored categories are left out."""
        scored = [
            ScoredCategory(c.id, c.score, c.level)
            for c in self.categories.values()
            if c.score is not None
        ]
        scored.sort(key=lambda c: c.score)  # sort() is stable: ties keep the stored order
        return scored if n is None else scored[:n]
