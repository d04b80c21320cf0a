"""Progress: how a lead's scores moved between two diagnostics (points, + is better)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assess.core.result import StoredResult


@dataclass(frozen=True)
class Progress:
    """How a submission's scores moved since the lead's previous one (points, + is better)."""

    previous_id: int
    previous_completed_at: datetime
    overall: float | None
    categories: dict[str, float | None]


def score_changes(
    current: Mapping[str, Any], previous: Mapping[str, Any]
) -> tuple[float | None, dict[str, float | None]]:
    """Overall and per-category differences between two stored results (None where either
    side has no score)."""

    def difference(now: Any, before: Any) -> float | None:
        if now is None or before is None:
            return None
        return round(float(now) - float(before), 1)

    now, before = StoredResult.from_json(current), StoredResult.from_json(previous)
    categories = {
        category_id: difference(found.score, before.score_of(category_id))
        for category_id, found in now.categories.items()
    }
    return difference(now.overall, before.overall), categories
