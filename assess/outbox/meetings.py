"""The e-mails about a booked meeting: to the executive and to the consultant, each with the
iCalendar invitation (RFC 5546, METHOD:REQUEST) attached, and, when it is called off, the
cancellation (METHOD:CANCEL, same UID, SEQUENCE raised).

Each is a delivery row ("meet-<booking id>" to the executive, "meetc-<booking id>" to the
consultant; "mcancel-" and "mcancelc-" for the cancellation) written in the transaction of the
change, on the submission whose results page the executive booked from; the worker sends it
like every other message. The executive's invitation carries a signed link that cancels.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, or_, select

from assess.core.icalendar import Meeting, Person, meeting_invitation
from assess.db.models import Booking, Delivery, aware, utcnow
from assess.db.models.booking import BOOKED
from assess.extensions import db
from assess.i18n import format_moment
from assess.outbox.links import LinkExpired, LinkInvalid, public_url, signed_data
from assess.outbox.mail import Attachment, DeliveryError, Outgoing
from assess.outbox.messages import message_id, queue_delivery, row_of_kind

# Delivery kinds: the invitation to the executive, the one to the consultant, and the same two
# for a cancellation.
MEETING_KIND = "meet-"
MEETING_CONSULTANT_KIND = "meetc-"
CANCEL_KIND = "mcancel-"
CANCEL_CONSULTANT_KIND = "mcancelc-"
# The reminder to the executive, due 24 hours before the meeting: "mremind-<booking id>-
# <sequence>", so a meeting moved after its reminder went gets one for its new time.
REMINDER_KIND = "mremind-"
REMINDER_BEFORE = timedelta(hours=24)
# A meeting moved: "mmove-<booking id>-<sequence>" (a meeting may move more than once).
MOVED_KIND = "mmove-"
MOVED_CONSULTANT_KIND = "mmovec-"
KINDS = (
    MEETING_KIND,
    MEETING_CONSULTANT_KIND,
    CANCEL_KIND,
    CANCEL_CONSULTANT_KIND,
    REMINDER_KIND,
    MOVED_KIND,
    MOVED_CONSULTANT_KIND,
)
# The cancellation link names the meeting by its random UID and the SEQUENCE it was sent
# with: once the meeting changed (cancelled), the link no longer works.
CANCEL_SALT = "meeting-cancel"
CANCEL_LINK_DAYS = 400
SUMMARY = _l("Call with %(consultant)s – %(company)s")


def queue_invitations(booking: Booking, submission_id: int, now: datetime) -> list[Delivery]:
    """The two invitation e-mails of a meeting just booked (inside its transaction), and the
    reminder when the meeting is more than 24 hours away."""
    rows = [
        queue_delivery(submission_id, f"{MEETING_KIND}{booking.id}", booking.lead.email),
        queue_delivery(
            submission_id, f"{MEETING_CONSULTANT_KIND}{booking.id}", booking.consultant.email
        ),
    ]
    remind_at = aware(booking.starts_at) - REMINDER_BEFORE
    if remind_at > now:
        rows.append(_queue_reminder(booking, submission_id, remind_at))
    return rows


def _queue_reminder(booking: Booking, submission_id: int, remind_at: datetime) -> Delivery:
    """A row due 24 hours before the meeting and handed to no worker now: the sweeper enqueues
    it once due, and claiming a row is atomic, so it is sent once."""
    row = Delivery(
        submission_id=submission_id,
        kind=f"{REMINDER_KIND}{booking.id}-{booking.sequence}",
        recipient=booking.lead.email,
        status="pending",
        message_id="",
        next_attempt_at=remind_at,
    )
    row.message_id = message_id(row, current_app.config["MAIL_FROM"])
    db.session.add(row)
    return row


def queue_cancellations(booking: Booking) -> list[Delivery]:
    """The two cancellation e-mails of a meeting just cancelled (inside that transaction), on
    the submission its invitations went with."""
    submission_id = _submission_of(booking)
    _drop_pending_reminders(booking)  # the reminder not sent yet goes with the meeting
    return [
        queue_delivery(submission_id, f"{CANCEL_KIND}{booking.id}", booking.lead.email),
        queue_delivery(
            submission_id, f"{CANCEL_CONSULTANT_KIND}{booking.id}", booking.consultant.email
        ),
    ]


def queue_move(booking: Booking, now: datetime) -> list[Delivery]:
    """The new invitations of a meeting just moved (inside that transaction), and its
    reminder moved with it (or dropped when the meeting is now less than a day away)."""
    submission_id = _submission_of(booking)
    suffix = f"{booking.id}-{booking.sequence}"
    rows = [
        queue_delivery(submission_id, f"{MOVED_KIND}{suffix}", booking.lead.email),
        queue_delivery(submission_id, f"{MOVED_CONSULTANT_KIND}{suffix}", booking.consultant.email),
    ]
    _drop_pending_reminders(booking)  # the one for the old time, if not sent yet
    remind_at = aware(booking.starts_at) - REMINDER_BEFORE
    if remind_at > now:
        rows.append(_queue_reminder(booking, submission_id, remind_at))
    return rows


def _drop_pending_reminders(booking: Booking) -> None:
    """Delete the meeting's reminders not sent yet, whatever time they were for."""
    db.session.execute(
        delete(Delivery).where(
            or_(
                Delivery.kind == f"{REMINDER_KIND}{booking.id}",  # written before the sequence
                Delivery.kind.startswith(f"{REMINDER_KIND}{booking.id}-"),
            ),
            Delivery.status == "pending",
        )
    )


