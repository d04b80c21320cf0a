"""The resume link: it moves a draft to the browser that opens it, and is never a window on
the results of whoever finishes the diagnostic."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from assess.core.questionnaire import Questionnaire
from assess.db.models import Lead, Submission
from assess.extensions import db
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    csrf_token,
    form_values,
    open_resume_link,
    plausible_answers,
    post_step,
    questionnaire,
    start,
)

RESUME = re.compile(
    r'class="resume-link" type="text" readonly value="https?://[^/"]+(/resume/[^"]+)"'
)
# The details the browser the link was sent to types: nothing of them may reach the sender.
OTHER = {
    "first_name": "Bob",
    "last_name": "Lemarchand",
    "email": "bob.lemarchand@example.com",
    "company": "Lemarchand Négoce",
    "job_title": "Directeur des ventes",
    "phone": "07 98 76 54 32",
}


def resume_path(client: FlaskClient, step: str) -> str:
    """The resume link a step page shows, as a path."""
    found = RESUME.search(client.get(step).get_data(as_text=True))
    assert found, "the step page shows a resume link"
    return found.group(1)


def answer_steps(client: FlaskClient, q: Questionnaire, location: str, count: int) -> str:
    """Post `count` steps from `location` with plausible answers; where the wizard goes next."""
    answers = plausible_answers(q)
    for _ in range(count):
        step_id = location.rsplit("/", 1)[-1]
        data = CONTACT if step_id == "contact" else form_values(q, step_id, answers)
        response = post_step(client, location, data)
        assert response.status_code == 303
        location = response.location
    return location


def test_a_shared_resume_link_is_not_a_window_on_the_results(app):
    """The attack of issue 15: A answers, sends the link; B opens it, gives their details and
    finishes; A sees neither B's answers nor B's results, from any page."""
    q = questionnaire(app)
    sender, other = app.test_client(), app.test_client()
    second = answer_steps(sender, q, start(sender).location, 1)
    link = resume_path(sender, second)
    moved = open_resume_link(other, link)
    assert moved.status_code == 303 and moved.location == second
    data = persona("startup_tech")
    contact = {**data["contact"], **OTHER}
    results, visited = complete(other, q, data["answers"], contact, first=moved)
    assert visited[-1] == "contact" and results.status_code == 200
    with app.app_context():
        token = db.session.execute(select(Submission.public_token)).scalar_one()
    assert token and token in results.request.path
    # the sender holds the draft no longer: nothing of B from any page
    continued = sender.get("/continue")
    assert continued.status_code == 303 and continued.location == "/"
    for path in ("/", second, "/step/contact", f"/step/{q.sections[-1].id}", link):
        response = sender.get(path, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert token not in html and "/results/" not in response.request.path, path
        assert all(str(escape(value)) not in html for value in OTHER.values()), path
    page = sender.get(second)
    assert page.status_code == 404
    assert "se poursuit dans un autre navigateur" in page.get_data(as_text=True)


def test_the_link_moves_the_draft_once_and_keeps_it_where_it_is(app):
    q = questionnaire(app)
    sender, other, third = app.test_client(), app.test_client(), app.test_client()
    second = answer_steps(sender, q, start(sender).location, 1)
    link = resume_path(sender, second)
    assert sender.get(link).location == second  # its own browser: straight to the step
    assert sender.get(second).status_code == 200
    assert open_resume_link(other, link).location == second
    again = other.get(link)  # opened twice where it moved: still there
    assert again.status_code == 404 and "plus valide" in again.get_data(as_text=True)
    assert other.get(second).status_code == 200
    refused = third.get(link)  # the first opening used it up
    assert refused.status_code == 404 and "Ce lien n'est plus valide" in refused.get_data(True)
    # the page in the new browser offers a new link, which moves the draft on again
    newer = resume_path(other, second)
    assert newer != link and open_resume_link(third, newer).location == second
    assert other.get(second).status_code == 404


def test_a_browser_the_draft_moved_to_after_the_contact_step_sees_no_details_nor_results(
    other_app: Flask,
):
    """Lead capture first: A gives their details, answers, sends the link. B sees none of
    A's details, and finishing shows B where the results went, not the results."""
    q = questionnaire(other_app)
    sender, other = other_app.test_client(), other_app.test_client()
    first = start(sender).location
    assert first.endswith("/step/contact")
    location = answer_steps(sender, q, first, 2)
    moved = open_resume_link(other, resume_path(sender, location))
    assert moved.status_code == 303
    contact = other.get("/step/contact")
    assert contact.status_code == 200
    html = contact.get_data(as_text=True)
    for name in ("first_name", "last_name", "email", "company", "job_title", "phone"):
        assert f'value="{escape(CONTACT[name])}"' not in html, name
    finished = answer_steps(other, q, moved.location, len(q.sections) - 1)
    assert finished == "/finished"
    page = other.get(finished).get_data(as_text=True)
    assert "/results/" not in page
    assert other.get("/continue").location == "/finished"
    assert sender.get("/continue").location == "/"
    with other_app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        assert submission.is_completed and submission.public_token not in page
        lead = db.session.get(Lead, submission.lead_id)
        assert lead is not None and lead.email == CONTACT["email"]  # the report goes to A


