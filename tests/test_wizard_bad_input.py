"""Bad input on the respondent's path: a field error or a clear 4xx page, never a 500,
and the saved draft untouched."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from assess.db.models import Submission
from assess.extensions import db
from tests.helpers.database import empty_tables
from tests.helpers.paths import FIXTURES
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    FIRST_STEP,
    GOOD_FIRST_STEP,
    csrf_token,
    form_values,
    post_step,
    questionnaire,
    saved,
    start,
)


@pytest.fixture
def draft_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client whose draft has the first step saved and stands on the second."""
    start(client)
    response = post_step(client, FIRST_STEP, GOOD_FIRST_STEP)
    assert response.status_code == 303
    return client


def post_again(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return post_step(client, path, data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("revenue_share_existing", "plus_de_90", "des options proposées."),
        ("has_sales_team", "peut-etre", "Merci de répondre par oui ou par non."),
        ("new_customers_target", "beaucoup", "Merci de saisir un nombre"),
        ("new_customers_target", "-3", "supérieur ou égal à 0."),
        ("new_customers_target", "1000000", "inférieur ou égal à 100000."),
        ("new_customers_target", "2,5", "Merci de saisir un multiple de 1."),
        ("main_challenge", "x" * 501, "500 caractères"),
        ("growth_priority", "", "Merci de répondre à cette question."),
    ],
)
def test_a_bad_answer_gets_a_french_error_beside_the_field_and_keeps_the_draft(
    app, draft_client, field, value, message
):
    before = saved(app).answers
    response = post_step(draft_client, FIRST_STEP, {**GOOD_FIRST_STEP, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    # the error is tied to its field and summarised at the top
    assert f'id="err-{field}"' in page
    assert 'aria-describedby="' in page and f"err-{field}" in page
    assert 'id="error-summary"' in page and f'href="#q-{field}"' in page
    after = saved(app).answers
    assert after[field] == before.get(field) or field not in after
    # valid answers posted alongside are kept
    for other in GOOD_FIRST_STEP:
        if other != field:
            assert other in after
    if field in {"new_customers_target"}:
        assert f'value="{value}"' in page  # what was typed is shown again
    if field == "main_challenge":
        assert value in page


def test_errors_speak_english_after_the_switch(app, draft_client):
    draft_client.get("/language/en")
    response = post_step(
        draft_client, FIRST_STEP, {**GOOD_FIRST_STEP, "new_customers_target": "lots"}
    )
    assert response.status_code == 422
    assert "Please enter a number" in response.get_data(as_text=True)


def test_unknown_field_names_are_ignored_and_never_stored(app, draft_client):
    response = post_step(
        draft_client, FIRST_STEP, {**GOOD_FIRST_STEP, "is_admin": "1", "score": "100"}
    )
    assert response.status_code == 303
    answers = saved(app).answers
    assert "is_admin" not in answers and "score" not in answers


def test_a_missing_or_wrong_csrf_token_is_refused_with_a_page(app, draft_client):
    before = saved(app).answers
    missing = draft_client.post(FIRST_STEP, data={**GOOD_FIRST_STEP, "growth_priority": "indecis"})
    wrong = draft_client.post(
        FIRST_STEP, data={**GOOD_FIRST_STEP, "growth_priority": "indecis", "csrf_token": "forged"}
    )
    for response in (missing, wrong):
        assert response.status_code == 400
        assert (
            "Rechargez la page" in response.get_data(as_text=True)
            or "recharger" in response.get_data(as_text=True).lower()
        )
    assert saved(app).answers == before


def test_a_forged_resume_token_is_404_and_an_expired_one_410(app, client):
    start(client)
    key = saved(app).draft_key
    assert client.get("/resume/forged-token").status_code == 404
    other_secret = URLSafeTimedSerializer("another-secret", salt="resume-link").dumps(key)
    assert client.get(f"/resume/{other_secret}").status_code == 404

    class Past(URLSafeTimedSerializer):
        def make_signer(self, *args: Any, **kwargs: Any) -> Any:
            signer = super().make_signer(*args, **kwargs)
            signer.get_timestamp = lambda: int(time.time()) - 31 * 86400  # type: ignore[method-assign]
            return signer

    expired = Past(app.config["SECRET_KEY"], salt="resume-link").dumps(key)
    response = client.get(f"/resume/{expired}")
    assert response.status_code == 410
    assert "expiré" in response.get_data(as_text=True)


def test_a_session_pointing_to_no_draft_gets_a_clear_page(app, client):
    with client.session_transaction() as session:
        session["draft"] = "does-not-exist"
    response = client.get(FIRST_STEP)
    assert response.status_code == 404
    assert "diagnostic" in response.get_data(as_text=True)


def test_a_step_posted_out_of_order_is_refused_and_changes_nothing(app, draft_client):
    before = saved(app).answers
    page = draft_client.get("/step/strategie_commerciale")
    token = csrf_token(page)
    response = draft_client.post("/step/retention_clients", data={"csrf_token": token})
    assert response.status_code in {404, 409}
    contact = draft_client.post("/step/contact", data={**CONTACT, "csrf_token": token})
    assert contact.status_code == 409
    assert saved(app).answers == before
    assert saved(app).lead_id is None
    # a GET beyond the frontier just leads back to it
    response = draft_client.get("/step/contact")
    assert response.status_code == 303 and response.location.endswith("/step/strategie_commerciale")


def test_an_unknown_step_is_404_or_refused(app, draft_client):
    page = draft_client.get("/step/strategie_commerciale")
    response = draft_client.post("/step/no_such_step", data={"csrf_token": csrf_token(page)})
    assert response.status_code in {404, 409}
    assert draft_client.get("/step/no_such_step").status_code == 303


def test_a_body_over_the_limit_gets_413_and_the_draft_is_untouched(app, draft_client):
    before = saved(app).answers
    page = draft_client.get(FIRST_STEP)
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = draft_client.post(
        FIRST_STEP, data={**GOOD_FIRST_STEP, "main_challenge": huge, "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 413
    assert "trop volumineuses" in response.get_data(as_text=True)
    assert saved(app).answers == before


def test_double_submitting_the_last_step_completes_once(app, client):
    data = persona("pme_industrielle")
    q = questionnaire(app)
    response = start(client)
    while not response.location.endswith("/step/contact"):
        step_id = response.location.rsplit("/", 1)[-1]
        response = post_step(client, response.location, form_values(q, step_id, data["answers"]))
    page = client.get("/step/contact")
    payload = {**CONTACT, "csrf_token": csrf_token(page)}
    first = client.post("/step/contact", data=payload)
    second = client.post("/step/contact", data=payload)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location and "/results/" in first.location
    with app.app_context():
        assert len(db.session.execute(select(Submission)).scalars().all()) == 1


def test_concurrent_posts_of_the_same_step_never_corrupt_the_draft(app, draft_client):
    page = draft_client.get("/step/strategie_commerciale")
    token = csrf_token(page)
    q = questionnaire(app)
    answers = form_values(q, "strategie_commerciale", persona("pme_industrielle")["answers"])
    cookie = draft_client.get_cookie("session")
    assert cookie is not None
    results: list[int] = []

    def post() -> None:
        other = app.test_client()
        other.set_cookie("session", cookie.value)
        results.append(
            other.post(
                "/step/strategie_commerciale", data={**answers, "csrf_token": token}
            ).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * 8
    draft = saved(app)
    assert draft.steps_done.count("strategie_commerciale") == 1
    assert draft.steps_done == ["entreprise", "strategie_commerciale"]
    for key in answers:
        assert key in draft.answers


def test_concurrent_posts_of_different_steps_keep_every_answer(app, draft_client):
    """Tabs posting different steps at once: none of them writes over another's answers."""
    q = questionnaire(app)
    data = persona("pme_industrielle")["answers"]
    second, third = (section.id for section in q.sections[1:3])
    post_step(draft_client, f"/step/{second}", form_values(q, second, data))
    token = csrf_token(draft_client.get(FIRST_STEP))
    cookie = draft_client.get_cookie("session")
    assert cookie is not None
    third_answers = form_values(q, third, data)
    for target in ("31", "47", "52", "68"):
        first = {**GOOD_FIRST_STEP, "new_customers_target": target}
        posts = [
            (FIRST_STEP, first),
            (f"/step/{second}", form_values(q, second, data)),
            (f"/step/{third}", third_answers),
        ] * 3
        results: list[int] = []

        def post(path: str, values: dict[str, Any], results: list[int] = results) -> None:
            tab = app.test_client()
            tab.set_cookie("session", cookie.value)
            results.append(tab.post(path, data={**values, "csrf_token": token}).status_code)

        threads = [threading.Thread(target=post, args=item) for item in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [303] * len(posts)
        answers = saved(app).answers
        assert answers["new_customers_target"] == int(target)
        assert set(form_values(q, second, data)) <= set(answers)
        assert set(third_answers) <= set(answers)
    assert saved(app).steps_done == ["entreprise", second, third]


def test_two_tabs_posting_different_steps_keep_both(app, draft_client):
    q = questionnaire(app)
    data = persona("pme_industrielle")["answers"]
    post_step(
        draft_client, "/step/strategie_commerciale", form_values(q, "strategie_commerciale", data)
    )
    cookie = draft_client.get_cookie("session")
    tab_two = app.test_client()
    tab_two.set_cookie("session", cookie.value)
    # tab one re-posts the first step while tab two posts the third
    post_step(draft_client, FIRST_STEP, {**GOOD_FIRST_STEP, "growth_priority": "les_deux"})
    third = next(s.id for s in q.sections[2:3])
    post_step(tab_two, f"/step/{third}", form_values(q, third, data))
    answers = saved(app).answers
    assert answers["growth_priority"] == "les_deux"
    assert set(form_values(q, third, data)) <= set(answers)


def walk_to_contact(app: Flask, client: FlaskClient) -> None:
    """Answer every step up to the contact form."""
    data = persona("pme_industrielle")
    q = questionnaire(app)
    response = start(client)
    while not response.location.endswith("/step/contact"):
        step_id = response.location.rsplit("/", 1)[-1]
        response = post_step(client, response.location, form_values(q, step_id, data["answers"]))


# NEL (C1 control), LINE SEPARATOR and PARAGRAPH SEPARATOR: each ends a line for some
# readers, and an e-mail header holding one is refused at send time.
LINE_BREAKERS = ["\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("breaker", LINE_BREAKERS, ids=["NEL", "LS", "PS"])
def test_a_line_separator_in_a_contact_field_gets_an_error_beside_it(app, client, breaker):
    walk_to_contact(app, client)
    for field in ("first_name", "last_name", "company", "job_title", "email", "phone"):
        typed = f"{CONTACT[field]}{breaker}Objet : votre compte expire"
        response = post_step(client, "/step/contact", {**CONTACT, field: typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert f'id="err-{field}"' in page, field
        assert "sur une seule ligne, sans caractères spéciaux." in page, field
        # the other values typed are shown again
        assert CONTACT["company"] in page and CONTACT["job_title"] in page
    assert saved(app).lead_id is None


@pytest.fixture
def additions_app(make_app: Any) -> Any:
    """The app running the questionnaire of the contract additions (an exclusive option)."""
    application = make_app(FIXTURES / "contract_additions.yaml")
    yield application
    empty_tables(application)


def test_an_exclusive_option_ticked_with_another_gets_a_french_error_and_keeps_the_rest(
    additions_app,
):
    client = additions_app.test_client()
    start(client)
    path = "/step/canaux"
    first = post_step(client, path, {"channels": ["phone"], "channel_results": "phone"})
    assert first.status_code == 422  # crm missing: the valid answers are saved meanwhile
    response = post_step(
        client,
        path,
        {"channels": ["linkedin", "aucun"], "channel_results": "linkedin", "crm": "yes"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "«\u202fAucun\u202f» ne peut pas être coché avec une autre option" in page
    assert 'id="err-channels"' in page and 'href="#q-channels"' in page
    # what was ticked is shown again, the exclusive option with its marker for wizard.js
    assert 'value="linkedin" checked>' in page
    assert 'value="aucun" data-exclusive checked>' in page
    answers = saved(additions_app).answers
    # the refused answer keeps the one saved before; the step's other answers are saved
    assert answers == {"channels": ["phone"], "channel_results": "linkedin", "crm": "yes"}