def _submission_of(booking: Booking) -> int:
    """The submission a meeting's e-mails go with: its first invitation's."""
    return int(
        db.session.execute(
            select(Delivery.submission_id).where(Delivery.kind == f"{MEETING_KIND}{booking.id}")
        ).scalar_one()
    )


def is_meeting(delivery: Delivery) -> bool:
    """Whether a delivery row is about a meeting."""
    return delivery.kind.startswith(KINDS)


def _prefix(kind: str) -> str:
    # The longest prefix first: "mcancelc-" also starts with "mcancel".
    return next(p for p in sorted(KINDS, key=len, reverse=True) if kind.startswith(p))


def _booking_of(delivery: Delivery, cancel: bool) -> Booking:
    # "<prefix><booking id>", or "<prefix><booking id>-<sequence>" for a move.
    raw = delivery.kind.removeprefix(_prefix(delivery.kind)).split("-")[0]
    booking = row_of_kind(Booking, raw, "")
    wanted = "cancelled" if cancel else BOOKED
    if booking is None or booking.status != wanted:
        raise DeliveryError(f"the meeting is no longer {wanted}", permanent=True)
    return booking


def cancel_token(booking: Booking) -> str:
    """The signed token of the link that cancels this meeting as it stands."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CANCEL_SALT)
    return str(serializer.dumps({"uid": booking.uid, "sequence": booking.sequence}))


def booking_of_token(token: str) -> Booking:
    """The meeting a cancellation token names; LinkInvalid (forged, damaged, deleted) or
    LinkExpired (too old, or the meeting changed since: already cancelled, or past)."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CANCEL_SALT)
    data = signed_data(serializer, token, CANCEL_LINK_DAYS * 86400)
    uid = data.get("uid")
    if not isinstance(uid, str):
        raise LinkInvalid
    booking = db.session.execute(select(Booking).where(Booking.uid == uid)).scalar_one_or_none()
    if booking is None:
        raise LinkInvalid
    if (
        booking.status != BOOKED
        or booking.sequence != data.get("sequence")
        or aware(booking.starts_at) <= utcnow()
    ):
        raise LinkExpired
    return booking


def _consultant_name(booking: Booking) -> str:
    return (
        booking.consultant.name or current_app.config["CONSULTANT_NAME"] or booking.consultant.email
    )


def meeting_of(booking: Booking) -> Meeting:
    """The meeting as the invitation carries it, in the current language."""
    lead, consultant = booking.lead, booking.consultant
    name = _consultant_name(booking)
    host = current_app.config["PUBLIC_URL"].split("//")[-1].split("/")[0] or "webleads-tracker"
    return Meeting(
        uid=f"{booking.uid}@{host}",
        sequence=booking.sequence,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=gettext(str(SUMMARY), consultant=name, company=lead.company),
        description=gettext(
            "%(minutes)s minutes on your diagnostic's results with %(consultant)s.",
            minutes=booking.minutes,
            consultant=name,
        ),
        organizer=Person(name, consultant.email),
        attendee=Person(lead.full_name, lead.email),
    )


def meeting_message(delivery: Delivery) -> Outgoing:
    """The e-mail a meeting's row sends (invitation or cancellation), the .ics attached."""
    cancel = delivery.kind.startswith((CANCEL_KIND, CANCEL_CONSULTANT_KIND))
    reminder = delivery.kind.startswith(REMINDER_KIND)
    moved = delivery.kind.startswith((MOVED_KIND, MOVED_CONSULTANT_KIND))
    booking = _booking_of(delivery, cancel)
    to_consultant = delivery.kind.startswith(
        (MEETING_CONSULTANT_KIND, CANCEL_CONSULTANT_KIND, MOVED_CONSULTANT_KIND)
    )
    lead = booking.lead
    locale = current_app.config["LANGUAGES"][0] if to_consultant else lead.locale
    with force_locale(locale):
        meeting = meeting_of(booking)
        body = meeting_invitation(meeting, utcnow(), cancel=cancel)
        context: dict[str, Any] = {
            "to_consultant": to_consultant,
            "cancelled": cancel,
            "reminder": reminder,
            "moved": moved,
            "cancel_url": ""
            if cancel or to_consultant
            else public_url("booking.cancel", token=cancel_token(booking)),
            "move_url": ""
            if cancel or to_consultant
            else public_url("booking.move", token=cancel_token(booking)),
            "first_name": lead.first_name,
            "lead_name": lead.full_name,
            "company": lead.company,
            "consultant": _consultant_name(booking),
            "when": format_moment(booking.starts_at),
            "minutes": booking.minutes,
            "lead_url": public_url("backoffice.lead", lead_id=lead.id),
            "brand": current_app.config["BRAND_NAME"],
        }
        return Outgoing(
            template="meeting",
            to_address=delivery.recipient,
            to_name=context["consultant"] if to_consultant else lead.full_name,
            message_id=delivery.message_id,
            context=context,
            locale=locale,
            attachments=[
                Attachment(
                    "invitation.ics",
                    body.encode("utf-8"),
                    "text",
                    "calendar",
                    (("method", "CANCEL" if cancel else "REQUEST"), ("charset", "utf-8")),
                )
            ],
            reply_to=None if to_consultant else booking.consultant.email,
        )
