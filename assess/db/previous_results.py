"""A lead's earlier diagnostic: the submission before this one, and the change since."""

from __future__ import annotations

from sqlalchemy import select

from assess.core.progress import Progress, score_changes
from assess.db.models import Submission
from assess.extensions import db


def previous_submission(submission: Submission) -> Submission | None:
    """The lead's latest completed submission of the same questionnaire before this one."""
    if submission.lead_id is None or submission.completed_at is None:
        return None
    found: Submission | None = db.session.execute(
        select(Submission)
        .where(
            Submission.lead_id == submission.lead_id,
            Submission.status == "completed",
            Submission.questionnaire_id == submission.questionnaire_id,
            Submission.id != submission.id,
            Submission.completed_at <= submission.completed_at,
        )
        .order_by(Submission.completed_at.desc(), Submission.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return found


def progress_of(submission: Submission) -> Progress | None:
    """The change since the previous submission, or None for a first diagnostic."""
    previous = previous_submission(submission)
    if previous is None or previous.completed_at is None:
        return None
    overall, categories = score_changes(submission.result or {}, previous.result or {})
    return Progress(previous.id, previous.completed_at, overall, categories)
