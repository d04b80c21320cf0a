"""One lead per person: a diagnostic completed with a known lead's address joins that lead,
with its one cadence, and the consultant is told the lead is returning; two completions of
one new address at once make one lead."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assess.db.models import Delivery, Lead, Submission, Touch
from assess.extensions import db
from assess.outbox.mail import compose
from assess.outbox.messages import new_lead_message
from tests.helpers.cadence_records import touches_of
from tests.helpers.lead_records import make_lead
from tests.helpers.wizard_driver import complete_lead, confirm_address, questionnaire


def leads_and_submissions() -> tuple[list[Lead], list[Submission]]:
    leads = list(db.session.execute(select(Lead).order_by(Lead.id)).scalars())
    submissions = list(
        db.session.execute(
            select(Submission).where(Submission.status == "completed").order_by(Submission.id)
        ).scalars()
    )
    return leads, submissions


def notice_text(app: Flask, submission_id: int) -> str:
    q = questionnaire(app)
    row = db.session.execute(
        select(Delivery).where(Delivery.submission_id == submission_id, Delivery.kind == "new_lead")
    ).scalar_one()
    return compose(new_lead_message(q, row), "x@example.com").get_body(("plain",)).get_content()


def test_a_second_diagnostic_with_a_known_address_joins_the_lead(app):
    first = complete_lead(app, "artisan_tpe", confirm=True)
    second = complete_lead(
        app,
        "pme_industrielle",
        contact={"email": "Claire.Dubois@EXAMPLE.com", "company": "Dubois Équipements SAS"},
    )
    with app.app_context():
        [lead], submissions = leads_and_submissions()
        assert [s.id for s in submissions] == [first.id, second.id]
        assert all(s.lead_id == lead.id for s in submissions)
        assert lead.email == "claire.dubois@example.com"
        # the latest completion is the lead's summary, with the details typed last
        assert lead.latest_submission_id == second.id
        assert lead.overall_score == submissions[1].overall_score
        assert lead.company == "Dubois Équipements SAS"
        # one cadence, still the first one
        assert len(touches_of(lead.id)) == 7
        # the address typed is not taken as confirmed: the report waits for the click
        assert submissions[1].pending_email == "claire.dubois@example.com"
        assert "déjà répondu" not in notice_text(app, first.id)
        notice = notice_text(app, second.id)
        day = f"{first.completed_at.day} "
        assert "Lead connu : a déjà répondu le " + day in notice.replace("\u202f", " ")


def test_the_joined_lead_gets_the_report_once_its_owner_confirms(app):
    complete_lead(app, "artisan_tpe", confirm=True)
    second = complete_lead(app, "pme_industrielle")
    confirm_address(app, "claire.dubois@example.com")
    with app.app_context():
        kinds = db.session.execute(
            select(Delivery.kind).where(Delivery.submission_id == second.id)
        ).scalars()
        assert "report" in set(kinds)
        assert db.session.execute(select(func.count(Lead.id))).scalar_one() == 1


def test_a_lead_still_at_its_contact_step_does_not_hold_the_address(app):
    make_lead(app, email="claire.dubois@example.com", completed_at=None, overall_score=None)
    submission = complete_lead(app, "artisan_tpe")
    with app.app_context():
        leads, _ = leads_and_submissions()
        assert len(leads) == 2  # the unfinished one is left alone
        assert db.session.get(Lead, submission.lead_id).completed_at is not None


def test_two_completed_leads_cannot_share_an_address(app):
    make_lead(app, email="anne.petit@example.com")
    with pytest.raises(IntegrityError):
        make_lead(app, email="anne.petit@example.com")
    with app.app_context():
        db.session.rollback()
    make_lead(app, email="anne.petit@example.com", completed_at=None)  # a draft's lead may


def test_two_completions_of_one_new_address_at_once_make_one_lead(app):
    # Each draft has its own lead until it completes; whichever completes second finds the
    # address claimed (the unique index, whether the first committed before or meanwhile)
    # and joins the first: there is no look-up before the claim that a race could outrun.
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            complete_lead(app, name)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("artisan_tpe", "startup_tech")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        [lead], submissions = leads_and_submissions()
        assert len(submissions) == 2 and {s.lead_id for s in submissions} == {lead.id}
        planned = db.session.execute(
            select(func.count(Touch.id)).where(Touch.lead_id == lead.id)
        ).scalar_one()
        assert planned == 7
