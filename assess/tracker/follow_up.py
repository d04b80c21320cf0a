"""The follow-up that persists: the worker e-mails the cadence's e-mail touches itself.

Most salespeople give up after the third contact; a sale closes on average at the seventh.
Every e-mail touch after the first (the first goes with the report, from the consultant)
is written by the worker when it comes due, on a working day in working hours in Paris
(FOLLOW_UP_HOURS), to a lead who accepted follow-up e-mails (or to every lead when
FOLLOW_UP_LEGITIMATE_INTEREST is set) and whose report reached them. It stops when a
meeting is booked or the lead closed (the pipeline stops the cadence), when the lead
unsubscribes, when the consultant marks a reply or pauses it. An e-mail touch more than
STALE_AFTER late is the consultant's again.

Exactly once per touch: the touch is locked and marked done in the transaction that
writes its outbox row, and the outbox sends each row once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select, true

from assess.core.sending_window import SendingWindow, parse_window
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Delivery, Lead, LeadEvent, Submission, Touch, aware, utcnow
from assess.extensions import db
from assess.outbox import webhooks
from assess.outbox.delivery import REPORT
from assess.outbox.follow_ups import FOLLOW_UP_KIND, withdraw_pending
from assess.outbox.messages import queue_delivery
from assess.outbox.rows import Attempt
from assess.outbox.tasks import task
from assess.tracker.cadence import EMAILED, complete_touch
from assess.tracker.pipeline import CADENCE_STOPS, locked_lead, refresh_next_touch

FOLLOW_UP = "follow_up"  # the worker's task: write one touch's e-mail
PAUSED, REPLIED, UNSUBSCRIBED = "paused", "replied", "unsubscribed"
# Why a lead gets no more follow-up e-mails, in the consultant's words.
STOP_LABELS = {
    PAUSED: _l("Paused by the consultant"),
    REPLIED: _l("The lead replied"),
    UNSUBSCRIBED: _l("The lead unsubscribed"),
}
# A follow-up e-mail more than this late is not sent by the app (the lead was paused, their
# report went out late): the touch is the consultant's again, who knows why. It also keeps
# the sweep, every minute, to the touches of the last two weeks.
STALE_AFTER = timedelta(days=14)
# What the consultant can do on the lead page (UNSUBSCRIBED is the lead's alone).
ACTIONS = ("pause", "replied", "resume")


@dataclass(frozen=True)
class FollowUpState:
    """What the lead page says of the follow-up e-mails, and the buttons it offers."""

    automatic: bool
    consent: bool
    stop: str | None
    stopped_at: datetime | None
    actions: tuple[str, ...]

    @property
    def stop_label(self) -> str:
        return str(STOP_LABELS[self.stop]) if self.stop else ""


class FollowUpError(ValueError):
    """A refused change: "unknown action", or "unsubscribed" (only the lead can undo that)."""


def sending_window() -> SendingWindow:
    """FOLLOW_UP_HOURS, parsed (checked when the app starts)."""
    config = current_app.config
    return parse_window(config["FOLLOW_UP_HOURS"], config["FOLLOW_UP_SKIP_PUBLIC_HOLIDAYS"])


def _consent() -> Any:
    """The leads the follow-up may write to: those who ticked the box, or all of them."""
    if current_app.config["FOLLOW_UP_LEGITIMATE_INTEREST"]:
        return true()
    return Lead.marketing_opt_in.is_(True)


def _report_sent() -> Any:
    """The lead's report e-mail reached them: their address is theirs and works."""
    return exists().where(
        Submission.lead_id == Lead.id,
        Delivery.submission_id == Submission.id,
        Delivery.kind == REPORT,
        Delivery.status == "sent",
    )


def _sendable(now: datetime) -> Any:
    """The conditions on the touch and its lead for the worker to write its e-mail now."""
    return and_(
        Touch.due_at <= now,
        Touch.due_at > now - STALE_AFTER,
        Touch.status == "planned",
        Touch.channel == "email",
        Touch.number > 1,
        Lead.status.not_in(CADENCE_STOPS),
        Lead.follow_up_stop.is_(None),
        Lead.latest_submission_id.is_not(None),
        _consent(),
        _report_sent(),
    )


def automatic(lead: Lead) -> bool:
    """Whether the worker e-mails this lead's e-mail touches (consent given, not stopped)."""
    consent = current_app.config["FOLLOW_UP_LEGITIMATE_INTEREST"] or lead.marketing_opt_in
    return bool(consent) and lead.follow_up_stop is None and lead.status not in CADENCE_STOPS


def reached_by_report(lead_ids: Iterable[int]) -> set[int]:
    """Those of the leads whose report e-mail was sent (one query, for a page of leads)."""
    wanted = list(lead_ids)
    if not wanted:
        return set()
    found = db.session.execute(
        select(Submission.lead_id)
        .join(Delivery, Delivery.submission_id == Submission.id)
        .where(
            Submission.lead_id.in_(wanted),
            Delivery.kind == REPORT,
            Delivery.status == "sent",
        )
        .distinct()
    ).scalars()
    return {lead_id for lead_id in found if lead_id is not None}


