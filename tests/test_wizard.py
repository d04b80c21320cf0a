"""The respondent's path through the test client: shipped diagnostic and another topic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from assess.core.answers import validate_answers
from assess.core.scoring import score
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

PERSONAS = sorted((Path(__file__).parent / "personas").glob("*.json"))


def stored(app: Flask) -> list[Submission]:
    with app.app_context():
        return list(db.session.execute(select(Submission)).scalars())


def test_landing_page_says_what_how_long_and_how_data_are_used(client):
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Évaluez la performance commerciale" in text
    assert "minutes" in text
    assert "Commencer le diagnostic" in text or "Démarrer" in text
    assert "rapport" in text and "données" in text


@pytest.mark.parametrize("path", PERSONAS, ids=lambda p: p.stem)
def test_each_persona_completes_and_gets_the_engine_result(app, client, path):
    data = json.loads(path.read_text())
    q = questionnaire(app)
    contact = {"company_size": data["contact"]["company_size"], "sector": data["contact"]["sector"]}
    results, visited = complete(client, q, data["answers"], contact)
    assert results.status_code == 200
    expected = score(q, validate_answers(q, data["answers"], contact), contact)
    [submission] = stored(app)
    assert submission.status == "completed"
    assert submission.overall_score == expected.overall
    assert submission.level == expected.level
    assert submission.result["recommendations"] == [r.id for r in expected.recommendations]
    assert submission.questionnaire_id == q.id
    assert submission.questionnaire_version == q.version
    assert submission.questionnaire_hash == q.source_hash
    assert f"{expected.overall:.1f}".replace(".", ",") in results.get_data(as_text=True)
    assert visited[-1] == "contact"  # lead_capture: end gates the results


def test_a_section_hidden_by_show_if_is_skipped(app, client):
    data = persona("artisan_tpe")
    assert data["answers"]["has_sales_team"] is False
    _, visited = complete(client, questionnaire(app), data["answers"], data["contact"])
    assert "equipe_commerciale" not in visited
    with_team = persona("pme_industrielle")
    other = app.test_client()
    _, visited = complete(other, questionnaire(app), with_team["answers"], with_team["contact"])
    assert "equipe_commerciale" in visited


def test_a_question_hidden_by_show_if_is_rendered_hidden_then_shown(app, client):
    q = questionnaire(app)
    first = start(client).location
    page = client.get(first).get_data(as_text=True)
    # objectives_scope is asked only when the company has salespeople
    section = q.section_of["objectives_scope"].id
    answers = persona("pme_industrielle")["answers"]
    steps = [s.id for s in q.sections]
    response = post_step(client, first, form_values(q, first.rsplit("/", 1)[-1], answers))
    while response.location.rsplit("/", 1)[-1] != section:
        step_id = response.location.rsplit("/", 1)[-1]
        response = post_step(client, response.location, form_values(q, step_id, answers))
    page = client.get(response.location).get_data(as_text=True)
    assert 'data-question="objectives_scope" data-conditional>' in page  # shown: has a team
    assert steps.index(section) > 0


def test_other_topic_collects_the_contact_first(other_app):
    client = other_app.test_client()
    q = questionnaire(other_app)
    assert q.lead_capture == "start"
    answers = plausible_answers(q)
    results, visited = complete(client, q, answers)
    assert visited[0] == "contact"
    assert results.status_code == 200
    [submission] = stored(other_app)
    assert submission.questionnaire_id == q.id


def test_utm_parameters_and_referrer_are_kept_with_the_lead(app, client):
    data = persona("startup_tech")
    client.get("/", headers={"Referer": "https://www.linkedin.com/feed/"})
    complete(
        client,
        questionnaire(app),
        data["answers"],
        data["contact"],
        query="?utm_source=linkedin&utm_medium=social&utm_campaign=rentree",
    )
    with app.app_context():
        lead = db.session.execute(select(Lead)).scalar_one()
        assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == (
            "linkedin",
            "social",
            "rentree",
        )
        assert lead.referrer == "https://www.linkedin.com/feed/"
        assert lead.consent_text_version == app.config["CONSENT_TEXT_VERSION"]
        assert lead.consent_at is not None
        assert lead.marketing_opt_in is False


def test_back_goes_to_the_previous_step_and_keeps_the_values(app, client):
    q = questionnaire(app)
    answers = persona("pme_industrielle")["answers"]
    first = start(client).location
    first_id = first.rsplit("/", 1)[-1]
    second = post_step(client, first, form_values(q, first_id, answers)).location
    second_id = second.rsplit("/", 1)[-1]
    back = post_step(client, second, {**form_values(q, second_id, answers), "nav": "back"})
    assert back.status_code == 303 and back.location == first
    page = client.get(first).get_data(as_text=True)
    assert 'value="de_30_a_50" checked' in page or "checked" in page
    # what was typed on the step left with Back is saved too
    with client.application.app_context():
        [draft] = db.session.execute(select(Submission)).scalars()
        for key in form_values(q, second_id, answers):
            assert key in draft.answers


def test_resume_link_continues_on_another_device(app, client):
    q = questionnaire(app)
    answers = persona("services_b2b_structure")["answers"]
    first = start(client).location
    second = post_step(client, first, form_values(q, first.rsplit("/", 1)[-1], answers)).location
    page = client.get(second).get_data(as_text=True)
    link = page.split('class="resume-link" type="text" readonly value="')[1].split('"')[0]
    other_device = app.test_client()
    response = open_resume_link(other_device, link.replace("http://localhost", ""))
    assert response.status_code == 303
    assert response.location == second
    assert other_device.get(second).status_code == 200


def test_switching_language_keeps_the_draft(app, client):
    q = questionnaire(app)
    answers = persona("startup_tech")["answers"]
    first = start(client).location
    second = post_step(client, first, form_values(q, first.rsplit("/", 1)[-1], answers)).location
    switched = client.get(f"/language/en?next={second}")
    assert switched.status_code == 303 and switched.location == second
    page = client.get(second).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Step 2 of" in page
    [draft] = stored(app)
    assert draft.locale == "en"
    assert set(form_values(q, first.rsplit("/", 1)[-1], answers)) <= set(draft.answers)
    back_to_french = client.get(f"/language/fr?next={second}")
    assert back_to_french.status_code == 303
    assert "Étape 2 sur" in client.get(second).get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example.com/", "//evil.example.com", "/\\evil.example.com"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.status_code == 303
        assert response.location == "/"


def test_results_page_shows_scores_chart_and_recommendations(app, client):
    data = persona("negoce_historique")
    results, _ = complete(client, questionnaire(app), data["answers"], data["contact"])
    text = results.get_data(as_text=True)
    assert 'class="score-bars"' in text and 'class="score-track"' in text
    [submission] = stored(app)
    first_rule = submission.result["explanation"]["recommendations"][0]
    assert first_rule["title"]["fr"] in text
    assert CONTACT["email"] in text


def test_results_address_is_unguessable_and_unknown_ones_are_404(app, client):
    data = persona("artisan_tpe")
    complete(client, questionnaire(app), data["answers"], data["contact"])
    [submission] = stored(app)
    assert len(submission.public_token) >= 32
    assert client.get("/results/not-a-token").status_code == 404


def test_a_completed_draft_sends_steps_to_the_results(app, client):
    data = persona("artisan_tpe")
    complete(client, questionnaire(app), data["answers"], data["contact"])
    [submission] = stored(app)
    again = client.get("/step/contact")
    assert again.status_code == 303
    assert again.location.endswith(f"/results/{submission.public_token}")


def test_csrf_token_is_checked(client):
    start(client)
    page = client.get("/step/entreprise")
    assert "csrf_token" in page.get_data(as_text=True)
    assert csrf_token(page)


PROGRESS = re.compile(
    r'<p class="progress-label"><span>(?:Étape|Step) (\d+) (?:sur|of) (\d+)</span>\s*'
    r'<span class="time-left">([^<]*)</span></p>\s*'
    r'<progress max="(\d+)" value="(\d+)"'
)


def progress_shown(pages: dict[str, str]) -> dict[str, tuple[int, int, str, int, int]]:
    """Each step's number, total, time left, and its bar's maximum and value."""
    found = {}
    for step_id, page in pages.items():
        match = PROGRESS.search(page)
        assert match, step_id
        number, total, left, bar_max, bar_value = match.groups()
        found[step_id] = (int(number), int(total), left, int(bar_max), int(bar_value))
    return found


def walk_pages(app, name: str) -> dict[str, tuple[int, int, str, int, int]]:
    data = persona(name)
    pages: dict[str, str] = {}
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"], pages=pages)
    return progress_shown(pages)


def test_the_total_never_changes_and_the_contact_step_is_the_last(app):
    q = questionnaire(app)
    total = len(q.sections) + 1
    with_team, without_team = walk_pages(app, "pme_industrielle"), walk_pages(app, "artisan_tpe")
    for seen in (with_team, without_team):
        assert {shown[1] for shown in seen.values()} == {total}
        numbers = [shown[0] for shown in seen.values()]
        assert numbers == sorted(set(numbers))
        assert seen["contact"][0] == total
        # The bar counts the steps behind: empty on the first, never full before the end.
        assert all((bar_max, value) == (total, n - 1) for n, _, _, bar_max, value in seen.values())
        assert seen[next(iter(seen))][4] == 0
        assert seen["contact"][4] == total - 1
    # A section shown to one respondent only: the other jumps over its number.
    skipped = [step for step in with_team if step not in without_team]
    assert skipped, "the personas differ by a section shown on a condition"
    for step in skipped:
        assert with_team[step][0] not in {shown[0] for shown in without_team.values()}


def test_each_step_says_how_many_minutes_are_left(app, client):
    q = questionnaire(app)
    landing = client.get("/").get_data(as_text=True)
    seen = walk_pages(app, "pme_industrielle")
    first = next(iter(seen.values()))
    minutes = re.search(r"Environ (\d+) minutes\b", landing)
    assert minutes, "the landing page gives the time needed"
    assert first[2] == f"Environ {minutes.group(1)} minutes restantes"
    assert f"{len(q.sections) + 1} étapes" in landing
    assert seen["contact"][2] == "Environ 1 minute restante"
    left = [int(re.sub(r"\D", "", shown[2]) or 0) for shown in seen.values()]
    assert left == sorted(left, reverse=True)


def test_with_the_contact_first_it_is_step_one(other_app):
    data = plausible_answers(questionnaire(other_app))
    pages: dict[str, str] = {}
    complete(other_app.test_client(), questionnaire(other_app), data, pages=pages)
    seen = progress_shown(pages)
    total = len(questionnaire(other_app).sections) + 1
    assert seen["contact"][:2] == (1, total)
    assert list(seen.values())[-1][0] == total
    assert {shown[1] for shown in seen.values()} == {total}
