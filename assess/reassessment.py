"""Re-assessment: the same executive takes the diagnostic again, months later, and sees
what changed.

A signed link, carried by the report e-mail and the results page, names the lead by its
random `link_key` (never by its id, which SQLite could give to the next lead) and starts a
draft attached to the lead: its contact step fills in the e-mail only, and the completion
joins the same lead. The change
is measured, score by score, against the lead's previous completed submission of the same
questionnaire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from assess.drafts import REASSESSMENT
from assess.extensions import db
from assess.models import Lead, Submission
from assess.questionnaire import Questionnaire

# The links name a lead by its `link_key`, a random secret: an id, given again to the next
# lead once the first was deleted, named the wrong person. Links signed under the old salt
# (around an id) no longer verify.
SALT = "reassessment-link-by-key"


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was forged, damaged, or its lead no longer exists."""


def link_token(secret: str, link_key: str) -> str:
    """The signed token of a lead's re-assessment link."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"key": link_key})


def link_url(config: Mapping[str, Any], lead: Lead) -> str:
    """The full address of a lead's re-assessment link (for e-mails and pages)."""
    base = config["PUBLIC_URL"].rstrip("/")
    return f"{base}/again/{link_token(config['SECRET_KEY'], lead.link_key)}"


def lead_of(secret: str, token: str, max_age_days: int) -> Lead:
    """The lead a token was made for; LinkExpired, or LinkInvalid (its lead is gone too)."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        data = serializer.loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        raise LinkInvalid from None
    key = data.get("key") if isinstance(data, dict) else None
    if not isinstance(key, str) or not key:
        raise LinkInvalid
    lead: Lead | None = db.session.execute(
        select(Lead).where(Lead.link_key == key)
    ).scalar_one_or_none()
    if lead is None:
        raise LinkInvalid
    return lead


def start_reassessment(q: Questionnaire, lead: Lead, locale: str) -> Submission:
    """A new draft attached to the lead, held by the link (LinkInvalid when the lead was
    deleted in between)."""
    from assess.submissions import start_draft

    try:
        return start_draft(
            q, locale, {"utm_source": "reassessment"}, lead_id=lead.id, holder=REASSESSMENT
        )
    except LookupError:
        raise LinkInvalid from None


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

    before = previous.get("categories") or {}
    categories = {
        category_id: difference(
            (figures or {}).get("score"), (before.get(category_id) or {}).get("score")
        )
        for category_id, figures in (current.get("categories") or {}).items()
    }
    return difference(current.get("overall"), previous.get("overall")), categories


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