def test_the_browser_that_gave_the_details_finds_them_all_again(other_app: Flask):
    q = questionnaire(other_app)
    client = other_app.test_client()
    answer_steps(client, q, start(client).location, 2)
    html = client.get("/step/contact").get_data(as_text=True)
    for name in ("first_name", "last_name", "email", "company", "job_title", "phone"):
        assert f'value="{escape(CONTACT[name])}"' in html, name


def test_giving_the_contact_details_again_shows_the_results(other_app: Flask):
    """The browser the draft moved to may give its own details: then it is the respondent."""
    q = questionnaire(other_app)
    sender, other = other_app.test_client(), other_app.test_client()
    location = answer_steps(sender, q, start(sender).location, 2)
    moved = open_resume_link(other, resume_path(sender, location))
    post_step(other, "/step/contact", {**CONTACT, **OTHER})
    last = answer_steps(other, q, moved.location, len(q.sections) - 1)
    assert last.startswith("/results/")
    with other_app.app_context():
        leads = {lead.email: lead.id for lead in db.session.execute(select(Lead)).scalars()}
        submission = db.session.execute(select(Submission)).scalar_one()
    # a lead of its own: the sender's details are neither changed nor given the results
    assert set(leads) == {CONTACT["email"], OTHER["email"]}
    assert submission.lead_id == leads[OTHER["email"]]


def test_a_resume_link_of_a_finished_diagnostic_shows_no_results(app):
    q = questionnaire(app)
    sender = app.test_client()
    second = answer_steps(sender, q, start(sender).location, 1)
    link = resume_path(sender, second)
    data = persona("startup_tech")
    results, _ = complete(sender, q, data["answers"], data["contact"], first=sender.get(link))
    assert results.status_code == 200 and "/results/" in results.request.path
    assert sender.get(link).location.startswith("/results/")  # its own browser
    other = app.test_client()
    response = other.get(link, follow_redirects=True)
    assert response.request.path == "/finished"
    assert "/results/" not in response.get_data(as_text=True)
    assert other.get("/continue").location == "/"


def test_a_link_preview_or_a_mail_scanner_opening_the_link_moves_nothing(app):
    """A chat's link preview or a mail "safe links" scanner fetches the link first: the
    draft stays where it is, and the real second device still continues it."""
    q = questionnaire(app)
    sender, scanner, device = app.test_client(), app.test_client(), app.test_client()
    second = answer_steps(sender, q, start(sender).location, 1)
    link = resume_path(sender, second)
    for _ in range(2):
        preview = scanner.get(link)
        assert preview.status_code == 200
        assert "Poursuivre votre diagnostic ici" in preview.get_data(as_text=True)
    assert sender.get(second).status_code == 200  # the sender still holds it
    assert scanner.get(second).status_code == 404  # the scanner holds nothing
    moved = open_resume_link(device, link)
    assert moved.status_code == 303 and moved.location == second
    assert device.get(second).status_code == 200
    assert sender.get(second).status_code == 404


def test_continuing_here_needs_the_page_s_token_and_the_link_s_signature(app):
    q = questionnaire(app)
    sender, other = app.test_client(), app.test_client()
    second = answer_steps(sender, q, start(sender).location, 1)
    link = resume_path(sender, second)
    page = other.get(link)
    assert other.post(link).status_code == 400  # no CSRF token: a forged form moves nothing
    assert sender.get(second).status_code == 200
    forged = other.post("/resume/forged-token", data={"csrf_token": csrf_token(page)})
    assert forged.status_code == 404
    assert sender.get(second).status_code == 200
