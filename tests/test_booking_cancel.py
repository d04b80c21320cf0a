"""Cancelling a meeting by the signed link of its invitation: METHOD:CANCEL, SEQUENCE + 1, the
webhook, the lead back to its status; a forged, expired or used link changes nothing."""

from __future__ import annotations

import email
import re
import threading
from datetime import timedelta
from email import policy

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from assess.db.models import Booking, Delivery, Lead, WebhookDelivery
from assess.extensions import db
from assess.outbox import delivery, meetings
from assess.outbox.links import LinkExpired, LinkInvalid
from assess.respondent.submissions import find_completed
from assess.tracker import booking
from tests.helpers.booking_records import MONDAY, TUESDAY_NINE, consultant_with_hours
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete_lead, csrf_token

HOOKS = {"WEBHOOK_URLS": "https://crm.example.com/hook", "WEBHOOK_SECRET": "s" * 32}


def booked(app):
    submission = complete_lead(app, "artisan_tpe", confirm=True)
    consultant_with_hours(app, "claire@example.com")
    with app.app_context():
        found = booking.book(find_completed(submission.public_token), TUESDAY_NINE, MONDAY)
        return found.id, meetings.cancel_token(found)


def test_the_link_cancels_once_and_sends_a_cancel_with_a_higher_sequence(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(outbox), **HOOKS)
    try:
        booking_id, token = booked(app)
        client = app.test_client()
        page = client.get(f"/meeting/{token}/cancel")
        assert page.status_code == 200
        assert "Annuler votre échange" in page.get_data(as_text=True)
        with app.app_context():  # opening the link changed nothing
            assert db.session.get(Booking, booking_id).status == "booked"
        done = client.post(f"/meeting/{token}/cancel", data={"csrf_token": csrf_token(page)})
        assert done.status_code == 200
        assert "Votre échange est annulé" in done.get_data(as_text=True)
        with app.app_context():
            found = db.session.get(Booking, booking_id)
            assert (found.status, found.sequence) == ("cancelled", 1)
            assert db.session.get(Lead, found.lead_id).status == "new"
            events = [row.event for row in db.session.execute(select(WebhookDelivery)).scalars()]
            assert "meeting.cancelled" in events
            assert events.count("lead.status_changed") == 2  # booked, then back
            rows = db.session.execute(
                select(Delivery).where(Delivery.kind.like("mcancel%"))
            ).scalars()
            for row in list(rows):
                assert delivery.deliver(row.id).status == "sent"
        sent = [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in outbox.glob("mcancel*.eml")
        ]
        assert len(sent) == 2
        for message in sent:
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            assert part.get_param("method") == "CANCEL"
            body = part.get_payload(decode=True).decode().replace("\r\n ", "")
            assert "METHOD:CANCEL\r\n" in body and "SEQUENCE:1\r\n" in body
            assert "STATUS:CANCELLED\r\n" in body
        # The same link again: 410, nothing changes.
        again = client.post(f"/meeting/{token}/cancel", data={"csrf_token": csrf_token(page)})
        assert again.status_code == 410
        assert client.get(f"/meeting/{token}/cancel").status_code == 410
        with app.app_context():
            assert db.session.get(Booking, booking_id).sequence == 1
    finally:
        empty_tables(app)


def test_a_forged_link_is_not_found_and_changes_nothing(app):
    booking_id, token = booked(app)
    forged = URLSafeTimedSerializer("another-secret", salt=meetings.CANCEL_SALT).dumps(
        {"uid": "x", "sequence": 0}
    )
    client = app.test_client()
    for bad in (forged, token[:-3] + "abc", "nonsense"):
        assert client.get(f"/meeting/{bad}/cancel").status_code == 404
        page = client.get(f"/meeting/{token}/cancel")
        response = client.post(f"/meeting/{bad}/cancel", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "booked"


def test_the_invitation_carries_the_cancel_link(app):
    booking_id, token = booked(app)
    with app.app_context():
        row = db.session.execute(
            select(Delivery).where(Delivery.kind == f"meet-{booking_id}")
        ).scalar_one()
        outgoing = meetings.meeting_message(row)
        assert outgoing.context["cancel_url"].endswith(f"/meeting/{token}/cancel")
        consultant_row = db.session.execute(
            select(Delivery).where(Delivery.kind == f"meetc-{booking_id}")
        ).scalar_one()
        assert meetings.meeting_message(consultant_row).context["cancel_url"] == ""


def test_the_link_moves_the_meeting_with_a_new_invitation_and_its_reminder(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(outbox), **HOOKS)
    try:
        booking_id, token = booked(app)
        client = app.test_client()
        page = client.get(f"/meeting/{token}/move")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Déplacer votre échange" in html
        values = re.findall(r'name="slot" value="([0-9T:\-]+Z)"', html)
        assert "2027-01-05T08:00Z" not in values  # its own time is not offered
        later = values[-1]  # weeks away: the reminder moves with it
        with app.app_context():  # the first reminder went already (read, then the move)
            db.session.execute(
                update(Delivery)
                .where(Delivery.kind == f"mremind-{booking_id}-0")
                .values(status="sent")
            )
            db.session.commit()
        # A taken or forged time: refused, nothing moved.
        refused = client.post(
            f"/meeting/{token}/move", data={"slot": "nonsense", "csrf_token": csrf_token(page)}
        )
        assert refused.status_code == 422
        moved = client.post(
            f"/meeting/{token}/move", data={"slot": later, "csrf_token": csrf_token(page)}
        )
        assert moved.status_code == 303 and moved.headers["Location"].endswith("/call/booked")
        with app.app_context():
            found = db.session.get(Booking, booking_id)
            assert found.sequence == 1 and found.status == "booked"
            assert found.starts_at.strftime("%Y-%m-%dT%H:%MZ") == later
            # a new reminder for the new time, the one sent kept as it was
            reminder = db.session.execute(
                select(Delivery).where(Delivery.kind == f"mremind-{booking_id}-1")
            ).scalar_one()
            assert reminder.status == "pending"
            assert reminder.next_attempt_at.replace(tzinfo=None) == (
                found.starts_at.replace(tzinfo=None) - timedelta(hours=24)
            )
            events = [row.event for row in db.session.execute(select(WebhookDelivery)).scalars()]
            assert "meeting.rescheduled" in events
            rows = db.session.execute(
                select(Delivery).where(Delivery.kind.like("mmove%"))
            ).scalars()
            for row in list(rows):
                assert delivery.deliver(row.id).status == "sent"
        sent = list(outbox.glob("mmove*.eml"))
        assert len(sent) == 2
        for path in sent:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            body = part.get_payload(decode=True).decode().replace("\r\n ", "")
            assert "METHOD:REQUEST\r\n" in body and "SEQUENCE:1\r\n" in body
        # The old link named the meeting as it was: 410, nothing changes.
        assert client.get(f"/meeting/{token}/move").status_code == 410
        assert client.get(f"/meeting/{token}/cancel").status_code == 410
    finally:
        empty_tables(app)


def test_one_link_posted_from_two_tabs_at_once_changes_the_meeting_once(app):
    booking_id, token = booked(app)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def attempt() -> None:
        with app.app_context():
            start.wait()
            try:
                booking.cancel(token)
                outcomes.append("cancelled")
            except (LinkExpired, LinkInvalid):
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["cancelled", "refused"]
    with app.app_context():
        assert db.session.get(Booking, booking_id).sequence == 1
        kinds = list(db.session.execute(select(Delivery.kind)).scalars())
        assert kinds.count(f"mcancel-{booking_id}") == 1
