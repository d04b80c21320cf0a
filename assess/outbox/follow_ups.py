"""The cadence's follow-up e-mails to the lead, and the link that stops them.

The worker writes a "follow-<touch id>" delivery row when an e-mail touch comes due
(assess/tracker/follow_up.py); this module turns the row into the message: a short note in
the lead's language on their weakest area and one of their priorities, the way to book a
call, and a one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https address and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`, plus a visible link).

The unsubscribe link names the lead by its random `link_key`, signed; it works for
UNSUBSCRIBE_LINK_DAYS, longer than any cadence.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.db.models import Delivery, Lead, Submission, Touch, User
from assess.extensions import db
from assess.outbox.links import booking_page_url, lead_of, link_token, public_url
from assess.outbox.mail import DeliveryError, Outgoing
from assess.outbox.messages import focus_area, priorities_of, row_of_kind, sender_of
from assess.report.publication import call_to_action

# Delivery kind: "follow-<touch id>".
FOLLOW_UP_KIND = "follow-"
UNSUBSCRIBE_SALT = "follow-up-unsubscribe"
UNSUBSCRIBE_LINK_DAYS = 400


def unsubscribe_token(lead: Lead) -> str:
    """The signed token of the link that stops this lead's follow-up e-mails."""
    return link_token(current_app.config["SECRET_KEY"], lead.link_key, UNSUBSCRIBE_SALT)


def lead_of_unsubscribe_token(token: str) -> Lead:
    """The lead an unsubscribe token names; LinkInvalid (forged, damaged, lead deleted) or
    LinkExpired (too old)."""
    secret = current_app.config["SECRET_KEY"]
    return lead_of(secret, token, UNSUBSCRIBE_LINK_DAYS, UNSUBSCRIBE_SALT)


def withdraw_pending(lead_id: int) -> None:
    """Drop the follow-up e-mails of a lead written but not sent yet (inside the transaction
    that stops the follow-up: an unsubscribe, a pause, a booking)."""
    pending = select(Delivery.id).where(
        Delivery.submission_id.in_(select(Submission.id).where(Submission.lead_id == lead_id)),
        Delivery.kind.startswith(FOLLOW_UP_KIND),
        Delivery.status == "pending",
    )
    db.session.execute(
        delete(Delivery)
        .where(Delivery.id.in_(pending))
        .execution_options(synchronize_session=False)
    )


def is_follow_up(delivery: Delivery) -> bool:
    """Whether a delivery row is a follow-up e-mail."""
    return delivery.kind.startswith(FOLLOW_UP_KIND)


def follow_up_message(q: Questionnaire, delivery: Delivery) -> Outgoing:
    """The e-mail a "follow-<touch id>" row sends, in the lead's language."""
    touch = row_of_kind(Touch, delivery.kind, FOLLOW_UP_KIND)
    lead = db.session.get(Lead, touch.lead_id) if touch is not None else None
    if touch is None or lead is None:
        raise DeliveryError("the follow-up was withdrawn", permanent=True)
    if lead.follow_up_stop is not None:
        raise DeliveryError(f"the follow-up stopped ({lead.follow_up_stop})", permanent=True)
    submission = delivery.submission
    locale = lead.locale if lead.locale in q.locales else q.locale
    earlier, last = _position(touch)
    with force_locale(locale):
        result = StoredResult.from_json(submission.result)
        priorities = priorities_of(result, locale)
        unsubscribe_url = public_url("unsubscribe.stop", token=unsubscribe_token(lead))
        context: dict[str, Any] = {
            "first_name": lead.first_name,
            "company": lead.company,
            "weakest": focus_area(q, result, locale),
            # Each e-mail brings another of the priorities, in the plan's order.
            "priority": priorities[earlier % len(priorities)] if priorities else None,
            "last": last,
            "call_to_action": call_to_action(
                q,
                current_app.config["CALL_TO_ACTION_URL"],
                lambda label: q.text(label, locale),
                booking_page_url(submission),
            ),
            "results_url": public_url("results.show", token=submission.public_token),
            "unsubscribe_url": unsubscribe_url,
            "sender": sender_of(locale),
        }
        return Outgoing(
            template="follow_up",
            to_address=delivery.recipient,
            to_name=lead.full_name,
            message_id=delivery.message_id,
            context=context,
            locale=locale,
            reply_to=_reply_to(lead),
            headers=(
                ("List-Unsubscribe", f"<{unsubscribe_url}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ),
        )


def _position(touch: Touch) -> tuple[int, bool]:
    """How many follow-up e-mails came before this one, and whether it is the cadence's last
    touch (the one that closes the loop)."""
    earlier, highest = db.session.execute(
        select(
            func.count(Touch.id).filter(
                Touch.channel == "email", Touch.number > 1, Touch.number < touch.number
            ),
            func.max(Touch.number),
        ).where(Touch.lead_id == touch.lead_id)
    ).one()
    return int(earlier or 0), touch.number == highest


def _reply_to(lead: Lead) -> str | None:
    """Answers go to the lead's consultant, else to the consultancy's address."""
    if lead.owner_id is not None:
        owner = db.session.get(User, lead.owner_id)
        if owner is not None and owner.active:
            return str(owner.email)
    return current_app.config["CONSULTANT_EMAIL"] or None
