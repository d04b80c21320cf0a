"""Every e-mail's subject is a fixed text: nothing a respondent typed reaches it (issue 15)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

from flask import Flask
from jinja2 import meta
from sqlalchemy import select

from assess.core.questionnaire import Questionnaire
from assess.db.models import Delivery, Submission, TeamInvitation
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.outbox import messages
from assess.outbox.links import public_url
from assess.outbox.mail import Outgoing, compose
from assess.outbox.messages import TEAM_KIND
from tests.helpers.booking_records import consultant_with_hours
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    complete,
    confirm_address,
    invite_team,
    plausible_answers,
)

EMAILS = Path(__file__).resolve().parent.parent / "templates" / "email"
# What a subject may show: the consultancy's name (a setting), a computed score, a meeting's
# time (one of the slots the app offered, written by the app), whom the invitation is for, and
# a follow-up's weakest area (the questionnaire's label, never typed) and place in the cadence.
SUBJECT_NAMES = {
    "brand",
    "overall",
    "when",
    "to_consultant",
    "cancelled",
    "reminder",
    "moved",
    "weakest",
    "last",
}
TYPED = {
    "first_name": "Sécurité : compte",
    "last_name": "expiré https://phishing.example.net",
    "company": "Reconnectez-vous sur https://phishing.example.net",
    "job_title": "Service client phishing",
    "email": "victime@example.com",
}


def outgoing_of(q: Questionnaire, row: Delivery) -> Outgoing:
    """The message a delivery row sends, built as the worker builds it."""
    if row.kind == "report":
        return messages.report_message(q, row, b"%PDF-1.7")
    if row.kind == "new_lead":
        return messages.new_lead_message(q, row)
    if row.kind.startswith(TEAM_KIND):
        invitation = db.session.get(TeamInvitation, int(row.kind.removeprefix(TEAM_KIND)))
        assert invitation is not None
        return messages.team_invitation_message(q, row, invitation.token, 5)
    return messages.confirmation_message(q, row)


def test_no_subject_template_reads_anything_but_the_brand_or_a_score(app: Flask) -> None:
    subjects = sorted(EMAILS.glob("*/subject.txt"))
    assert {path.parent.name for path in subjects} >= {
        "report",
        "new_lead",
        "team_invitation",
        "confirm_address",
    }
    for path in subjects:
        tree = app.jinja_env.parse(path.read_text())
        names = meta.find_undeclared_variables(tree) - {"_", "gettext", "ngettext"}
        assert names <= SUBJECT_NAMES, (path, names)


def test_every_message_about_a_phishing_respondent_has_a_fixed_subject(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        q = current_questionnaire()
    complete(client, q, plausible_answers(q), TYPED)
    with app.app_context():
        token = db.session.execute(select(Submission.public_token)).scalar_one()
    assert isinstance(token, str)
    assert invite_team(client, token, "collegue@example.com").status_code == 303
    confirm_address(app, TYPED["email"])
    with app.test_request_context():
        rows = list(db.session.execute(select(Delivery).order_by(Delivery.id)).scalars())
        assert {row.kind.split("-")[0] for row in rows} == {
            "confirm",
            "new_lead",
            "report",
            "team",
        }
        sender = app.config["MAIL_FROM"]
        for row in rows:
            subject = str(compose(outgoing_of(q, row), sender)["Subject"])
            for typed in ("Sécurité", "phishing", "Reconnectez", "compte", "victime"):
                assert typed not in subject, (row.kind, subject)


def test_the_confirmation_email_is_the_same_for_everyone_but_its_link(app: Flask) -> None:
    with app.app_context():
        q = current_questionnaire()
    complete(app.test_client(), q, plausible_answers(q), TYPED)
    complete(app.test_client(), q, plausible_answers(q), {"email": "claire@example.com"})
    with app.test_request_context():
        rows = list(
            db.session.execute(
                select(Delivery).where(Delivery.kind.startswith(messages.CONFIRM_KIND))
            ).scalars()
        )
        assert len(rows) == 2
        composed = [compose(messages.confirmation_message(q, row), "x@example.com") for row in rows]
    texts = []
    for message, row in zip(composed, rows, strict=True):
        assert str(message["To"]) == row.recipient  # no display name typed by anyone
        assert not list(message.iter_attachments())
        body = message.get_body(("plain",)).get_content()
        texts.append(body.split("/confirm/")[0] + body.split("/confirm/")[1].split("\n", 1)[1])
        assert str(message["Subject"]) == "DC Pilot\u202f: confirmez votre adresse e-mail"
    assert texts[0] == texts[1]


def test_each_message_is_written_in_its_recipients_language_as_the_worker_composes_it(
    app: Flask,
) -> None:
    with app.app_context():
        q = current_questionnaire()
    client = app.test_client()
    complete(client, q, plausible_answers(q), {"email": "john@example.com"})
    with app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        submission.locale = "en"
        db.session.commit()
        token = submission.public_token
    assert invite_team(client, token, "colleague@example.com").status_code == 303
    confirm_address(app, "john@example.com")
    subjects = {}
    with app.app_context():  # the worker's context: no request, French by default
        for row in db.session.execute(select(Delivery)).scalars():
            message = compose(outgoing_of(q, row), "x@example.com")
            subjects[row.kind.split("-")[0]] = str(message["Subject"])
            body = message.get_body(("plain",)).get_content()
            if row.kind != "new_lead":  # the consultant's notice stays in the app's language
                assert "Hello" in body and "Bonjour" not in body, row.kind
    assert subjects["confirm"] == "DC Pilot: confirm your e-mail address"
    assert "votre" not in subjects["report"] and "votre" not in subjects["team"]
    assert subjects["new_lead"].startswith("Nouveau lead")


def test_the_report_email_names_the_weakest_area_and_the_priorities_and_is_signed(
    app: Flask,
) -> None:
    consultant_with_hours(app)  # the built-in booking page has times to offer
    with app.app_context():
        q = current_questionnaire()
    complete(
        app.test_client(), q, persona("negoce_historique")["answers"], {"email": "ceo@example.com"}
    )
    confirm_address(app, "ceo@example.com")
    signed = {"CONSULTANT_NAME": "Marc Lefèvre", "CONSULTANT_EMAIL": "marc@conseil.example"}
    before = {name: app.config.get(name) for name in signed}
    app.config.update(signed)
    try:
        with app.app_context():
            submission = db.session.execute(select(Submission)).scalar_one()
            row = db.session.execute(select(Delivery).where(Delivery.kind == "report")).scalar_one()
            message = compose(outgoing_of(q, row), "Diagnostic <x@example.com>")
            result = submission.result
            booking_page = public_url("booking.choose", token=submission.public_token)
    finally:
        app.config.update(before)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    scores = {k: v["score"] for k, v in result["categories"].items() if v["score"] is not None}
    weights = {c.id: c.weight for c in q.categories}
    focus = max(scores, key=lambda category_id: weights[category_id] * (100 - scores[category_id]))
    weakest = next(c for c in q.categories if c.id == focus)
    priorities = result["explanation"]["recommendations"][:3]
    assert len(priorities) == 3
    for body in (plain, unescape(html)):
        assert f"Votre premier axe de progrès\u202f: {weakest.label.get('fr')}" in body
        for fired in priorities:
            assert fired["title"]["fr"] in body
            assert fired["actions"][0]["what"]["fr"] in body
        assert "Marc Lefèvre" in body and "DC Pilot" in body
    assert plain.index(priorities[0]["title"]["fr"]) < plain.index(priorities[2]["title"]["fr"])
    assert message["Reply-To"] == "marc@conseil.example"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    # The button is a table cell with a background: Outlook and phones draw it.
    assert '<td bgcolor="#1f5fa8"' in html and q.report.call_to_action is not None
    # Without CALL_TO_ACTION_URL, the button leads to the lead's own booking page.
    assert f'href="{booking_page}"' in html


def test_a_french_message_follows_french_typography_in_every_part(app: Flask) -> None:
    """Subject, plain text and HTML are typeset in French; links and addresses untouched."""
    nnbsp = "\u202f"
    context = {
        "asker": "claire.dubois@example.com",
        "title": "Diagnostic « Performance »",
        "questions": 1,
        "minutes": 1,
        "answer_url": "https://diag.example.com/team/abc?x=1:2",
        "unwanted_url": "https://diag.example.com/team/abc/unwanted",
        "brand": "DC Pilot",
    }
    composed = {}
    with app.app_context():
        for locale in ("fr", "en"):
            outgoing = Outgoing(
                "team_invitation", "a@example.com", "", "<m@x>", context, [], locale
            )
            composed[locale] = compose(outgoing, "x@example.com")
    french = composed["fr"]
    text = french.get_body(("plain",)).get_content()
    html = french.get_body(("html",)).get_content()
    assert (
        str(french["Subject"])
        == f"DC Pilot{nnbsp}: votre avis est demandé sur un diagnostic commercial"
    )
    for part in (text, html):
        assert f"cette personne{nnbsp}?" in part
        assert f"«{nnbsp}Performance{nnbsp}»" in part
        assert "1 question, environ 1 minute." in part  # each noun agrees with its number
    assert "https://diag.example.com/team/abc?x=1:2\n" in text
    assert 'href="https://diag.example.com/team/abc?x=1:2"' in html
    assert "claire.dubois@example.com" in text
    english = composed["en"]
    for part in (
        str(english["Subject"]),
        english.get_body(("plain",)).get_content(),
        english.get_body(("html",)).get_content(),
    ):
        assert nnbsp not in part