def sent_by_the_app(lead: Lead, touch: Touch, reached: Collection[int]) -> bool:
    """Whether the worker, not the consultant, makes this planned touch: an e-mail touch after
    the first, not yet STALE_AFTER late, of a lead whose follow-up e-mails go and whose report
    reached them (`reached`: from reached_by_report)."""
    return (
        lead.id in reached
        and touch.status == "planned"
        and touch.channel == "email"
        and touch.number > 1
        and aware(touch.due_at) > utcnow() - STALE_AFTER
        and automatic(lead)
    )


def state_of(lead: Lead) -> FollowUpState:
    """The lead's follow-up e-mails: sent by the worker, stopped (why, since when), or never
    sent for want of consent; and what the consultant may do about it."""
    consent = bool(current_app.config["FOLLOW_UP_LEGITIMATE_INTEREST"] or lead.marketing_opt_in)
    stop = lead.follow_up_stop
    if not consent or stop == UNSUBSCRIBED:
        actions: tuple[str, ...] = ()
    elif stop is None:
        actions = ("pause", "replied") if automatic(lead) else ()
    else:
        actions = ("resume",)
    return FollowUpState(automatic(lead), consent, stop, lead.follow_up_stopped_at, actions)


def due_touch_ids(now: datetime | None = None, limit: int = 200) -> list[int]:
    """E-mail touches due now whose e-mail may leave (none outside the sending window)."""
    now = now or utcnow()
    if not sending_window().is_open(now):
        return []
    ids = list(
        db.session.execute(
            select(Touch.id)
            .join(Lead, Lead.id == Touch.lead_id)
            .where(_sendable(now))
            .order_by(Touch.due_at, Touch.id)
            .limit(limit)
        ).scalars()
    )
    db.session.rollback()
    return ids


@task(FOLLOW_UP, due=due_touch_ids)
def send_follow_up(touch_id: int, now: datetime | None = None) -> Attempt | None:
    """Write a due e-mail touch's outbox row and mark the touch done, in one transaction;
    nothing when it is no longer due, stopped, or outside the sending window."""
    now = now or utcnow()
    if not sending_window().is_open(now):
        return None
    with write_transaction():
        found = db.session.execute(
            select(Touch, Lead)
            .join(Lead, Lead.id == Touch.lead_id)
            .where(Touch.id == touch_id, _sendable(now))
            .with_for_update()
        ).one_or_none()
        if found is None:  # sent already, stopped, deleted, or not due
            return None
        touch, lead = found
        if lead.latest_submission_id is None:  # excluded by _sendable; says so to the types
            return None
        queue_delivery(lead.latest_submission_id, f"{FOLLOW_UP_KIND}{touch.id}", lead.email)
        complete_touch(lead, touch, EMAILED, None, None, now)
    return Attempt("queued")


def change(lead_id: int, action: str, user_id: int | None, now: datetime | None = None) -> bool:
    """The consultant pauses the follow-up e-mails, marks a reply, or resumes them; False when
    nothing changed. FollowUpError when refused, LookupError when there is no such lead."""
    if action not in ACTIONS:
        raise FollowUpError("unknown action")
    now = now or utcnow()
    with write_transaction():
        lead = locked_lead(lead_id)
        if lead.follow_up_stop == UNSUBSCRIBED:
            raise FollowUpError("unsubscribed")
        stop = {"pause": PAUSED, "replied": REPLIED, "resume": None}[action]
        if lead.follow_up_stop == stop:
            return False
        _set_stop(lead, stop, user_id, now)
    return True


def unsubscribe(lead_id: int, now: datetime | None = None) -> bool:
    """The lead's one click: no more follow-up e-mails, for good; the e-mail touches still
    planned are cancelled. False when they had unsubscribed already (one effect)."""
    now = now or utcnow()
    with write_transaction():
        lead = locked_lead(lead_id)
        if lead.follow_up_stop == UNSUBSCRIBED:
            return False
        _set_stop(lead, UNSUBSCRIBED, None, now)
        webhooks.lead_unsubscribed(lead)
        for touch in db.session.execute(
            select(Touch).where(
                Touch.lead_id == lead.id, Touch.status == "planned", Touch.channel == "email"
            )
        ).scalars():
            touch.status = "cancelled"
        refresh_next_touch(lead)
    return True


def _set_stop(lead: Lead, stop: str | None, user_id: int | None, now: datetime) -> None:
    previous = lead.follow_up_stop
    lead.follow_up_stop = stop
    lead.follow_up_stopped_at = now if stop else None
    if stop:
        withdraw_pending(lead.id)
    data = {"from": previous, "to": stop}
    # One literal kind per change, so the timeline's test finds every kind written.
    if stop == PAUSED:
        event = LeadEvent(kind="follow_up.paused", data=data)
    elif stop == REPLIED:
        event = LeadEvent(kind="follow_up.replied", data=data)
    elif stop == UNSUBSCRIBED:
        event = LeadEvent(kind="follow_up.unsubscribed", data=data)
    else:
        event = LeadEvent(kind="follow_up.resumed", data=data)
    event.lead_id, event.at, event.user_id = lead.id, now, user_id
    db.session.add(event)
    record(event.kind, f"lead:{lead.id}", data, user_id=user_id)
