"""The 7-touch cadence over simulated days: planning, logging, stopping, stalled leads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import gettext
from sqlalchemy import event, select

from assess.db.database import write_transaction
from assess.db.models import AuditEntry, Lead, LeadEvent, Submission, User
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import cadence
from assess.tracker.accounts import create_user
from tests.helpers.cadence_records import snapshot, touches_of
from tests.helpers.database import empty_tables
from tests.helpers.wizard_driver import complete_lead

OFFSETS = [0, 2, 5, 9, 14, 21, 30]
CHANNELS = ["email", "phone", "linkedin", "phone", "email", "phone", "email"]


def a_user(email: str = "consultant@example.com", role: str = "consultant") -> User:
    return create_user(email, "correct horse battery staple", role, email.split("@")[0])


@pytest.fixture
def lead_id(app: Flask) -> int:
    return complete_lead(app, "artisan_tpe").lead_id


def test_seven_touches_are_planned_at_the_configured_offsets(app, lead_id):
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        touches = touches_of(lead_id)
        start = cadence.aware(lead.completed_at)
        assert [t.number for t in touches] == [1, 2, 3, 4, 5, 6, 7]
        assert [t.channel for t in touches] == CHANNELS
        assert [cadence.aware(t.due_at) - start for t in touches] == [
            timedelta(days=d) for d in OFFSETS
        ]
        assert all(t.status == "planned" and t.talking_point for t in touches)
        assert cadence.aware(lead.next_touch_at) == cadence.aware(touches[0].due_at)
        assert lead.touches_done == 0


def test_talking_points_come_from_the_weakest_areas_and_their_advice(app, lead_id):
    with app.app_context():
        points = [t.talking_point for t in touches_of(lead_id)]
    # The artisan's weakest areas: prospecting 9.09, objectives 15.38, retention 15.38.
    assert "Prospection (9/100)" in points[0]
    assert "Prospecter chaque semaine" in points[0]  # its priority-1 advice, in French
    assert "Objectifs et plan d'actions (15/100)" in points[1]
    assert "Développement et fidélisation clients (15/100)" in points[2]
    assert len(set(points)) == 7


def test_parse_cadence_reads_and_refuses():
    assert cadence.parse_cadence("0:email, 3:phone") == [(0, "email"), (3, "phone")]
    for bad in ("", "0-email", "x:email", "0:", "5:phone,2:email", "0:E-mail"):
        with pytest.raises(ValueError):
            cadence.parse_cadence(bad)


def test_a_malformed_setting_never_fails_a_respondent(make_app):
    broken = make_app(CADENCE="every day:phone")
    try:
        lead_id = complete_lead(broken, "artisan_tpe").lead_id
        with broken.app_context():
            assert len(touches_of(lead_id)) == 7
    finally:
        empty_tables(broken)


def test_logging_touches_moves_the_next_one_over_simulated_days(app, lead_id):
    with app.app_context():
        user = a_user()
        touches = touches_of(lead_id)
        start = cadence.aware(touches[0].due_at)
        cadence.log_touch(touches[0].id, lead_id, "left_message", "", user.id, now=start)
        lead = db.session.get(Lead, lead_id)
        assert (lead.touches_done, lead.status) == (1, "contacted")
        assert cadence.aware(lead.next_touch_at) == cadence.aware(touches[1].due_at)
        cadence.log_touch(
            touches[1].id,
            lead_id,
            "reached",
            "Rappeler après le salon",
            user.id,
            now=start + timedelta(days=3),
        )
        db.session.expire_all()
        lead = db.session.get(Lead, lead_id)
        assert (lead.touches_done, lead.status) == (2, "contacted")
        assert cadence.aware(lead.next_touch_at) == cadence.aware(touches[2].due_at)
        done = touches_of(lead_id)[1]
        assert (done.status, done.outcome, done.note, done.done_by_id) == (
            "done",
            "reached",
            "Rappeler après le salon",
            user.id,
        )
        assert cadence.aware(done.done_at) == start + timedelta(days=3)
        kinds = db.session.execute(
            select(LeadEvent.kind, LeadEvent.data)
            .where(LeadEvent.lead_id == lead_id)
            .order_by(LeadEvent.id)
        ).all()
        assert [d["number"] for k, d in kinds if k == "touch"] == [1, 2]
        assert [d["to"] for k, d in kinds if k == "status"] == ["contacted"]
        audit = (
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "lead.touch").order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert [a.details["outcome"] for a in audit] == ["left_message", "reached"]
        assert all(a.user_id == user.id and a.target == f"lead:{lead_id}" for a in audit)


def test_a_booked_meeting_stops_the_cadence(app, lead_id):
    with app.app_context():
        user = a_user()
        first = touches_of(lead_id)[0]
        cadence.log_touch(first.id, lead_id, "meeting_booked", "", user.id)
        db.session.expire_all()
        lead = db.session.get(Lead, lead_id)
        assert lead.status == "meeting_booked"
        assert lead.next_touch_at is None
        assert lead.touches_done == 1
        assert [t.status for t in touches_of(lead_id)] == ["done"] + ["cancelled"] * 6
        assert cadence.due_touches(user, cadence.aware(first.due_at) + timedelta(days=40)) == []


def test_not_interested_loses_the_lead_with_that_reason(app, lead_id):
    with app.app_context():
        user = a_user()
        first = touches_of(lead_id)[0]
        cadence.log_touch(first.id, lead_id, "not_interested", "Pas de budget cette année", user.id)
        db.session.expire_all()
        lead = db.session.get(Lead, lead_id)
        assert lead.status == "lost"
        assert lead.lost_reason == f"{gettext('Not interested')}: Pas de budget cette année"
        assert lead.next_touch_at is None
        assert {t.status for t in touches_of(lead_id)[1:]} == {"cancelled"}


def test_a_note_on_several_lines_becomes_a_one_line_lost_reason(app, lead_id):
    """The touch note is a textarea; the lost reason it feeds is single-line."""
    with app.app_context():
        user = a_user()
        first = touches_of(lead_id)[0]
        note = "Pas de budget\r\ncette année\u2028ni la suivante"
        cadence.log_touch(first.id, lead_id, "not_interested", note, user.id)
        db.session.expire_all()
        lead = db.session.get(Lead, lead_id)
        reason = f"{gettext('Not interested')}: Pas de budget cette année ni la suivante"
        assert lead.lost_reason == reason
        assert [t.note for t in touches_of(lead_id) if t.status == "done"] == [
            "Pas de budget\r\ncette année\u2028ni la suivante"
        ]


def test_refusals_change_nothing(app, lead_id):
    other_id = complete_lead(
        app, "pme_industrielle", contact={"email": "autre@example.com"}
    ).lead_id
    with app.app_context():
        user = a_user()
        first = touches_of(lead_id)[0]
        others = touches_of(other_id)
        before = snapshot(lead_id)
        with pytest.raises(LookupError):
            cadence.log_touch(others[0].id, lead_id, "reached", "", user.id)
        with pytest.raises(LookupError):
            cadence.log_touch(first.id, 999_999, "reached", "", user.id)
        with pytest.raises(cadence.CadenceError, match="unknown outcome"):
            cadence.log_touch(first.id, lead_id, "won", "", user.id)
        with pytest.raises(cadence.CadenceError, match="note too long"):
            cadence.log_touch(first.id, lead_id, "reached", "x" * 2001, user.id)
        assert snapshot(lead_id) == before
        cadence.log_touch(first.id, lead_id, "reached", "x" * 2000, user.id)
        after_first = snapshot(lead_id)
        with pytest.raises(cadence.CadenceError, match="touch not planned"):
            cadence.log_touch(first.id, lead_id, "reached", "", user.id)
        assert snapshot(lead_id) == after_first
        assert [t.status for t in touches_of(other_id)] == ["planned"] * 7


def test_stalled_leads_are_flagged_after_three_touches_or_fewer(app, lead_id):
    busy_id = complete_lead(app, "startup_tech", contact={"email": "busy@example.com"}).lead_id
    with app.app_context():
        user = a_user()
        start = cadence.aware(touches_of(lead_id)[0].due_at)
        # The busy lead got four touches, then nothing: not "given up after the 3rd".
        for touch in touches_of(busy_id)[:4]:
            cadence.log_touch(touch.id, busy_id, "no_answer", "", user.id, now=start)
        # The other lead got one touch on day 0, then nothing.
        cadence.log_touch(touches_of(lead_id)[0].id, lead_id, "no_answer", "", user.id, now=start)
        assert cadence.stalled_leads(user, start + timedelta(days=5)) == []
        # Day 20: touch 2 (due on day 2) is 18 days overdue, more than CADENCE_STALL_DAYS (7).
        stalled = cadence.stalled_leads(user, start + timedelta(days=20))
        assert [(s.lead.id, s.days_overdue) for s in stalled] == [(lead_id, 18)]
        # Day 9 + 1 minute: 7 days and a minute overdue, flagged; day 9 exactly is not.
        assert cadence.stalled_leads(user, start + timedelta(days=9)) == []
        assert len(cadence.stalled_leads(user, start + timedelta(days=9, minutes=1))) == 1


def test_due_touches_lists_each_leads_next_touch_due_today_or_overdue(app, lead_id):
    second_id = complete_lead(
        app, "negoce_historique", contact={"email": "second@example.com"}
    ).lead_id
    with app.app_context():
        user = a_user()
        start = cadence.aware(touches_of(lead_id)[0].due_at)
        due = cadence.due_touches(user, start)
        assert {(d.lead.id, d.touch.number, d.days_late) for d in due} == {
            (lead_id, 1, 0),
            (second_id, 1, 0),
        }
        cadence.log_touch(touches_of(lead_id)[0].id, lead_id, "reached", "", user.id, now=start)
        later = start + timedelta(days=3)
        due = {d.lead.id: d for d in cadence.due_touches(user, later)}
        # Touch 2 of the first lead is a day late; the second lead shows touch 1 only (3 days late).
        assert (due[lead_id].touch.number, due[lead_id].days_late, due[lead_id].total) == (2, 1, 7)
        assert (due[second_id].touch.number, due[second_id].days_late) == (1, 3)
        # Nothing due before the first touch.
        assert cadence.due_touches(user, start - timedelta(days=1)) == []


def test_due_touches_is_one_query_and_respects_owners(app, lead_id):
    others = [
        complete_lead(app, "pme_industrielle", contact={"email": f"lead{i}@example.com"}).lead_id
        for i in range(3)
    ]
    with app.app_context():
        mine, theirs = a_user(), a_user("other@example.com")
        admin = a_user("admin@example.com", "admin")
        with write_transaction():
            db.session.get(Lead, others[0]).owner_id = mine.id
            db.session.get(Lead, others[1]).owner_id = theirs.id
        now = cadence.aware(touches_of(lead_id)[0].due_at) + timedelta(days=1)
        assert not mine.is_admin  # loaded before counting: the view has it from the session
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            due = cadence.due_touches(mine, now)
            for item in due:  # reading the lead and the touch costs nothing more
                assert item.lead.company and item.touch.talking_point
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert {d.lead.id for d in due} == {lead_id, others[0], others[2]}
        assert {d.lead.id for d in cadence.due_touches(admin, now)} == {lead_id, *others}
        feed = cadence.calendar_touches(theirs, now)
        assert {d.lead.id for d in feed} == {lead_id, others[1], others[2]}
        assert len([d for d in feed if d.lead.id == lead_id]) == 7


def test_a_re_assessment_does_not_plan_again(app, lead_id):
    with app.app_context():
        q = current_questionnaire()
        lead = db.session.get(Lead, lead_id)
        before = [(t.id, t.due_at) for t in touches_of(lead_id)]
        submission = db.session.get(Submission, lead.latest_submission_id)
        with write_transaction():
            later = Submission(
                draft_key="second-run",
                status="completed",
                lead_id=lead.id,
                questionnaire_id=q.id,
                questionnaire_version=q.version,
                questionnaire_hash=q.source_hash,
                locale="fr",
                answers=submission.answers,
                result=submission.result,
                completed_at=cadence.aware(submission.completed_at) + timedelta(days=45),
            )
            db.session.add(later)
            db.session.flush()
            cadence.plan_cadence(lead, later, q)
        assert [(t.id, t.due_at) for t in touches_of(lead_id)] == before
