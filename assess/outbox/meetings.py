"""The e-mails about a booked meeting: to the executive and to the consultant, each with the
iCalendar invitation (RFC 5546, METHOD:REQUEST) attached.

Each is a delivery row ("meet-<booking id>" to the executive, "meetc-<booking id>" to the
consultant) written in the booking's transaction, on the submission whose results page the
executive booked from; the worker sends it like every other message.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from assess.core.icalendar import Meeting, Person, meeting_invitation
from assess.db.models import Booking, Delivery, utcnow
from assess.i18n import format_moment
from assess.outbox.links import public_url
from assess.outbox.mail import Attachment, DeliveryError, Outgoing
from assess.outbox.messages import queue_delivery, row_of_kind

# Delivery kinds: the invitation to the executive, the one to the consultant.
TO_LEAD = "meet-"
TO_CONSULTANT = "meetc-"
KINDS = (TO_LEAD, TO_CONSULTANT)
SUMMARY = _l("Call with %(consultant)s – %(company)s")


def queue_invitations(booking: Booking, submission_id: int) -> list[Delivery]:
    """The two invitation e-mails of a meeting just booked (inside its transaction)."""
    return [
        queue_delivery(submission_id, f"{TO_LEAD}{booking.id}", booking.lead.email),
        queue_delivery(submission_id, f"{TO_CONSULTANT}{booking.id}", booking.consultant.email),
    ]


def is_meeting(delivery: Delivery) -> bool:
    """Whether a delivery row is a meeting invitation."""
    return delivery.kind.startswith(KINDS)


def _booking_of(delivery: Delivery) -> Booking:
    prefix = TO_CONSULTANT if delivery.kind.startswith(TO_CONSULTANT) else TO_LEAD
    booking = row_of_kind(Booking, delivery.kind, prefix)
    if booking is None or booking.status != "booked":
        raise DeliveryError("the meeting was cancelled or deleted", permanent=True)
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
            "30 minutes on your diagnostic's results with %(consultant)s.", consultant=name
        ),
        organizer=Person(name, consultant.email),
        attendee=Person(lead.full_name, lead.email),
    )


def meeting_message(delivery: Delivery) -> Outgoing:
    """The invitation e-mail a "meet-" or "meetc-" row sends, the .ics attached."""
    booking = _booking_of(delivery)
    to_consultant = delivery.kind.startswith(TO_CONSULTANT)
    lead = booking.lead
    locale = current_app.config["LANGUAGES"][0] if to_consultant else lead.locale
    with force_locale(locale):
        meeting = meeting_of(booking)
        body = meeting_invitation(meeting, utcnow())
        context: dict[str, Any] = {
            "to_consultant": to_consultant,
            "first_name": lead.first_name,
            "lead_name": lead.full_name,
            "company": lead.company,
            "consultant": _consultant_name(booking),
            "when": format_moment(booking.starts_at),
            "minutes": round((booking.ends_at - booking.starts_at).total_seconds() / 60),
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
                    (("method", "REQUEST"), ("charset", "utf-8")),
                )
            ],
            reply_to=None if to_consultant else booking.consultant.email,
        )
