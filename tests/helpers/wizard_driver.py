"""Drive the wizard through the test client as a browser would, following the form contract."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from assess.core.questionnaire import Questionnaire
from assess.db.models import AddressConfirmation, Submission
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.respondent import confirmation
from tests.helpers.personas import persona

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

CONTACT = {
    "first_name": "Claire",
    "last_name": "Dubois",
    "email": "claire.dubois@example.com",
    "company": "Dubois Équipements",
    "job_title": "Dirigeante",
    "phone": "06 12 34 56 78",
    "company_size": "pe",
    "sector": "industrie",
    "consent": "y",
}
FIRST_STEP = "/step/entreprise"
GOOD_FIRST_STEP = {
    "has_sales_team": "yes",
    "salespeople": "3",
    "has_sales_manager": "no",
    "revenue_band": "de_1_a_5m",
    "revenue_share_existing": "de_30_a_50",
    "top5_share": "de_20_a_40",
    "growth_priority": "conquete",
    "new_customers_target": "12",
    "main_challenge": "Trouver des clients",
}


def questionnaire(app: Flask) -> Questionnaire:
    """The questionnaire the app serves now."""
    with app.app_context():
        return current_questionnaire()


def saved(app: Flask) -> Submission:
    """The one stored draft, detached from its session."""
    with app.app_context():
        draft = db.session.execute(select(Submission)).scalar_one()
        db.session.expunge(draft)
        return draft


def csrf_token(page: TestResponse) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(page.get_data(as_text=True))
    assert found, "no csrf_token on the page"
    return found.group(1)


def form_values(q: Questionnaire, section_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """A section's answers as an HTML form posts them (booleans as yes/no)."""
    section = next(s for s in q.sections if s.id == section_id)
    data: dict[str, Any] = {}
    for question in section.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.type == "boolean":
            data[question.id] = "yes" if value else "no"
        elif question.type == "multiple":
            data[question.id] = list(value)
        else:
            data[question.id] = str(value)
    return data


def post_step(client: FlaskClient, path: str, data: dict[str, Any]) -> TestResponse:
    """GET the step for its CSRF token, then POST the data."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return client.post(path, data={**data, "csrf_token": csrf_token(page)})


def open_resume_link(client: FlaskClient, link: str) -> TestResponse:
    """Open a resume link in a browser that does not hold the draft and press "Continue
    here" on its page; the answer to that press (a 303 to the step when the draft moved)."""
    page = client.get(link)
    assert page.status_code == 200, (link, page.status_code)
    assert "Poursuivre votre diagnostic ici" in page.get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_token(page)})


def start(client: FlaskClient, query: str = "") -> TestResponse:
    """Open the landing page and press Start; returns the redirect to the first step."""
    landing = client.get("/" + query)
    assert landing.status_code == 200
    return client.post("/start", data={"csrf_token": csrf_token(landing)})


def complete(
    client: FlaskClient,
    q: Questionnaire,
    answers: dict[str, Any],
    contact: dict[str, Any] | None = None,
    query: str = "",
    completion_times: list[float] | None = None,
    first: TestResponse | None = None,
    pages: dict[str, str] | None = None,
) -> tuple[TestResponse, list[str]]:
    """Run the whole wizard; returns the final response and the step ids visited.

    `completion_times` receives the duration of the request that completed the submission;
    `first` is the redirect to the first step when the draft was started another way;
    `pages` receives each step's page (its HTML) by step id.
    """
    response = first if first is not None else start(client, query)
    visited: list[str] = []
    for _ in range(len(q.sections) + 3):
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        location = response.location
        if "/results/" in location:
            return client.get(location), visited
        step_id = location.rsplit("/", 1)[-1]
        visited.append(step_id)
        data = (
            {**CONTACT, **(contact or {})}
            if step_id == "contact"
            else form_values(q, step_id, answers)
        )
        page = client.get(location)
        assert page.status_code == 200, (location, page.status_code)
        if pages is not None:
            pages[step_id] = page.get_data(as_text=True)
        started = time.perf_counter()
        response = client.post(location, data={**data, "csrf_token": csrf_token(page)})
        if completion_times is not None and "/results/" in (response.location or ""):
            completion_times.append(time.perf_counter() - started)
    raise AssertionError(f"the wizard did not finish: {visited}")


def plausible_answers(q: Questionnaire) -> dict[str, Any]:
    """A plausible full answer set built from the questionnaire itself."""
    answers: dict[str, Any] = {}
    for question in q.questions:
        if question.type == "single":
            answers[question.id] = question.options[-1].value
        elif question.type == "multiple":
            answers[question.id] = [question.options[0].value]
        elif question.type == "boolean":
            answers[question.id] = True
        elif question.type in {"scale", "number"}:
            answers[question.id] = int(question.max if question.max is not None else 10)
        else:
            answers[question.id] = "Un texte libre"
    return answers


def confirm_address(app: Flask, email: str) -> None:
    """Confirm an address a respondent typed, as its owner's click on the e-mailed link does
    (the latest link sent to it): the report and invitations that waited for it are queued."""
    with app.app_context():
        token = db.session.execute(
            select(AddressConfirmation.token)
            .where(AddressConfirmation.email == email.lower())
            .order_by(AddressConfirmation.id.desc())
            .limit(1)
        ).scalar_one()
        confirmation.confirm(token)
        db.session.remove()


def invite_team(client: FlaskClient, results_token: str, emails: str) -> TestResponse:
    """Post the team invitation form of a results page, as the executive does."""
    page = client.get(f"/results/{results_token}/team")
    return client.post(
        f"/results/{results_token}/team", data={"emails": emails, "csrf_token": csrf_token(page)}
    )


def complete_lead(
    app: Flask,
    name: str = "pme_industrielle",
    *,
    contact: dict[str, Any] | None = None,
    client: FlaskClient | None = None,
    confirm: bool = False,
) -> Submission:
    """Run the real wizard with a persona's answers; the completed submission, detached.

    The contact step gets CONTACT with the persona's size and sector, then `contact`;
    `confirm` confirms the address as its owner's click does (the report gets queued).
    """
    data = persona(name)
    details = {**data["contact"], **(contact or {})}
    page, _ = complete(client or app.test_client(), questionnaire(app), data["answers"], details)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    if confirm:
        confirm_address(app, details.get("email", CONTACT["email"]))
    token = page.request.path.rsplit("/", 1)[-1]  # the results page: /results/<token>
    with app.app_context():
        submission = db.session.execute(
            select(Submission).where(Submission.public_token == token)
        ).scalar_one()
        assert submission.status == "completed"
        db.session.expunge(submission)
        return submission
