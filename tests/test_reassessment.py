"""Taking the diagnostic again: the link, the same lead, the change per area everywhere."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import func, select

from assess.core.progress import score_changes
from assess.db.models import Delivery, Lead, Submission
from assess.extensions import db
from assess.outbox.links import SALT, lead_of, link_token, public_url
from assess.tracker import gdpr
from tests.helpers.backoffice_client import log_in
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    confirm_address,
    csrf_token,
    form_values,
    post_step,
    questionnaire,
)


def first_diagnostic(app: Flask) -> tuple[Submission, str]:
    """A completed submission and the re-assessment link its results page shows."""
    data = persona("artisan_tpe")
    page, _ = complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    confirm_address(app, CONTACT["email"])
    html = page.get_data(as_text=True)
    found = re.search(r'href="https?://[^"/]+(/again/[^"]+)"', html)
    assert found, "the results page carries the re-assessment link"
    with app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        db.session.expunge(submission)
    return submission, found.group(1)


def take_again(app: Flask, client: FlaskClient, path: str, name: str) -> str:
    """Follow the link, press Start, answer every step; the results page's HTML."""
    welcome = client.get(path)
    assert welcome.status_code == 200
    started = client.post(path, data={"csrf_token": csrf_token(welcome)})
    assert started.status_code == 303 and "/step/" in started.location
    data = persona(name)
    known = persona("artisan_tpe")["contact"]  # the same executive, details unchanged
    page, visited = complete(client, questionnaire(app), data["answers"], known, first=started)
    assert visited[-1] == "contact"  # ends on their details, filled in, to check
    return page.get_data(as_text=True)


def test_the_new_submission_joins_the_same_lead_and_shows_the_change(app, client):
    first, path = first_diagnostic(app)
    welcome = client.get(path).get_data(as_text=True)
    assert f"Bon retour, {CONTACT['first_name']}." in welcome
    assert "pour la dernière fois le" in welcome
    html = take_again(app, client, path, "services_b2b_structure")
    assert "Depuis votre diagnostic du" in html and "évolution" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
        second = db.session.execute(
            select(Submission).where(Submission.id != first.id)
        ).scalar_one()
        assert second.lead_id == first.lead_id and second.status == "completed"
        lead = db.session.get(Lead, first.lead_id)
        assert lead is not None and lead.latest_submission_id == second.id
        expected, _ = score_changes(second.result, first.result)
        # one report per submission: the re-assessment gets its own
        assert (
            db.session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.kind == "report")
            )
            == 2
        )
    sign = "+" if expected and expected > 0 else "−" if expected and expected < 0 else ""
    assert f"{sign}{abs(expected):.1f}".replace(".", ",").replace(",0", "") in html
    lead_page = log_in(app).get(f"/backoffice/leads/{first.lead_id}").get_data(True)
    assert "Depuis le diagnostic du" in lead_page


def test_the_report_email_carries_the_link(app):
    first, path = first_diagnostic(app)
    from assess.db.questionnaire_store import current_questionnaire
    from assess.outbox.messages import report_message

    with app.app_context():
        delivery = db.session.execute(
            select(Delivery).where(Delivery.submission_id == first.id, Delivery.kind == "report")
        ).scalar_one()
        outgoing = report_message(current_questionnaire(), delivery, b"%PDF")
        # Both links name the same lead (signed in different seconds, their bytes may differ).
        secret, days = app.config["SECRET_KEY"], app.config["REASSESS_LINK_DAYS"]
        in_email = outgoing.context["again_url"].rsplit("/", 1)[1]
        assert outgoing.context["again_url"] == public_url("reassessment.welcome", token=in_email)
        assert lead_of(secret, in_email, days).id == first.lead_id
        assert lead_of(secret, path.removeprefix("/again/"), days).id == first.lead_id


def link_key_of(app: Flask, lead_id: int | None) -> str:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead is not None
        return lead.link_key


