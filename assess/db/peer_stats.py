"""The peer benchmark's storage: score counts kept per group as submissions complete, and
the comparison of one submission read from them (at most 101 rows per score and group).

The counts are anonymous aggregates, like the funnel's: deleting a lead leaves them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from assess.core.peers import ALL, OVERALL, PeerComparison, PeerGroup, bucket, compare, segment
from assess.core.result import StoredResult
from assess.db.database import dialect_insert
from assess.db.models import Lead, PeerScoreCount, Submission
from assess.extensions import db


def scores_of(result: dict[str, Any] | None) -> dict[str, float | None]:
    """A stored result's scores by name: OVERALL and each category id."""
    stored = StoredResult.from_json(result)
    scores: dict[str, float | None] = {OVERALL: stored.overall}
    for category_id, found in stored.categories.items():
        scores[category_id] = found.score
    return scores


def groups_of(lead: Lead | None) -> tuple[PeerGroup, ...]:
    """The groups a submission counts in, the closest first."""
    if lead is None:
        return (ALL,)
    return (segment(lead.company_size, lead.sector), ALL)


def count_scores(submission: Submission, lead: Lead) -> None:
    """Add a completed submission's scores to its groups' counts (in the caller's
    transaction, one statement)."""
    rows = [
        {
            "questionnaire_id": submission.questionnaire_id,
            "group_key": group.key,
            "score_name": name,
            "point": bucket(value),
            "count": 1,
        }
        for group in groups_of(lead)
        for name, value in scores_of(submission.result).items()
        if value is not None
    ]
    if not rows:
        return
    statement = dialect_insert(PeerScoreCount).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                PeerScoreCount.questionnaire_id,
                PeerScoreCount.group_key,
                PeerScoreCount.score_name,
                PeerScoreCount.point,
            ],
            set_={"count": PeerScoreCount.count + 1},
        )
    )


def peer_comparison(submission: Submission) -> PeerComparison | None:
    """Where a completed submission stands in its size band and sector, or among all
    submissions when that group is too small; None when no group is large enough."""
    if submission.result is None or submission.questionnaire_id is None:
        return None
    groups = groups_of(submission.lead)
    found: dict[PeerGroup, dict[str, dict[int, int]]] = {group: {} for group in groups}
    by_key = {group.key: group for group in groups}
    rows = db.session.execute(
        select(
            PeerScoreCount.group_key,
            PeerScoreCount.score_name,
            PeerScoreCount.point,
            PeerScoreCount.count,
        ).where(
            PeerScoreCount.questionnaire_id == submission.questionnaire_id,
            PeerScoreCount.group_key.in_(list(by_key)),
        )
    )
    for group_key, name, point, count in rows:
        found[by_key[group_key]].setdefault(name, {})[point] = count
    minimum = current_app.config["PEER_MIN_GROUP"]
    return compare(scores_of(submission.result), found, groups, minimum)
