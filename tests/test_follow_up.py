"""The follow-up e-mails the worker sends: when, to whom, exactly once, and what stops them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from assess.core.sending_window import PARIS
from assess.db.database import write_transaction
from assess.db.models import Delivery, Lead, LeadEvent, Touch, aware, utcnow
from assess.extensions import db
from assess.outbox.follow_ups import FOLLOW_UP_KIND
from assess.tracker import follow_up, gdpr, pipeline
from tests.helpers.backoffice_client import log_in, post_form
from tests.helpers.cadence_records import touches_of
from tests.helpers.database import empty_tables
from tests.helpers.follow_up_records import (
    ALWAYS,
    OPT_IN,
    after,
    email_touch,
    follow_ups,
    reached_lead,
)
from tests.helpers.wizard_driver import complete_lead


@pytest.fixture
def follow_app(make_app) -> Iterator[Flask]:
    application = make_app(**ALWAYS)
    yield application
    empty_tables(application)


def test_a_due_email_touch_is_written_once_to_the_outbox_and_marked_done(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        now = after(touch)
        assert touch.id in follow_up.due_touch_ids(now)
        assert follow_up.send_follow_up(touch.id, now) is not None
        assert follow_up.send_follow_up(touch.id, now) is None  # the second run: nothing
        db.session.expire_all()
        [row] = follow_ups(lead_id)
        lead = db.session.get(Lead, lead_id)
        assert row.kind == f"{FOLLOW_UP_KIND}{touch.id}"
        assert row.recipient == lead.email and row.submission_id == lead.latest_submission_id
        done = db.session.get(Touch, touch.id)
        assert (done.status, done.outcome, done.done_by_id) == ("done", "emailed", None)
        assert lead.touches_done == 1
        assert lead.status == "new"  # an e-mail is not a conversation
        assert touch.id not in follow_up.due_touch_ids(now)
        events = db.session.execute(
            select(LeadEvent.data).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == "touch")
        ).scalars()
        assert [e["outcome"] for e in events] == ["emailed"]


def test_only_due_email_touches_after_the_first_and_not_stale(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touches = touches_of(lead_id)
        emails = [t for t in touches if t.channel == "email" and t.number > 1]
        assert [t.number for t in emails] == [5, 7]
        fifth, seventh = emails
        due_at = {t.number: follow_up.due_touch_ids(after(t)) for t in touches}
        # days 0 to 9: nothing; day 14 and 21: the fifth; day 30: the seventh, the fifth
        # (16 days late by then, never sent here) being stale
        assert due_at == {1: [], 2: [], 3: [], 4: [], 5: [fifth.id], 6: [fifth.id], 7: [seventh.id]}
        assert follow_up.due_touch_ids(after(touches[4], hours=-1)) == []  # touch 5 not due yet
        # the first e-mail touch is the consultant's own, with the report
        assert follow_up.send_follow_up(touches[0].id, after(touches[0])) is None
        # more than two weeks late, an e-mail is the consultant's again, who knows why
        stale = after(touches[4], hours=24 * 15)
        assert follow_up.due_touch_ids(stale) == []
        assert follow_up.send_follow_up(touches[4].id, stale) is None
        assert follow_ups(lead_id) == []


def test_nothing_without_consent_unless_legitimate_interest_is_set(make_app):
    for legitimate, expected in ((False, 0), (True, 1)):
        application = make_app(FOLLOW_UP_LEGITIMATE_INTEREST=legitimate, **ALWAYS)
        try:
            lead_id = reached_lead(application)  # the box not ticked
            with application.app_context():
                touch = email_touch(lead_id)
                follow_up.send_follow_up(touch.id, after(touch))
                assert len(follow_ups(lead_id)) == expected
                assert follow_up.state_of(db.session.get(Lead, lead_id)).consent is legitimate
        finally:
            empty_tables(application)


def test_nothing_before_the_report_reached_the_lead(follow_app):
    submission = complete_lead(follow_app, "artisan_tpe", contact=OPT_IN)
    with follow_app.app_context():
        touch = email_touch(submission.lead_id)
        assert follow_up.due_touch_ids(after(touch)) == []
        follow_up.send_follow_up(touch.id, after(touch))
        assert follow_ups(submission.lead_id) == []


def test_outside_the_sending_window_nothing_leaves(make_app):
    application = make_app()  # mon-fri 09:00-18:00 in Paris, public holidays skipped
    try:
        lead_id = reached_lead(application, OPT_IN)
        with application.app_context():
            touch = email_touch(lead_id)
            due = aware(touch.due_at).astimezone(PARIS)
            # the first Saturday after it came due, at 10:00 in Paris
            saturday = datetime.combine(
                due.date() + timedelta(days=(5 - due.weekday()) % 7 or 7), time(10), PARIS
            )
            assert follow_up.due_touch_ids(saturday) == []
            assert follow_up.send_follow_up(touch.id, saturday) is None
            assert follow_ups(lead_id) == []
            # the next working day at 10:00 (Monday, or later after a public holiday)
            opens = next(
                moment
                for days in range(2, 10)
                if follow_up.sending_window().is_open(moment := saturday + timedelta(days=days))
            )
            assert opens.weekday() < 5
            assert follow_up.due_touch_ids(opens) == [touch.id]
            assert follow_up.send_follow_up(touch.id, opens) is not None
            assert len(follow_ups(lead_id)) == 1
    finally:
        empty_tables(application)


def test_pause_reply_and_resume(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        now = after(touch)
        assert follow_up.change(lead_id, "pause", None)
        assert not follow_up.change(lead_id, "pause", None)  # already paused: nothing
        assert follow_up.due_touch_ids(now) == []
        assert follow_up.send_follow_up(touch.id, now) is None
        assert follow_up.change(lead_id, "replied", None)
        assert follow_up.state_of(db.session.get(Lead, lead_id)).actions == ("resume",)
        assert follow_up.change(lead_id, "resume", None)
        assert follow_up.send_follow_up(touch.id, now) is not None
        kinds = db.session.execute(
            select(LeadEvent.kind)
            .where(LeadEvent.lead_id == lead_id, LeadEvent.kind.startswith("follow_up."))
            .order_by(LeadEvent.id)
        ).scalars()
        assert list(kinds) == ["follow_up.paused", "follow_up.replied", "follow_up.resumed"]
        with pytest.raises(follow_up.FollowUpError):
            follow_up.change(lead_id, "delete", None)


def test_unsubscribe_is_for_good_and_cancels_the_email_touches(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        assert follow_up.unsubscribe(lead_id)
        assert not follow_up.unsubscribe(lead_id)  # posted twice: one effect
        assert (
            db.session.execute(
                select(func.count(LeadEvent.id)).where(LeadEvent.kind == "follow_up.unsubscribed")
            ).scalar_one()
            == 1
        )
        statuses = {(t.channel, t.status) for t in touches_of(lead_id) if t.number > 1}
        assert ("email", "cancelled") in statuses and ("email", "planned") not in statuses
        assert ("phone", "planned") in statuses  # the consultant may still call
        # the next touch is the first one still planned, not a cancelled e-mail
        planned = [t for t in touches_of(lead_id) if t.status == "planned"]
        lead = db.session.get(Lead, lead_id)
        assert aware(lead.next_touch_at) == aware(planned[0].due_at)
        assert planned[0].channel != "email"
        assert follow_up.send_follow_up(touch.id, after(touch)) is None
        with pytest.raises(follow_up.FollowUpError):
            follow_up.change(lead_id, "resume", None)
        # A lost lead coming back gets its phone touches again, never the e-mails.
        pipeline.change_status(lead_id, "lost", "Pas le moment")
        pipeline.change_status(lead_id, "contacted")
        planned = {t.channel for t in touches_of(lead_id) if t.status == "planned"}
        assert "email" not in planned and "phone" in planned


def test_a_booking_or_a_closed_lead_stops_them_and_withdraws_the_one_not_sent(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        follow_up.send_follow_up(touch.id, after(touch))
        [row] = follow_ups(lead_id)
        assert row.status == "pending"
        pipeline.change_status(lead_id, "meeting_booked")
        assert follow_ups(lead_id) == []  # not sent yet: withdrawn with the cadence
        last = email_touch(lead_id, 7)
        assert follow_up.due_touch_ids(after(last)) == []


def test_a_lead_deleted_meanwhile_gets_nothing(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        touch_id, now = touch.id, after(touch)
        assert gdpr.delete_lead(lead_id)
        assert follow_up.due_touch_ids(now) == []
        assert follow_up.send_follow_up(touch_id, now) is None
        assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 0


def test_a_touch_moved_out_of_planned_meanwhile_is_not_sent(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    with follow_app.app_context():
        touch = email_touch(lead_id)
        with write_transaction():
            db.session.execute(update(Touch).where(Touch.id == touch.id).values(status="done"))
        assert follow_up.send_follow_up(touch.id, after(touch)) is None
        assert follow_ups(lead_id) == []


def test_the_lead_page_says_who_sends_them_and_offers_pause_reply_resume(follow_app):
    lead_id = reached_lead(follow_app, OPT_IN)
    client = log_in(follow_app)
    page_path = f"/backoffice/leads/{lead_id}"
    page = client.get(page_path).get_data(as_text=True)
    assert "l'application envoie elle-même les relances par e-mail" in page
    assert "Envoyé par l'application à l'échéance" in page  # touches 5 and 7
    assert 'value="pause"' in page and 'value="replied"' in page
    action = f"/backoffice/leads/{lead_id}/follow-up"
    answer = post_form(client, page_path, action, {"action": "pause"})
    assert answer.status_code == 303
    page = client.get(page_path).get_data(as_text=True)
    assert "mis en pause par le consultant" in page and 'value="resume"' in page
    assert "E-mails de relance mis en pause" in page  # the timeline
    refused = post_form(client, page_path, action, {"action": "delete"})
    assert refused.status_code == 303
    assert "Choisissez l'un des boutons." in client.get(page_path).get_data(as_text=True)


def test_the_lead_page_of_a_lead_without_consent_offers_nothing(follow_app):
    lead_id = reached_lead(follow_app)
    page = log_in(follow_app).get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert "le contact ne les a pas acceptés" in page
    assert 'value="pause"' not in page
    assert "Envoyé par l'application à l'échéance" not in page


@pytest.mark.parametrize("report_sent", [True, False])
def test_today_says_the_app_sends_a_due_follow_up_email_itself(follow_app, report_sent):
    if report_sent:
        lead_id = reached_lead(follow_app, OPT_IN)
    else:  # the worker will not write to them: the touch stays the consultant's
        lead_id = int(complete_lead(follow_app, "artisan_tpe", contact=OPT_IN).lead_id)
    with follow_app.app_context(), write_transaction():
        # touches 1 to 4 done; the fifth, an e-mail, due since yesterday
        db.session.execute(
            update(Touch).where(Touch.lead_id == lead_id, Touch.number < 5).values(status="done")
        )
        db.session.execute(
            update(Touch)
            .where(Touch.lead_id == lead_id, Touch.number == 5)
            .values(due_at=utcnow() - timedelta(days=1))
        )
        db.session.execute(
            update(Lead)
            .where(Lead.id == lead_id)
            .values(touches_done=4, next_touch_at=utcnow() - timedelta(days=1))
        )
    page = log_in(follow_app).get("/backoffice/today").get_data(as_text=True)
    assert "Prochaine étape : relance 5/7" in page.replace("\u202f", " ")
    assert ("L'application envoie elle-même cet e-mail" in page) is report_sent
    assert ("Enregistrer cette relance" in page) is not report_sent
    lead_page = log_in(follow_app).get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert ("Envoyé par l'application à l'échéance" in lead_page) is report_sent
    if not report_sent:
        return
    # fifteen days late, it is the consultant's again
    with follow_app.app_context(), write_transaction():
        db.session.execute(
            update(Touch)
            .where(Touch.lead_id == lead_id, Touch.number == 5)
            .values(due_at=utcnow() - timedelta(days=15))
        )
    page = log_in(follow_app).get("/backoffice/today").get_data(as_text=True)
    assert "L'application envoie elle-même cet e-mail" not in page
    assert "Enregistrer cette relance" in page
