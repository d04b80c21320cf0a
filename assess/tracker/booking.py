"""Meetings with a consultant: their availability, the free slots, the executive's booking.

Which consultant an executive books with: the lead's owner, when that account is active
and has set its availability; otherwise the first active consultant (by account id) who has.
A slot is never booked twice: each booking re-reads the consultant's meetings inside a write
transaction that serialises on the consultant (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
advisory lock), and a partial unique index refuses a second active booking of one slot or
of one lead whatever happens before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from assess.core.booking_slots import Availability, Hours, Slot, find_free, free_slots, reach
from assess.db.audit import record
from assess.db.database import serialise, write_transaction
from assess.db.models import (
    Booking,
    ConsultantAvailability,
    Lead,
    LeadEvent,
    Submission,
    User,
    aware,
    utcnow,
)
from assess.db.models.booking import BOOKED
from assess.extensions import db
from assess.outbox import meetings, webhooks
from assess.outbox.links import LinkExpired, LinkInvalid
from assess.tracker.pipeline import lead_for_update, move_lead

# A booking moves the lead to "meeting_booked" only from these statuses: a lead already
# further on (a proposal sent, won) stays where it is.
MOVES_FROM = ("new", "contacted")


class BookingError(ValueError):
    """A booking refused; the message is a stable key the page turns into a sentence:
    no_consultant, slot_unavailable, slot_taken, already_booked."""


def _hours(value: object) -> tuple[Hours, ...]:
    ranges = value if isinstance(value, list) else []
    return tuple(Hours(time.fromisoformat(a), time.fromisoformat(b)) for a, b in ranges)


def to_availability(row: ConsultantAvailability) -> Availability:
    """A stored availability as the slot computation reads it."""
    return Availability(
        weekly={int(day): _hours(ranges) for day, ranges in (row.weekly_hours or {}).items()},
        days_off=frozenset(date.fromisoformat(day) for day in row.days_off or ()),
        meeting_minutes=row.meeting_minutes,
        buffer_minutes=row.buffer_minutes,
        notice_hours=row.notice_hours,
        horizon_days=row.horizon_days,
    )


def availability_of(user_id: int) -> Availability | None:
    """A consultant's availability, None when never set."""
    row = db.session.get(ConsultantAvailability, user_id)
    return to_availability(row) if row is not None else None


def save_availability(user_id: int, availability: Availability) -> None:
    """Store a consultant's availability (checked by the form), replacing the previous one;
    meetings already booked stay."""
    with write_transaction():
        row = db.session.get(ConsultantAvailability, user_id) or ConsultantAvailability(
            user_id=user_id
        )
        row.weekly_hours = {
            str(day): [[h.start.strftime("%H:%M"), h.end.strftime("%H:%M")] for h in ranges]
            for day, ranges in sorted(availability.weekly.items())
            if ranges
        }
        row.days_off = sorted(day.isoformat() for day in availability.days_off)
        row.meeting_minutes = availability.meeting_minutes
        row.buffer_minutes = availability.buffer_minutes
        row.notice_hours = availability.notice_hours
        row.horizon_days = availability.horizon_days
        row.updated_at = utcnow()
        db.session.add(row)
        record("availability.save", f"user:{user_id}", {}, user_id=user_id)


def _bookable(user: User | None) -> bool:
    if user is None or not user.active:
        return False
    found = availability_of(user.id)
    return found is not None and not found.is_empty()


def consultant_for(lead: Lead) -> User | None:
    """Who the executive books with: the lead's owner if bookable, else the first active
    consultant with availability; None when nobody takes meetings."""
    if lead.owner_id is not None:
        owner = db.session.get(User, lead.owner_id)
        if _bookable(owner):
            return owner
    candidates = db.session.execute(
        select(User)
        .join(ConsultantAvailability, ConsultantAvailability.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    ).scalars()
    return next((user for user in candidates if _bookable(user)), None)


# No meeting lasts this long (the longest length offered is 90 minutes): the meetings that
# may still run at a moment started at most this long before it.
LONGEST_MEETING = timedelta(days=1)


def _busy(
    consultant_id: int, availability: Availability, now: datetime, leaving_out: int = 0
) -> list[Slot]:
    """The consultant's booked meetings that can take a slot offered at `now`: only those
    within the notice and the horizon (a range of ix_bookings_consultant_starts), never the
    whole year of meetings before and after."""
    since, until = reach(availability, now)
    rows = db.session.execute(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.consultant_id == consultant_id,
            Booking.starts_at >= since - LONGEST_MEETING,
            Booking.starts_at <= until,
            Booking.ends_at >= since,
            Booking.status == "booked",
            Booking.id != leaving_out,
        )
    ).all()
    return [Slot(aware(start), aware(end)) for start, end in rows]


