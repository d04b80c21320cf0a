"""Team view: invitations, members' answers, and the pooled comparison."""

from __future__ import annotations

import threading
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assess.core.questionnaire import load_questionnaire
from assess.core.team import compare_with_team, team_question_ids, team_sections
from assess.db.models import Delivery, Submission, TeamInvitation
from assess.extensions import db
from assess.outbox import delivery
from assess.outbox.links import public_url
from assess.tracker import gdpr
from tests.helpers.backoffice_client import log_in
from tests.helpers.paths import SHIPPED
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    confirm_address,
    csrf_token,
    form_values,
    questionnaire,
)


def executive(app: Flask) -> Submission:
    """A completed submission whose address is confirmed: its invitations go out at once."""
    data = persona("artisan_tpe")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    confirm_address(app, CONTACT["email"])
    with app.app_context():
        found = db.session.execute(select(Submission)).scalar_one()
        db.session.expunge(found)
        return found


def invite(client: FlaskClient, token: str, emails: str) -> Any:
    page = client.get(f"/results/{token}/team")
    return client.post(
        f"/results/{token}/team", data={"emails": emails, "csrf_token": csrf_token(page)}
    )


def invitations(app: Flask) -> list[TeamInvitation]:
    with app.app_context():
        found = list(db.session.execute(select(TeamInvitation)).scalars())
        for row in found:
            db.session.expunge(row)
        return found


def member_answers(app: Flask, name: str) -> dict[str, Any]:
    """A persona's answers to the team sections, as the member's form posts them."""
    q = questionnaire(app)
    data: dict[str, Any] = {}
    for section in team_sections(q):
        data.update(form_values(q, section.id, persona(name)["answers"]))
    return data


def answer(client: FlaskClient, token: str, data: dict[str, Any]) -> Any:
    page = client.get(f"/team/{token}")
    return client.post(f"/team/{token}", data={**data, "csrf_token": csrf_token(page)})


