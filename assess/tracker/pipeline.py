"""The pipeline: the one way a lead's status changes.

The back office's status form, a touch whose outcome moves the lead (cadence.log_touch) and
the executive's own booking or cancellation from a public page (no account) all go through
`move_lead`: it records the change on the lead and its timeline, audits it, stops the
follow-up cadence or plans the rest of it again, and posts the `lead.status_changed`
webhook, every time the status really changes and never when it does not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, true

from assess.core.single_line import is_single_line
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Lead, LeadEvent, Touch, User, aware, utcnow
from assess.extensions import db
from assess.outbox import webhooks
from assess.outbox.follow_ups import withdraw_pending
from assess.tracker.lead_list import STATUSES

# Once a meeting is booked, or the lead is won or lost, the cadence stops by itself.
CADENCE_STOPS = {"meeting_booked", "proposal_sent", "won", "lost"}
# Statuses in which the cadence still runs: nobody has answered for good yet.
OPEN_STATUSES = ("new", "contacted")
MAX_REASON = 500  # the length of Lead.lost_reason
# Who moved the lead: a consultant in the back office, a touch's outcome, the executive's
# booking (or its cancellation) from a public page.
SOURCES = ("backoffice", "touch", "booking")


class LeadError(ValueError):
    """A refused change to a lead, with a message for the consultant."""


def _checked_reason(status: str, reason: str | None) -> str:
    if status not in STATUSES:
        raise LeadError("unknown status")
    reason = (reason or "").strip()
    if status == "lost" and not reason:
        raise LeadError("reason required")
    if len(reason) > MAX_REASON:
        raise LeadError("reason too long")
    if not is_single_line(reason):
        raise LeadError("reason not on one line")
    return reason


def lead_for_update(lead_id: int) -> Lead | None:
    """The lead, locked for the rest of the caller's write transaction (None: no such lead)."""
    lead: Lead | None = db.session.execute(
        select(Lead).where(Lead.id == lead_id).with_for_update()
    ).scalar_one_or_none()
    return lead


def locked_lead(lead_id: int) -> Lead:
    """The lead, locked for the rest of the write transaction; LookupError when none."""
    lead = lead_for_update(lead_id)
    if lead is None:
        raise LookupError(lead_id)
    return lead


def change_status(
    lead_id: int,
    status: str,
    reason: str | None = "",
    user_id: int | None = None,
    *,
    source: str = "backoffice",
    now: datetime | None = None,
) -> Lead:
    """Move a lead in the pipeline in a transaction of its own (LeadError when refused,
    LookupError when there is no such lead); `user_id` None: nobody signed in moved it."""
    _checked_reason(status, reason)
    with write_transaction():
        lead = locked_lead(lead_id)
        move_lead(lead, status, reason, user_id, source=source, now=now)
    return lead


def move_lead(
    lead: Lead,
    status: str,
    reason: str | None,
    user_id: int | None,
    *,
    source: str = "backoffice",
    now: datetime | None = None,
) -> bool:
    """Inside the caller's write transaction, on the locked lead: change its status (a lost
    lead needs a reason), record, audit, stop or re-plan the cadence, post the webhook.
    False when nothing changed (same status, same reason)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    reason = _checked_reason(status, reason)
    previous = lead.status
    lost_reason = reason if status == "lost" else None
    if previous == status and lead.lost_reason == lost_reason:
        return False
    now = now or utcnow()
    lead.status = status
    lead.lost_reason = lost_reason
    details = {"from": previous, "to": status, "source": source}
    if previous != status:
        lead.status_changed_at = now
        if status in CADENCE_STOPS:
            stop_cadence(lead)
        elif previous in CADENCE_STOPS:
            resume_cadence(lead, now)
    db.session.add(
        LeadEvent(
            lead_id=lead.id,
            at=now,
            kind="status",
            user_id=user_id,
            data={**details, "reason": lead.lost_reason},
        )
    )
    record("lead.status", f"lead:{lead.id}", details, user_id=user_id)
    if previous != status:
        user = db.session.get(User, user_id) if user_id is not None else None
        webhooks.lead_status_changed(lead, previous, user.email if user else None, source)
    return True


def stop_cadence(lead: Lead) -> None:
    """Cancel the touches still planned, and drop the follow-up e-mail not sent yet (inside
    the caller's transaction)."""
    withdraw_pending(lead.id)
    for touch in db.session.execute(
        select(Touch).where(Touch.lead_id == lead.id, Touch.status == "planned")
    ).scalars():
        touch.status = "cancelled"
    lead.next_touch_at = None


def refresh_next_touch(lead: Lead) -> None:
    """Set the lead's `next_touch_at` to its first touch still planned (None when none is),
    after touches were done or cancelled (inside the caller's transaction)."""
    db.session.flush()
    lead.next_touch_at = db.session.execute(
        select(func.min(Touch.due_at)).where(Touch.lead_id == lead.id, Touch.status == "planned")
    ).scalar_one_or_none()


def resume_cadence(lead: Lead, now: datetime) -> None:
    """A lead back in an open status (a meeting cancelled, a lost lead calling back): the
    touches the stop cancelled are planned again, the first due now (or when it was due, if
    later) and the others keeping their spacing: the cadence goes on where it stopped, not
    with a row of overdue touches."""
    cancelled = list(
        db.session.execute(
            select(Touch)
            .where(Touch.lead_id == lead.id, Touch.status == "cancelled")
            # A lead who unsubscribed gets no e-mail touch again.
            .where(Touch.channel != "email" if lead.follow_up_stop == "unsubscribed" else true())
            .order_by(Touch.number)
        ).scalars()
    )
    if not cancelled:
        return
    shift = max(aware(now) - aware(cancelled[0].due_at), timedelta(0))
    for touch in cancelled:
        touch.status = "planned"
        touch.due_at = aware(touch.due_at) + shift
    lead.next_touch_at = cancelled[0].due_at
