"""The invitation e-mails of a booked meeting: one to each side, the .ics attached."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

from sqlalchemy import select

from assess.db.models import Booking, Delivery, utcnow
from assess.extensions import db
from assess.outbox import delivery, meetings
from assess.respondent.submissions import find_completed
from assess.tracker import booking
from tests.helpers.booking_records import (
    MONDAY,
    TUESDAY_NINE,
    consultant_with_hours,
    lead_with_submission,
)
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete_lead


def unfold(body: str) -> list[str]:
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    return body[:-2].replace("\r\n ", "").split("\r\n")


def test_both_sides_get_an_itip_request_in_utc(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(outbox))
    try:
        submission = complete_lead(app, "artisan_tpe", confirm=True)
        consultant_with_hours(app, "claire@example.com", meeting_minutes=45)
        with app.app_context():
            found = booking.book(find_completed(submission.public_token), TUESDAY_NINE, MONDAY)
            uid, lead_email = found.uid, found.lead.email
            rows = db.session.execute(
                select(Delivery).where(Delivery.kind.like("meet%-%")).order_by(Delivery.kind)
            ).scalars()
            for row in list(rows):
                assert delivery.deliver(row.id).status == "sent"
        messages = [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in outbox.glob("meet*.eml")
        ]
        by_recipient = {str(m["To"]).split("<")[-1].strip(">"): m for m in messages}
        assert set(by_recipient) == {lead_email, "claire@example.com"}
        to_lead = by_recipient[lead_email]
        subject = str(to_lead["Subject"]).replace("\u202f", " ")
        assert subject.endswith(": 5 janvier 2027 à 9 h 00")  # Paris time, winter
        assert str(to_lead["Reply-To"]) == "claire@example.com"
        for message in messages:
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            assert part.get_param("method") == "REQUEST"
            body = part.get_payload(decode=True).decode()
            lines = unfold(body)
            assert "METHOD:REQUEST" in lines and "SEQUENCE:0" in lines
            assert any(line.startswith(f"UID:{uid}@") for line in lines)
            assert "DTSTART:20270105T080000Z" in lines and "DTEND:20270105T084500Z" in lines
            # the meeting's own length, not a fixed "30 minutes"
            assert any(line.startswith("DESCRIPTION:45 minutes sur les") for line in lines)
            assert any(
                line.startswith("ORGANIZER;") and line.endswith(":mailto:claire@example.com")
                for line in lines
            )
            assert any(
                line.startswith("ATTENDEE;") and line.endswith(f":mailto:{lead_email}")
                for line in lines
            )
            assert all(len(raw.encode()) <= 75 for raw in body.split("\r\n"))
    finally:
        empty_tables(app)


def test_an_invitation_for_a_cancelled_meeting_is_not_sent(make_app, tmp_path):
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(tmp_path / "outbox"))
    try:
        submission = complete_lead(app, "artisan_tpe", confirm=True)
        consultant_with_hours(app)
        with app.app_context():
            found = booking.book(find_completed(submission.public_token), TUESDAY_NINE, MONDAY)
            found.status = "cancelled"
            db.session.commit()
            row = db.session.execute(
                select(Delivery).where(Delivery.kind == f"meet-{found.id}")
            ).scalar_one()
            assert delivery.deliver(row.id).status == "failed"
            assert db.session.get(Booking, found.id).status == "cancelled"
        assert not list((tmp_path / "outbox").glob("meet*.eml"))
    finally:
        empty_tables(app)


def test_the_reminder_leaves_once_24_hours_before(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(outbox))
    try:
        submission = complete_lead(app, "artisan_tpe", confirm=True)
        consultant_with_hours(app)
        with app.app_context():
            found = booking.book(find_completed(submission.public_token), TUESDAY_NINE, MONDAY)
            row = db.session.execute(
                select(Delivery).where(Delivery.kind == f"mremind-{found.id}-0")
            ).scalar_one()
            assert row.next_attempt_at.replace(tzinfo=None) == (
                TUESDAY_NINE - timedelta(hours=24)
            ).replace(tzinfo=None)
            # Not due yet: the sweeper does not list it and a worker handed it sends nothing.
            assert row.id not in delivery.due_delivery_ids()
            assert delivery.deliver(row.id).status == "skipped"
            row.next_attempt_at = utcnow() - timedelta(minutes=1)  # the day before has come
            db.session.commit()
            assert row.id in delivery.due_delivery_ids()
            outcomes = [delivery.deliver(row.id).status for _ in range(3)]
            assert outcomes == ["sent", "skipped", "skipped"]
        [sent] = outbox.glob("mremind*.eml")
        message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
        assert str(message["Subject"]).startswith("Rappel")
    finally:
        empty_tables(app)


def test_a_meeting_less_than_a_day_away_gets_no_reminder_and_a_cancel_removes_it(app):
    consultant_with_hours(app, notice_hours=0)
    first = lead_with_submission(app, "first@example.com")
    second = lead_with_submission(app, "second@example.com")
    with app.app_context():
        soon = booking.book(find_completed(first), TUESDAY_NINE, TUESDAY_NINE - timedelta(hours=3))
        later = booking.book(find_completed(second), TUESDAY_NINE + timedelta(days=3), MONDAY)
        kinds = set(db.session.execute(select(Delivery.kind)).scalars())
        assert f"mremind-{soon.id}-0" not in kinds and f"mremind-{later.id}-0" in kinds
        booking.cancel(meetings.cancel_token(later), MONDAY)
        kinds = set(db.session.execute(select(Delivery.kind)).scalars())
        assert f"mremind-{later.id}-0" not in kinds
