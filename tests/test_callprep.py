"""The call-prep brief: plain data from a real completion, and its printable page."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from assess.core.result import StoredResult
from assess.db.models import Lead, Submission
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import callprep
from tests.helpers.backoffice_client import log_in
from tests.helpers.wizard_driver import complete, complete_lead, plausible_answers

WEAKEST = ["Prospecting", "Objectives and action plan", "Customer growth and retention"]


def brief_of(app: Flask, lead_id: int, locale: str = "fr") -> callprep.CallBrief:
    """The brief with the questionnaire's texts in `locale`, our own messages in English."""
    with app.test_request_context("/backoffice/?lang=en"):
        lead = db.session.get(Lead, lead_id)
        return callprep.build_brief(lead, locale)


def test_the_brief_holds_the_weakest_areas_openers_and_objections(app):
    lead_id = complete_lead(app, "artisan_tpe").lead_id
    brief = brief_of(app, lead_id)
    assert brief.has_result
    assert brief.contact["company"] == "Dubois Équipements"
    assert brief.company_size == "tpe"
    assert [(a.label, round(a.score)) for a in brief.weakest] == [
        ("Prospection", 9),
        ("Objectifs et plan d'actions", 15),
        ("Développement et fidélisation clients", 15),
    ]
    assert round(brief.overall) == 23 and brief.level == "Débutant"
    assert len(brief.openers) == 3
    assert len({o.area for o in brief.openers}) == 3  # three areas, three conversations
    for opener in brief.openers:
        assert opener.points_lost > 0
        assert opener.question in opener.ask and opener.answer in opener.ask
    said = [o.said for o in brief.objections]
    assert "We do not have the time or the budget for this." in said  # a company of 5
    assert "That is not for a company like ours." in said  # no sales team: an area did not apply
    skipped = next(o for o in brief.objections if o.said.startswith("That is not"))
    assert "Équipe commerciale" in skipped.why
    assert "It has always worked like this for us." in said
    assert [q.text for q in brief.quotes] == [
        "Remplir le planning de l'atelier au-delà de six semaines sans dépendre des architectes."
    ]
    assert brief.advice[0] == "Prospecter chaque semaine, pas seulement quand l'activité baisse"


def test_openers_follow_the_answers_that_lost_the_most_points(app):
    lead_id = complete_lead(app, "pme_industrielle").lead_id
    with app.test_request_context("/backoffice/?lang=en"):
        lead = db.session.get(Lead, lead_id)
        submission = lead.submissions[0]
        q = current_questionnaire()
        lost = {
            item["id"]: item["possible"] - item["earned"]
            for item in submission.result["explanation"]["questions"]
            if item["shown"] and item["possible"]
        }
        brief = callprep.build_brief(lead, "en")
    labels = {q.text(question.label, "en"): question.id for question in q.questions}
    picked = [lost[labels[o.question]] for o in brief.openers]
    assert picked[0] == max(lost.values())
    assert all(o.points_lost == lost[labels[o.question]] for o in brief.openers)
    assert brief.weakest[0].label in {a.label for a in brief.weakest}
    assert all(re.search(r"[A-Za-z]", o.ask) for o in brief.openers)


def test_the_brief_works_for_any_questionnaire(other_app):
    q = None
    with other_app.app_context():
        q = current_questionnaire()
    results, _ = complete(other_app.test_client(), q, plausible_answers(q))
    assert results.status_code == 200
    with other_app.app_context():
        lead_id = db.session.execute(select(func.max(Lead.id))).scalar_one()
    brief = brief_of(other_app, lead_id, "en")
    assert brief.has_result
    assert [a.label for a in brief.weakest] and len(brief.weakest) <= 3


def test_no_question_of_the_shipped_diagnostic_is_named_in_the_code(app):
    source = (Path(callprep.__file__)).read_text()
    with app.app_context():
        ids = list(current_questionnaire().questions_by_id)
    assert [i for i in ids if re.search(rf"\b{re.escape(i)}\b", source)] == []


def test_the_printable_brief_page(app):
    lead_id = complete_lead(app, "artisan_tpe").lead_id
    client = log_in(app, language="en")
    page = client.get(f"/backoffice/leads/{lead_id}/brief")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    weakest = html.split('id="weakest"')[1].split("</table>")[0]
    for label in WEAKEST:
        assert label.replace("'", "&#39;") in weakest
    openers = html.split('id="openers"')[1].split("</ol>")[0]
    assert openers.count("<li>") == 3
    assert "In their words" in html and "sans dépendre des architectes" in html
    assert 'class="no-print actions-row"' in html  # the back link does not print
    assert client.get("/backoffice/leads/999999/brief").status_code == 404


def test_a_lead_without_a_result_gets_a_short_brief(app):
    lead_id = complete_lead(app, "artisan_tpe").lead_id
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.latest_submission_id = None
        db.session.commit()
    html = (
        log_in(app, language="en").get(f"/backoffice/leads/{lead_id}/brief").get_data(as_text=True)
    )
    assert "This lead has not completed the diagnostic yet." in html


def test_each_fired_recommendation_says_why_from_the_answers(app):
    """The lead page showed `answers.team_profiles in [...]`: now a sentence per answer read."""
    lead_id = complete_lead(app, "pme_industrielle").lead_id
    with app.test_request_context("/backoffice/"), force_locale("fr"):
        lead = db.session.get(Lead, lead_id)
        submission = db.session.get(Submission, lead.latest_submission_id)
        q = current_questionnaire()
        fired = callprep.fired_recommendations(q, StoredResult.from_json(submission.result), "fr")
    assert fired and all(rec.reasons for rec in fired)
    churn = next(rec for rec in fired if rec.title == "Enrayer la perte de clients")
    assert churn.reasons == ["A répondu « 78 % » à « Quel est ce taux de fidélisation ? »"]
    assert churn.priority == "Urgent"
    # The stored rule stays, for the admins' technical details only.
    assert "answers." in churn.condition and set(churn.values) <= {
        name for name in churn.values if name.startswith("answers.")
    }
    said = [reason for rec in fired for reason in rec.reasons]
    assert not any(
        fragment in reason for reason in said for fragment in ("answers.", "scores.", " in [")
    )
    assert [rec.priority for rec in fired[3:]] == ["Important"] * len(fired[3:])
