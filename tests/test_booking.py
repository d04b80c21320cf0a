"""Booking a meeting: which consultant, the slot checks, one booking per slot even under
simultaneous requests, the lead's move, the webhook and the invitations queued."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from assess.db.models import Booking, Delivery, Lead, LeadEvent, Touch, WebhookDelivery, utcnow
from assess.extensions import db
from assess.respondent.submissions import find_completed
from assess.tracker import booking
from tests.helpers.backoffice_client import log_in
from tests.helpers.booking_records import (
    MONDAY,
    TUESDAY_NINE,
    consultant_with_hours,
    lead_with_submission,
)
from tests.helpers.database import empty_tables
from tests.helpers.wizard_driver import complete_lead


def book(app, token, starts_at, now=MONDAY):
    with app.app_context():
        submission = find_completed(token)
        found = booking.book(submission, starts_at, now)
        return found.id


def test_a_booking_is_saved_and_moves_the_lead(app):
    consultant = consultant_with_hours(app)
    token = lead_with_submission(app)
    booking_id = book(app, token, TUESDAY_NINE)
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        assert found.consultant_id == consultant and found.status == "booked"
        assert found.ends_at.replace(tzinfo=None) - found.starts_at.replace(
            tzinfo=None
        ) == timedelta(minutes=30)
        assert found.sequence == 0 and len(found.uid) == 32
        lead = db.session.get(Lead, found.lead_id)
        assert lead.status == "meeting_booked"
        kinds = {row.kind for row in db.session.execute(select(Delivery)).scalars()}
        assert kinds == {f"meet-{booking_id}", f"meetc-{booking_id}", f"mremind-{booking_id}-0"}
        events = [e.kind for e in db.session.execute(select(LeadEvent)).scalars()]
        assert "meeting.booked" in events and "status" in events


def test_the_slot_is_gone_from_the_free_slots_once_booked(app):
    consultant = consultant_with_hours(app)
    book(app, lead_with_submission(app), TUESDAY_NINE)
    with app.app_context():
        user = db.session.get(booking.User, consultant)
        starts = [slot.starts_at for slot in booking.open_slots(user, MONDAY)]
        assert TUESDAY_NINE not in starts
        assert TUESDAY_NINE + timedelta(minutes=30) in starts


def test_only_the_meetings_within_the_notice_and_the_horizon_are_read(app):
    # A consultant's year of meetings is thousands of rows: the free slots read the range of
    # ix_bookings_consultant_starts the horizon covers, not every meeting still to come.
    consultant = consultant_with_hours(app)
    tokens = [lead_with_submission(app, f"year{i}@example.com") for i in range(4)]
    with app.app_context():
        leads = [find_completed(t).lead_id for t in tokens]
        moments = {
            "past": MONDAY - timedelta(days=20),
            "running": MONDAY - timedelta(hours=1),  # a long meeting still on at MONDAY
            "soon": TUESDAY_NINE,
            "beyond": TUESDAY_NINE + timedelta(days=60),  # past the 30-day horizon
        }
        for lead_id, start in zip(leads, moments.values(), strict=True):
            length = timedelta(hours=3) if start == moments["running"] else timedelta(minutes=30)
            db.session.add(
                Booking(
                    consultant_id=consultant,
                    lead_id=lead_id,
                    starts_at=start,
                    ends_at=start + length,
                    status_before="new",
                )
            )
        db.session.commit()
        availability = booking.availability_of(consultant)
        assert availability is not None
        read = booking._busy(consultant, replace(availability, notice_hours=0), MONDAY)
        assert sorted(slot.starts_at for slot in read) == [moments["running"], moments["soon"]]
        user = db.session.get(booking.User, consultant)
        starts = [slot.starts_at for slot in booking.open_slots(user, MONDAY)]
        assert TUESDAY_NINE not in starts and TUESDAY_NINE + timedelta(minutes=30) in starts


@pytest.mark.parametrize(
    ("starts_at", "reason"),
    [
        (MONDAY - timedelta(days=1), "slot_unavailable"),  # in the past
        (MONDAY + timedelta(hours=3), "slot_unavailable"),  # inside the 12 h notice
        (TUESDAY_NINE + timedelta(minutes=10), "slot_unavailable"),  # off the grid
        (TUESDAY_NINE + timedelta(hours=4), "slot_unavailable"),  # 13:00, lunch
        (TUESDAY_NINE + timedelta(days=40), "slot_unavailable"),  # past the horizon
    ],
)
def test_slots_outside_the_availability_are_refused_and_nothing_is_written(app, starts_at, reason):
    consultant_with_hours(app)
    token = lead_with_submission(app)
    with pytest.raises(booking.BookingError, match=reason):
        book(app, token, starts_at)
    with app.app_context():
        assert db.session.execute(select(Booking)).first() is None
        assert db.session.execute(select(Delivery)).first() is None
        assert db.session.execute(select(Lead.status)).scalar_one() == "new"


def test_a_taken_slot_and_a_second_booking_of_one_lead_are_refused(app):
    consultant_with_hours(app)
    first = lead_with_submission(app, "first@example.com")
    second = lead_with_submission(app, "second@example.com")
    book(app, first, TUESDAY_NINE)
    with pytest.raises(booking.BookingError, match="slot_taken"):
        book(app, second, TUESDAY_NINE)
    with pytest.raises(booking.BookingError, match="already_booked"):
        book(app, first, TUESDAY_NINE + timedelta(hours=1))
    with app.app_context():
        assert len(db.session.execute(select(Booking)).all()) == 1


def test_nobody_to_book_with(app):
    token = lead_with_submission(app)
    with pytest.raises(booking.BookingError, match="no_consultant"):
        book(app, token, TUESDAY_NINE)


def test_the_owner_is_chosen_when_bookable_else_the_first_consultant(app):
    first = consultant_with_hours(app, "first@example.com")
    owner = consultant_with_hours(app, "owner@example.com")
    owned = lead_with_submission(app, "owned@example.com", owner_id=owner)
    other = lead_with_submission(app, "other@example.com")
    with app.app_context():
        assert booking.consultant_for(find_completed(owned).lead).id == owner
        assert booking.consultant_for(find_completed(other).lead).id == first
        db.session.get(booking.User, owner).active = False
        db.session.commit()
        assert booking.consultant_for(find_completed(owned).lead).id == first


def test_booking_stops_the_cadence(app):
    consultant_with_hours(app)
    token = lead_with_submission(app)
    with app.app_context():
        lead_id = find_completed(token).lead_id
        db.session.add(Touch(lead_id=lead_id, number=2, channel="phone", due_at=utcnow()))
        db.session.commit()
    book(app, token, TUESDAY_NINE)
    with app.app_context():
        assert db.session.execute(select(Touch.status)).scalar_one() == "cancelled"


def test_a_lead_further_on_keeps_its_status(app):
    consultant_with_hours(app)
    token = lead_with_submission(app, status="proposal_sent")
    book(app, token, TUESDAY_NINE)
    with app.app_context():
        assert db.session.execute(select(Lead.status)).scalar_one() == "proposal_sent"


def test_the_webhook_is_posted(make_app):
    app = make_app(WEBHOOK_URLS="https://crm.example.com/hook", WEBHOOK_SECRET="s" * 32)
    try:
        consultant_with_hours(app)
        booking_id = book(app, lead_with_submission(app), TUESDAY_NINE)
        with app.app_context():
            events = {
                row.event: row.payload
                for row in db.session.execute(select(WebhookDelivery)).scalars()
            }
            meeting = events["meeting.booked"]["data"]["meeting"]
            assert meeting["id"] == booking_id
            assert meeting["starts_at"] == "2027-01-05T08:00:00+00:00"
            assert (
                events["meeting.booked"]["data"]["consultant"]["email"] == "consultant@example.com"
            )
            assert events["lead.status_changed"]["data"]["change"]["to"] == "meeting_booked"
    finally:
        empty_tables(app)


def test_simultaneous_requests_for_one_slot_book_it_once(app):
    consultant_with_hours(app)
    tokens = [lead_with_submission(app, f"lead{i}@example.com") for i in range(6)]
    outcomes: list[str] = []
    start = threading.Barrier(len(tokens))

    def attempt(token: str) -> None:
        with app.app_context():
            start.wait()
            try:
                booking.book(find_completed(token), TUESDAY_NINE, MONDAY)
                outcomes.append("booked")
            except booking.BookingError as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["slot_taken"] * 5
    with app.app_context():
        assert db.session.execute(select(Booking.starts_at)).scalars().all() == [
            db.session.execute(select(Booking.starts_at)).scalar_one()
        ]


def test_the_database_refuses_a_second_active_booking_of_a_slot(app):
    consultant = consultant_with_hours(app)
    first = lead_with_submission(app, "first@example.com")
    second = lead_with_submission(app, "second@example.com")
    with app.app_context():
        lead_ids = [find_completed(t).lead_id for t in (first, second)]

        def row(lead_id: int, status: str = "booked") -> Booking:
            return Booking(
                consultant_id=consultant,
                lead_id=lead_id,
                starts_at=TUESDAY_NINE,
                ends_at=TUESDAY_NINE + timedelta(minutes=30),
                status=status,
                status_before="new",
            )

        db.session.add(row(lead_ids[0]))
        db.session.commit()
        db.session.add(row(lead_ids[1]))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # A cancelled meeting no longer holds its slot.
        db.session.add(row(lead_ids[1], "cancelled"))
        db.session.commit()


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs the PostgreSQL server named by TEST_DATABASE_URL",
)
def test_on_postgresql_the_slot_is_booked_once_and_the_index_is_partial(app):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        indexes = db.session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_bookings_active_slot'")
        ).scalar_one()
        assert "UNIQUE" in indexes and "WHERE" in indexes and "booked" in indexes
    test_simultaneous_requests_for_one_slot_book_it_once(app)


def test_the_lead_page_shows_the_booking_in_the_timeline(app):
    consultant_with_hours(app)
    token = complete_lead(app, "artisan_tpe").public_token  # a real result, for the chart
    book(app, token, TUESDAY_NINE)
    with app.app_context():
        lead_id = find_completed(token).lead_id
    page = log_in(app).get(f"/backoffice/leads/{lead_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rendez-vous pris par le dirigeant" in html  # in words, not "meeting.booked"
    after = html.split("Rendez-vous pris par le dirigeant", 1)[1][:600]
    assert "Le " in after and " à 9 h 00" in after.replace("\u202f", " "), after  # Paris time


def test_next_meeting_gives_the_meeting_to_come_and_counts_the_others(app):
    consultant_with_hours(app, "claire@example.com")
    token = lead_with_submission(app)
    with app.app_context():
        lead_id = find_completed(token).lead_id
        assert booking.next_meeting(lead_id, MONDAY) is None  # never booked: no block
    first = book(app, token, TUESDAY_NINE)
    with app.app_context():
        found = booking.next_meeting(lead_id, MONDAY)
        assert found == booking.LeadMeetings(TUESDAY_NINE, 30, "claire", 0, 0)
        # Going on at 09:10, still the next one; held once it has ended.
        assert booking.next_meeting(lead_id, TUESDAY_NINE + timedelta(minutes=10)) == found
        after = TUESDAY_NINE + timedelta(minutes=30)
        assert booking.next_meeting(lead_id, after) == booking.LeadMeetings(None, 0, "", 1, 0)
        db.session.get(Booking, first).status = "cancelled"
        db.session.commit()
    book(app, token, TUESDAY_NINE + timedelta(days=1))
    with app.app_context():
        found = booking.next_meeting(lead_id, MONDAY)
        assert found.starts_at == TUESDAY_NINE + timedelta(days=1)
        assert (found.held, found.cancelled) == (0, 1)


def test_the_lead_page_shows_the_next_meeting_with_the_brief(app):
    consultant_with_hours(app)
    token = complete_lead(app, "artisan_tpe").public_token
    with app.app_context():
        lead_id = find_completed(token).lead_id
    client = log_in(app)
    assert 'id="meeting"' not in client.get(f"/backoffice/leads/{lead_id}").get_data(True)
    first = book(app, token, TUESDAY_NINE)
    with app.app_context():
        db.session.get(Booking, first).status = "cancelled"
        db.session.commit()
    book(app, token, TUESDAY_NINE + timedelta(hours=1))
    html = client.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    block = html.split('id="meeting"', 1)[1].split("</section>", 1)[0]
    text = " ".join(block.replace("\u202f", " ").replace("\xa0", " ").split())
    assert "Prochain rendez-vous" in text
    assert "5 janvier 2027 à 10 h 00" in text  # Paris time
    assert "30 minutes" in text and "avec consultant" in text
    assert f'href="/backoffice/leads/{lead_id}/brief"' in block
    assert "1 rendez-vous annulé" in text and "passé" not in text
