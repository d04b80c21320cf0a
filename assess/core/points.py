"""How each question earns points: read once from the questionnaire, then applied to answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assess.core.questionnaire import Question, Questionnaire


@dataclass(frozen=True)
class QuestionPoints:
    """How one question earns points, read once from the questionnaire."""

    kind: str  # "none", "single", "multiple", "boolean", "bands" or "scale"
    table: tuple[Any, ...]  # (value, points) pairs, (yes, no) or (below, points) bands
    minimum: float
    possible: float
    category: str | None  # the category the points go to; None for an unscored question

    @classmethod
    def of(cls, question: Question, q: Questionnaire) -> QuestionPoints:
        if not question.is_scored:
            return cls("none", (), 0.0, 0.0, None)
        # A category the questionnaire does not define (the loader refuses it) collects nothing.
        category = question.category if question.category in q.categories_by_id else None
        kind: str
        table: tuple[Any, ...]
        if question.type in {"single", "multiple"}:
            kind, table = question.type, tuple((o.value, o.points) for o in question.options or ())
        elif question.type == "boolean":
            kind, table = "boolean", question.boolean_points
        elif question.bands is not None:
            kind, table = "bands", tuple((b.below, b.points) for b in question.bands)
        elif question.type == "scale":
            kind, table = "scale", ()
        else:
            kind, table = "none", ()
        return cls(kind, table, question.min or 0, question.points_possible, category)

    def earned(self, answer: Any) -> float:
        """Points for one clean answer, within 0 and the question's maximum."""
        if answer is None or self.kind == "none":
            return 0.0
        if self.kind == "single":
            earned = next((points for value, points in self.table if value == answer), 0.0)
        elif self.kind == "multiple":
            earned = sum(points for value, points in self.table if value in answer)
        elif self.kind == "boolean":
            earned = self.table[0 if answer else 1]
        elif self.kind == "bands":
            earned = next(points for below, points in self.table if below is None or answer < below)
        else:
            earned = float(answer - self.minimum)
        return min(max(earned, 0.0), self.possible)
