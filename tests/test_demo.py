"""Demo data: realistic, scored by the real engine, copied like a completion, deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from assess.cli import demo, demo_history
from assess.core.answers import validate_answers
from assess.core.scoring import score
from assess.db.models import Delivery, Lead, LeadEvent, Note, ReportFile, Submission, Touch, User
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import gdpr
from tests.helpers.backoffice_client import log_in

TODAY = date(2026, 11, 2)
END = datetime(2026, 11, 2, 18, tzinfo=UTC)


def aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def seeded(app, count=60, seed=11, **options):
    with app.app_context():
        return demo.seed_demo(count, seed=seed, today=TODAY, **options)


def leads_and_submissions():
    return db.session.execute(
        select(Lead, Submission)
        .join(Submission, Submission.id == Lead.latest_submission_id)
        .order_by(Lead.id)
    ).all()


def test_demo_leads_are_completed_submissions_scored_by_the_engine(app):
    summary = seeded(app)
    assert summary.leads == 60
    with app.app_context():
        q = current_questionnaire()
        pairs = leads_and_submissions()
        assert len(pairs) == 60
        exclusive = {(x.id, o.value) for x in q.questions for o in x.options or () if o.exclusive}
        # Some demo leads tick a "none" option, alone as the wizard requires (validated below).
        ticked_alone = {
            (qid, value[0])
            for _lead, submission in pairs
            for qid, value in submission.answers.items()
            if isinstance(value, list) and len(value) == 1
        }
        assert ticked_alone & exclusive
        for lead, submission in pairs:
            assert lead.email.rsplit("@", 1)[1] in {"example.com", "example.org"}
            assert lead.first_name and lead.last_name and lead.company and lead.job_title
            assert submission.status == "completed" and submission.lead_id == lead.id
            # confirmed, as a respondent who clicked their link: nothing waits to be sent
            assert lead.email_confirmed_at is not None and submission.pending_email is None
            assert (
                submission.questionnaire_id,
                submission.questionnaire_version,
                submission.questionnaire_hash,
            ) == (q.id, q.version, q.source_hash)
            contact = lead.expression_contact
            expected = score(q, validate_answers(q, submission.answers, contact), contact)
            assert submission.result == expected.as_json()
            assert lead.overall_score == submission.overall_score == expected.overall
            assert lead.level == expected.level
            assert set(lead.category_scores) == set(q.categories_by_id)
            assert aware(lead.completed_at) == aware(submission.completed_at)
            assert END - timedelta(days=366) <= aware(lead.completed_at) <= END
            assert (
                lead.search_text
                == " ".join((lead.company, lead.first_name, lead.last_name, lead.email)).lower()[
                    :700
                ]
            )
            assert submission.steps_done[-1] == "contact"
        # no e-mail is ever sent about demo data
        assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 0
        assert db.session.execute(select(func.count()).select_from(ReportFile)).scalar_one() == 0
        completed_events = (
            db.session.execute(select(LeadEvent).where(LeadEvent.kind == "submission.completed"))
            .scalars()
            .all()
        )
        assert len(completed_events) == 60
        by_lead = {lead.id: lead for lead, _ in pairs}
        for event in completed_events:
            assert aware(event.at) == aware(by_lead[event.lead_id].completed_at)


def test_demo_data_look_like_a_real_pipeline(app):
    seeded(app, count=300)
    with app.app_context():
        leads = db.session.execute(select(Lead)).scalars().all()
        statuses = {lead.status for lead in leads}
        assert {"new", "contacted", "won", "lost"} <= statuses
        assert len({lead.utm_source for lead in leads}) >= 5
        assert len({lead.company_size for lead in leads}) == 4
        assert len({lead.level for lead in leads}) >= 3
        assert all(lead.lost_reason for lead in leads if lead.status == "lost")
        consultants = db.session.execute(select(User)).scalars().all()
        assert len(consultants) == 3 and all(u.email.endswith("@example.org") for u in consultants)
        assert {lead.owner_id for lead in leads} - {None} <= {u.id for u in consultants}
        notes = db.session.execute(select(Note)).scalars().all()
        assert notes
        note_events = (
            db.session.execute(select(LeadEvent.data).where(LeadEvent.kind == "note"))
            .scalars()
            .all()
        )
        assert sorted(e["note_id"] for e in note_events) == sorted(n.id for n in notes)
        assert (
            db.session.execute(
                select(func.count()).select_from(LeadEvent).where(LeadEvent.kind == "status")
            ).scalar_one()
            > 100
        )


def test_the_cadence_is_planned_and_partly_done(app):
    summary = seeded(app, count=120)
    assert summary.touches == len(app.config["CADENCE"].split(",")) * 120
    with app.app_context():
        touches = db.session.execute(select(Touch)).scalars().all()
        by_lead = {}
        for touch in touches:
            by_lead.setdefault(touch.lead_id, []).append(touch)
        for lead in db.session.execute(select(Lead)).scalars():
            own = by_lead[lead.id]
            done = [t for t in own if t.status == "done"]
            planned = [aware(t.due_at) for t in own if t.status == "planned"]
            assert lead.touches_done == len(done)
            assert aware(lead.next_touch_at) == (min(planned) if planned else None)
            for touch in done:
                assert touch.outcome in demo_history.OUTCOMES
                assert aware(touch.done_at) <= END
            if lead.status in {"meeting_booked", "proposal_sent", "won", "lost"}:
                assert not planned
            if lead.status == "new":
                assert not done
            if done and lead.status in {"meeting_booked", "proposal_sent", "won"}:
                assert max(done, key=lambda t: t.number).outcome == "meeting_booked"
        assert any(
            lead_touches
            for lead_touches in by_lead.values()
            if any(t.status == "done" for t in lead_touches)
        )


def test_the_same_seed_gives_the_same_leads(app):
    def portrait():
        return [
            (
                lead.first_name,
                lead.last_name,
                lead.company,
                lead.email,
                lead.overall_score,
                lead.status,
                aware(lead.completed_at),
            )
            for lead, _ in leads_and_submissions()
        ]

    def without_address(leads):
        return [lead[:3] + lead[4:] for lead in leads]

    seeded(app, count=25, seed=4)
    with app.app_context():
        first = portrait()
    seeded(app, count=25, seed=4)
    seeded(app, count=25, seed=5)
    with app.app_context():
        everything = portrait()
    assert without_address(everything[25:50]) == without_address(first)
    assert everything[50:] != first
    # one address per person: the same people seeded again get numbered addresses
    assert len({lead[3] for lead in everything}) == 75
    assert everything[25][3] == first[0][3].replace("@", ".2@")


def test_demo_leads_never_take_the_id_of_a_deleted_lead(app):
    seeded(app, count=3, seed=2)
    with app.app_context():
        before = set(db.session.execute(select(Lead.id)).scalars())
        assert gdpr.delete_lead(max(before))
    seeded(app, count=3, seed=3)
    with app.app_context():
        added = set(db.session.execute(select(Lead.id)).scalars()) - before
    assert len(added) == 3 and min(added) > max(before)


def test_any_questionnaire_gets_valid_demo_answers(other_app):
    with other_app.app_context():
        summary = demo.seed_demo(30, seed=2, today=TODAY)
        q = current_questionnaire()
        assert summary.leads == 30
        for lead, submission in leads_and_submissions():
            validate_answers(q, submission.answers, lead.expression_contact)
            assert submission.questionnaire_id == q.id


def test_the_back_office_shows_demo_leads(app, client):
    seeded(app, count=30)
    log_in(app, client)
    page = client.get("/backoffice/leads?sort=score")
    assert page.status_code == 200
    assert "@example." in page.get_data(as_text=True)