def test_bad_addresses_are_refused_all_at_once_and_the_typed_text_kept(app, client):
    token = executive(app).public_token
    typed = "alice@example.com\npas-une-adresse\nclaire.dubois@example.com"
    refused = invite(client, token, typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "«\u202fpas-une-adresse\u202f» n&#39;est pas une adresse e-mail valide." in html
    assert "est votre propre adresse" in html
    assert "pas-une-adresse" in html.split("<textarea", 1)[1]  # kept where it was typed
    assert invitations(app) == []
    assert invite(client, token, "  ").status_code == 422


def test_invited_members_get_an_email_with_their_own_link(app, client):
    token = executive(app).public_token
    sent = invite(client, token, "alice@example.com, Bob@Example.com")
    assert sent.status_code == 303 and "sent=2" in sent.location
    assert "2 invitations envoyées." in client.get(sent.location).get_data(as_text=True)
    rows = invitations(app)
    assert sorted(row.email for row in rows) == ["alice@example.com", "bob@example.com"]
    again = invite(client, token, "alice@example.com")
    assert again.status_code == 422 and "est déjà invité" in again.get_data(as_text=True)
    outbox = Path(app.config["OUTBOX_FOLDER"])
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    with app.app_context():
        kinds = db.session.execute(select(Delivery.id, Delivery.kind)).all()
        for row_id, kind in kinds:
            if kind.startswith("team-"):
                assert delivery.deliver(row_id).status == "sent"
    messages = [
        message_from_bytes(path.read_bytes(), policy=default)
        for path in set(outbox.glob("*.eml")) - before
    ]
    assert len(messages) == 2
    texts = [(str(m["To"]), m.get_body(("plain",))) for m in messages]
    with app.app_context():
        for row in rows:
            link = public_url("team.answer", token=row.token)
            assert any(
                row.email in to and body is not None and link in body.get_content()
                for to, body in texts
            )


def test_a_member_answers_with_errors_beside_the_fields_then_once(app, client):
    token = executive(app).public_token
    invite(client, token, "alice@example.com")
    [row] = invitations(app)
    form = client.get(f"/team/{row.token}")
    assert form.status_code == 200
    q = questionnaire(app)
    assert all(f'name="{qid}"' in form.get_data(as_text=True) for qid in team_question_ids(q))
    empty = answer(client, row.token, {})
    assert empty.status_code == 422 and 'id="error-summary"' in empty.get_data(as_text=True)
    partial = member_answers(app, "services_b2b_structure")
    first_id = next(iter(partial))
    kept = answer(client, row.token, {first_id: partial[first_id]})
    assert kept.status_code == 422
    assert answer(client, row.token, partial).status_code == 200
    assert "Merci" in client.get(f"/team/{row.token}").get_data(as_text=True)
    twice = client.post(f"/team/{row.token}", data={**partial, "csrf_token": csrf_token(form)})
    assert twice.status_code == 409
    [row] = invitations(app)
    assert row.answers and set(row.answers) <= team_question_ids(q)


def test_a_team_link_posted_twelve_times_at_once_is_answered_once(app, client):
    """The race of issue 15: 12 simultaneous posts to one member's link were 7 answers."""
    token = executive(app).public_token
    invite(client, token, "alice@example.com")
    [row] = invitations(app)
    data = member_answers(app, "services_b2b_structure")
    members = [app.test_client() for _ in range(12)]
    forms = [csrf_token(member.get(f"/team/{row.token}")) for member in members]
    barrier = threading.Barrier(len(members))
    pages: list[tuple[int, str]] = []

    def post(member: FlaskClient, csrf: str) -> None:
        barrier.wait()
        response = member.post(f"/team/{row.token}", data={**data, "csrf_token": csrf})
        pages.append((response.status_code, response.get_data(as_text=True)))

    pairs = zip(members, forms, strict=True)
    threads = [threading.Thread(target=post, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in pages) == [200] + [409] * 11
    for code, html in pages:
        if code == 409:
            assert "Vos réponses sont déjà enregistrées" in html
    [answered] = invitations(app)
    assert answered.answers and answered.answered_at is not None


def test_the_team_view_shows_only_pooled_figures_from_the_minimum_on(app, client):
    token = executive(app).public_token
    invite(client, token, "alice@example.com\nbob@example.com")
    alice, bob = invitations(app)
    answer(client, alice.token, member_answers(app, "services_b2b_structure"))
    one = client.get(f"/results/{token}/team").get_data(as_text=True)
    assert "dès qu'au moins 2 auront répondu" in one and "Votre équipe (moyenne)" not in one
    answer(client, bob.token, member_answers(app, "artisan_tpe"))
    two = client.get(f"/results/{token}/team").get_data(as_text=True)
    assert "Votre équipe (moyenne)" in two and "2 réponses" in two
    assert "alice@example.com" not in two and "bob@example.com" not in two
    with app.app_context():
        lead_id = db.session.execute(select(Submission.lead_id)).scalar_one()
    lead_page = log_in(app).get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert "Le regard de l&#39;équipe (2 réponses)" in lead_page or (
        "Le regard de l'équipe (2 réponses)" in lead_page
    )


def test_forged_links_are_404(app, client):
    token = executive(app).public_token
    assert client.get("/team/forged-token").status_code == 404
    assert client.get("/results/unknown/team").status_code == 404
    assert client.get(f"/results/{token}/team").status_code == 200


def test_deleting_the_lead_deletes_the_invitations(app, client):
    submission = executive(app)
    invite(client, submission.public_token, "alice@example.com")
    with app.app_context():
        assert gdpr.delete_lead(submission.lead_id)
    assert invitations(app) == []


def test_members_answering_like_the_executive_show_no_gap():
    q = load_questionnaire(SHIPPED)
    answers = persona("pme_industrielle")["answers"]
    ids = team_question_ids(q)
    theirs = {qid: value for qid, value in answers.items() if qid in ids}
    assert compare_with_team(q, answers, [theirs], None, minimum=2) is None
    view = compare_with_team(q, answers, [theirs, theirs], None, minimum=2)
    assert view is not None and view.answers == 2 and view.areas
    assert all(area.gap == 0 for area in view.areas)
    better = {
        qid: value
        for qid, value in persona("services_b2b_structure")["answers"].items()
        if qid in ids
    }
    mixed = compare_with_team(q, answers, [theirs, better], None, minimum=2)
    assert mixed is not None
    assert all(a.team_lowest <= a.team_average <= a.team_highest for a in mixed.areas)
    assert any(area.gap != 0 for area in mixed.areas)
    categories = {q.questions_by_id[qid].category for qid in ids} - {None}
    assert {area.category for area in view.areas} <= categories