def test_a_forged_or_expired_link_is_refused_and_changes_nothing(app, client, monkeypatch):
    first, path = first_diagnostic(app)
    assert client.get(path[:-3] + "abc").status_code == 404
    assert client.get("/again/not-a-token").status_code == 404
    key = link_key_of(app, first.lead_id)
    forged = link_token("another secret", key)
    assert client.get(f"/again/{forged}").status_code == 404
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 800 * 86400)
    with app.app_context():
        old = link_token(app.config["SECRET_KEY"], key)
    monkeypatch.setattr(time, "time", real_time)
    expired = client.get(f"/again/{old}")
    assert expired.status_code == 410 and "a expiré" in expired.get_data(as_text=True)
    page = client.get("/")
    refused = client.post(f"/again/{old}", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_the_link_of_a_deleted_lead_leads_nowhere(app, client):
    first, path = first_diagnostic(app)
    with app.app_context():
        assert gdpr.delete_lead(first.lead_id)
    assert client.get(path).status_code == 404


def test_score_changes_per_area():
    now = {"overall": 55.0, "categories": {"a": {"score": 60}, "b": {"score": None}, "c": {}}}
    before = {"overall": 50.5, "categories": {"a": {"score": 40.25}, "b": {"score": 10}}}
    assert score_changes(now, before) == (4.5, {"a": 19.8, "b": None, "c": None})


def test_the_report_of_a_reassessment_shows_the_change_per_area(app, client):
    from assess.outbox.delivery import report_input
    from assess.report.content import Branding, build_report, render_report_html

    first, path = first_diagnostic(app)
    take_again(app, client, path, "services_b2b_structure")
    with app.app_context():
        second = db.session.execute(
            select(Submission).where(Submission.id != first.id)
        ).scalar_one()
        data = report_input(second)
        assert data.progress is not None and data.progress.previous_id == first.id
        html = render_report_html(build_report(questionnaire(app), data, Branding("DC Pilot")))
    assert "Depuis votre diagnostic du" in html and '<th scope="col">Évolution</th>' in html


# Someone else's details, typed at the contact step: none of them may reach another's link.
BOB = {
    "first_name": "Bob",
    "last_name": "Lemarchand",
    "email": "bob.lemarchand@example.com",
    "company": "Lemarchand Négoce",
    "job_title": "Directeur des ventes",
    "phone": "07 98 76 54 32",
}


def test_a_deleted_leads_link_never_opens_the_next_lead(app):
    """The attack of issue 15: Alice's link, her lead deleted, Bob completes; the link must
    not greet Bob, prefill his details, show his progress nor start a draft on his lead."""
    alice, path = first_diagnostic(app)
    with app.app_context():
        assert gdpr.delete_lead(alice.lead_id)
    data = persona("startup_tech")
    complete(app.test_client(), questionnaire(app), data["answers"], {**data["contact"], **BOB})
    holder = app.test_client()
    welcome = holder.get(path)
    html = welcome.get_data(as_text=True)
    assert welcome.status_code == 404
    assert "Ce lien n'est plus valide" in html
    assert all(value not in html for value in BOB.values())
    started = holder.post(path, data={"csrf_token": csrf_token(holder.get("/"))})
    assert started.status_code == 404
    assert holder.get("/continue").location == "/"  # no draft in this browser
    with app.app_context():
        bob = db.session.execute(select(Lead)).scalar_one()
        assert bob.id > alice.lead_id  # the deleted lead's id is never given again
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_link_signed_around_an_id_answers_the_link_invalid_page(app, client):
    """Links of the old form, or forged with a well-formed signature, lead nowhere."""
    first, _ = first_diagnostic(app)
    secret = app.config["SECRET_KEY"]
    payloads = [
        ("reassessment-link", {"lead": first.lead_id}),  # the old links: the id, the old salt
        (SALT, {"lead": first.lead_id}),
        (SALT, {"key": first.lead_id}),
        (SALT, {"key": ""}),
        (SALT, ["not", "a", "mapping"]),
    ]
    csrf = csrf_token(client.get("/"))
    for salt, payload in payloads:
        token = URLSafeTimedSerializer(secret, salt=salt).dumps(payload)
        for response in (
            client.get(f"/again/{token}"),
            client.post(f"/again/{token}", data={"csrf_token": csrf}),
        ):
            assert response.status_code == 404, payload
            assert "Ce lien n'est plus valide" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_reassessment_fills_in_the_email_only(app, client):
    """The link was sent to the lead's address: the contact step shows that address, none
    of the other details (a forwarded link shows no phone, job title or name)."""
    _, path = first_diagnostic(app)
    response = client.post(path, data={"csrf_token": csrf_token(client.get(path))})
    q = questionnaire(app)
    answers = persona("services_b2b_structure")["answers"]
    while not response.location.endswith("/step/contact"):
        step_id = response.location.rsplit("/", 1)[-1]
        response = post_step(client, response.location, form_values(q, step_id, answers))
        assert response.status_code == 303
    html = client.get("/step/contact").get_data(as_text=True)
    assert f'value="{CONTACT["email"]}"' in html
    for name in ("first_name", "last_name", "company", "job_title", "phone"):
        assert f'value="{escape(CONTACT[name])}"' not in html, name
