"""The bookkeeping every outbox table shares (e-mails, webhooks): claim a row, record a
failure with its next attempt, find the rows due.

A row has `status` (pending, sending, sent, failed), `attempts`, `last_error`,
`next_attempt_at` and `claimed_at`. A row "sending" for longer than DELIVERY_STUCK_SECONDS
belongs to a dead worker and may be claimed again, unless it used all its attempts: then it
ends "failed" (a row that kills its worker is not tried for ever).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from assess.db.database import write_transaction
from assess.db.models import utcnow
from assess.extensions import db

# What the back office calls each state of an outbox row (e-mail or webhook).
STATE_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}


def state_label(status: str) -> str:
    """An outbox row's state in the consultant's words."""
    return str(STATE_LABELS.get(status, _l("Unknown state")))


@dataclass(frozen=True)
class Attempt:
    """What became of one delivery attempt."""

    status: str
    retry_at: datetime | None = None
    error: str | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: DELIVERY_RETRY_BASE_SECONDS doubling, capped."""
    base = current_app.config["DELIVERY_RETRY_BASE_SECONDS"]
    cap = current_app.config["DELIVERY_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _claimable(model: Any, now: datetime) -> Any:
    stuck = now - timedelta(seconds=current_app.config["DELIVERY_STUCK_SECONDS"])
    return or_(
        (model.status == "pending") & (model.next_attempt_at <= now),
        (model.status == "sending") & (model.claimed_at < stuck),
    )


CLAIMED = "claimed"


def claim(model: Any, row_id: int, max_attempts: int) -> str:
    """Take the row for this worker if it is pending and due, or stuck "sending" too long:
    CLAIMED. A claimable row that already used its `max_attempts` is marked "failed" instead
    ("failed"); any other row is left alone ("skipped")."""
    now = utcnow()
    with write_transaction():
        exhausted = db.session.execute(
            update(model)
            .where(model.id == row_id, _claimable(model, now), model.attempts >= max_attempts)
            .values(
                status="failed",
                claimed_at=None,
                last_error=(
                    f"gave up: {max_attempts} attempts used "
                    "(the last one may have died with its worker)"
                ),
            )
            .execution_options(synchronize_session=False)
        )
        if exhausted.rowcount == 1:  # type: ignore[attr-defined]
            current_app.logger.warning("%s %s: out of attempts", model.__tablename__, row_id)
            return "failed"
        claimed = db.session.execute(
            update(model)
            .where(model.id == row_id, _claimable(model, now))
            .values(status="sending", claimed_at=now, attempts=model.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return CLAIMED if claimed.rowcount == 1 else "skipped"  # type: ignore[attr-defined]


def requeue(row: Any) -> None:
    """Make a row due now with a fresh count of attempts (inside the caller's transaction)."""
    row.status = "pending"
    row.next_attempt_at = utcnow()
    row.attempts = 0
    row.claimed_at = None


def record_sent(model: Any, row_id: int, **values: Any) -> None:
    """The row was delivered."""
    with write_transaction():
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(status="sent", sent_at=utcnow(), last_error=None, **values)
            .execution_options(synchronize_session=False)
        )


def record_failure(
    model: Any, row_id: int, error: str, permanent: bool, max_attempts: int, **values: Any
) -> Attempt:
    """Failed for good (permanent, or out of attempts), or pending again after a backoff."""
    db.session.rollback()
    retry_at = None
    with write_transaction():
        row = db.session.get(model, row_id)
        if row is None:
            return Attempt("skipped", error=error)
        row.last_error = error[:2000]
        for name, value in values.items():
            setattr(row, name, value)
        if permanent or row.attempts >= max_attempts:
            row.status = "failed"
            return Attempt("failed", error=error)
        row.status = "pending"
        row.next_attempt_at = retry_at = utcnow() + retry_delay(row.attempts)
    current_app.logger.warning(
        "%s %s: %s (retry at %s)", model.__tablename__, row_id, error, retry_at
    )
    return Attempt("pending", retry_at=retry_at, error=error)


def due_ids(model: Any, limit: int = 500) -> list[int]:
    """Rows the sweeper hands to the workers: pending and due, or stuck "sending"."""
    rows = db.session.execute(
        select(model.id).where(_claimable(model, utcnow())).order_by(model.id).limit(limit)
    ).scalars()
    ids = list(rows)
    db.session.rollback()
    return ids