def open_slots(
    consultant: User, now: datetime | None = None, moving: Booking | None = None
) -> list[Slot]:
    """The consultant's free slots, soonest first; for a meeting `moving`, the times it could
    move to (its own slot aside, and free of itself)."""
    now = now or utcnow()
    availability = availability_of(consultant.id)
    if availability is None:
        return []
    leaving_out = moving.id if moving is not None else 0
    slots = free_slots(availability, _busy(consultant.id, availability, now, leaving_out), now)
    if moving is not None:
        slots = [slot for slot in slots if slot.starts_at != aware(moving.starts_at)]
    return slots


def active_booking(lead_id: int) -> Booking | None:
    """The lead's meeting still to come or held, not cancelled."""
    return db.session.execute(
        select(Booking).where(Booking.lead_id == lead_id, Booking.status == "booked")
    ).scalar_one_or_none()


@dataclass(frozen=True)
class LeadMeetings:
    """The lead page's meeting block: the meeting to come (None when there is none), its
    length and consultant; how many of the lead's meetings were held and were cancelled."""

    starts_at: datetime | None
    minutes: int
    consultant: str
    held: int
    cancelled: int


def next_meeting(lead_id: int, now: datetime) -> LeadMeetings | None:
    """The lead's next booked meeting (one still going on at `now` counts) and its past and
    cancelled ones, in one query; None when the lead never booked."""
    now = aware(now)
    held = and_(Booking.status == BOOKED, Booking.ends_at <= now)
    counts = (
        select(
            func.count().label("meetings"),
            func.count(case((held, 1))).label("held"),
            func.count(case((Booking.status == "cancelled", 1))).label("cancelled"),
        )
        .where(Booking.lead_id == lead_id)
        .subquery()
    )
    # A lead has one booked meeting at most (uq_bookings_active_lead): one row.
    to_come = and_(Booking.lead_id == lead_id, Booking.status == BOOKED, Booking.ends_at > now)
    row = db.session.execute(
        select(counts, Booking.starts_at, Booking.ends_at, User.name, User.email)
        .select_from(counts)
        .outerjoin(Booking, to_come)
        .outerjoin(User, User.id == Booking.consultant_id)
    ).one()
    if not row.meetings:
        return None
    starts_at = aware(row.starts_at) if row.starts_at is not None else None
    minutes = round((row.ends_at - row.starts_at).total_seconds() / 60) if starts_at else 0
    return LeadMeetings(
        starts_at, minutes, row.name or row.email or "", int(row.held), int(row.cancelled)
    )


def book(submission: Submission, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Book the slot starting at `starts_at` for the submission's lead (BookingError when
    refused, nothing written): the meeting, both invitations, the `meeting.booked`
    webhook, the timeline; then the lead moves to "meeting_booked"."""
    now = now or utcnow()
    lead = submission.lead
    if lead is None:
        raise BookingError("no_consultant")
    consultant = consultant_for(lead)
    if consultant is None:
        raise BookingError("no_consultant")
    try:
        with write_transaction():
            booking = _book_locked(submission, lead.id, consultant, aware(starts_at), now)
            booking_id = booking.id
    except IntegrityError:
        # Another request took the slot (or booked for this lead) between our read and write.
        raise BookingError("slot_taken") from None
    found = db.session.get(Booking, booking_id)
    if found is None:  # the lead was erased in between
        raise BookingError("slot_unavailable")
    return found


def _book_locked(
    submission: Submission, lead_id: int, consultant: User, starts_at: datetime, now: datetime
) -> Booking:
    serialise(f"booking:{consultant.id}")
    lead = lead_for_update(lead_id)
    if lead is None:
        raise BookingError("slot_unavailable")
    if active_booking(lead.id) is not None:
        raise BookingError("already_booked")
    availability = availability_of(consultant.id)
    busy = _busy(consultant.id, availability, now) if availability else []
    slot = find_free(availability, busy, now, starts_at) if availability else None
    if slot is None:
        taken = any(b.starts_at == starts_at for b in busy)
        raise BookingError("slot_taken" if taken else "slot_unavailable")
    booking = Booking(
        consultant_id=consultant.id,
        lead_id=lead.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status="booked",
        sequence=0,
        created_at=now,
        status_before=lead.status,
    )
    db.session.add(booking)
    db.session.flush()
    db.session.add(
        LeadEvent(
            lead_id=lead.id,
            kind="meeting.booked",
            data={"booking_id": booking.id, "starts_at": slot.starts_at.isoformat()},
        )
    )
    record("booking.create", f"lead:{lead.id}", {"booking": booking.id}, user_id=None)
    meetings.queue_invitations(booking, submission.id, now)
    webhooks.meeting_booked(booking)
    if lead.status in MOVES_FROM:
        # The one way a status changes, in the booking's own transaction: the cadence stops.
        move_lead(lead, "meeting_booked", "", None, source="booking", now=now)
    return booking


def cancel(token: str, now: datetime | None = None) -> Booking:
    """Cancel the meeting a signed link names (LinkInvalid, LinkExpired: nothing changes):
    the cancellation e-mails (METHOD:CANCEL, SEQUENCE raised), the `meeting.cancelled`
    webhook, the timeline; then the lead goes back to its status before the meeting."""
    now = now or utcnow()
    with write_transaction():
        found = meetings.booking_of_token(token)
        expected = found.sequence
        db.session.refresh(found, with_for_update=True)
        if found.status != "booked" or found.sequence != expected:
            raise LinkExpired  # changed by a request that used the same link meanwhile
        found.status = "cancelled"
        found.cancelled_at = now
        found.sequence += 1
        db.session.add(
            LeadEvent(
                lead_id=found.lead_id, kind="meeting.cancelled", data={"booking_id": found.id}
            )
        )
        record("booking.cancel", f"lead:{found.lead_id}", {"booking": found.id}, user_id=None)
        meetings.queue_cancellations(found)
        webhooks.meeting_cancelled(found)
        booking_id = found.id
        lead = lead_for_update(found.lead_id)
        if (
            lead is not None
            and lead.status == "meeting_booked"
            and found.status_before in MOVES_FROM
        ):
            # Back to where the booking took it from; the pipeline plans the cadence again.
            move_lead(lead, found.status_before, "", None, source="booking", now=now)
    cancelled = db.session.get(Booking, booking_id)
    if cancelled is None:
        raise LinkInvalid
    return cancelled


def move(token: str, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Move the meeting a signed link names to another free slot of its consultant: same UID,
    SEQUENCE raised, a new invitation (METHOD:REQUEST) to both sides, the reminder moved, the
    `meeting.rescheduled` webhook. LinkInvalid or LinkExpired for a bad link, BookingError for
    a slot that cannot be taken; nothing changes then."""
    now = now or utcnow()
    wanted = aware(starts_at)
    try:
        with write_transaction():
            found = meetings.booking_of_token(token)
            expected = found.sequence
            serialise(f"booking:{found.consultant_id}")
            db.session.refresh(found, with_for_update=True)
            if found.status != "booked" or found.sequence != expected:
                raise LinkExpired  # changed by a request that used the same link meanwhile
            availability = availability_of(found.consultant_id)
            busy = (
                _busy(found.consultant_id, availability, now, leaving_out=found.id)
                if availability
                else []
            )
            slot = find_free(availability, busy, now, wanted) if availability else None
            if slot is None or slot.starts_at == aware(found.starts_at):
                taken = any(b.starts_at == wanted for b in busy)
                raise BookingError("slot_taken" if taken else "slot_unavailable")
            previous = aware(found.starts_at)
            found.starts_at, found.ends_at = slot.starts_at, slot.ends_at
            found.sequence += 1
            db.session.flush()
            db.session.add(
                LeadEvent(
                    lead_id=found.lead_id,
                    kind="meeting.moved",
                    data={
                        "booking_id": found.id,
                        "from": previous.isoformat(),
                        "to": slot.starts_at.isoformat(),
                    },
                )
            )
            record("booking.move", f"lead:{found.lead_id}", {"booking": found.id}, user_id=None)
            meetings.queue_move(found, now)
            webhooks.meeting_rescheduled(found)
            booking_id = found.id
    except IntegrityError:
        raise BookingError("slot_taken") from None
    moved = db.session.get(Booking, booking_id)
    if moved is None:
        raise LinkInvalid
    return moved
