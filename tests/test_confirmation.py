"""Address confirmation: nothing goes to an address typed in the wizard before its owner
confirms it, but the fixed confirmation e-mail (issue 15, the mail relay)."""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assess.extensions import db
from assess.models import Delivery, Lead, Submission
from assess.questionnaire_store import current_questionnaire
from tests.smtp_server import SmtpServer
from tests.wizard_driver import complete, confirm_address, csrf_token
from tests.worker_process import wait_for

STRANGER = "victime@example.com"
CONSULTANT = "consultant@example.com"
PHISHING = "Sécurité : votre compte expire, reconnectez-vous sur https://phishing.example.net"
PHISHING_CONTACT = {
    "first_name": "Sécurité : compte expiré",
    "last_name": "https://phishing.example.net",
    "email": STRANGER,
    "company": PHISHING,
    "job_title": PHISHING,
}
# What of the typed text may never reach a message sent before confirmation.
TYPED = ("phishing.example.net", "Sécurité", "compte expir")
NBSP = "\u00a0"
CONFIRM_LINK = re.compile(r"https?://[^/\s\"<>]+(/confirm/[A-Za-z0-9_-]+)")


def answers() -> dict[str, Any]:
    path = Path(__file__).parent / "personas" / "pme_industrielle.json"
    return dict(json.loads(path.read_text())["answers"])


def completed_by(app: Flask, client: FlaskClient, contact: dict[str, str]) -> Submission:
    """Run the wizard with these contact details; the completed submission."""
    with app.app_context():
        q = current_questionnaire()
    page, _ = complete(client, q, answers(), contact)
    assert page.status_code == 200
    with app.app_context():
        found = db.session.execute(
            select(Submission).where(Submission.status == "completed").order_by(Submission.id)
        ).scalars()
        submission = list(found)[-1]
        db.session.expunge(submission)
        return submission


def invite(client: FlaskClient, token: str, emails: str) -> Any:
    page = client.get(f"/results/{token}/team")
    return client.post(
        f"/results/{token}/team", data={"emails": emails, "csrf_token": csrf_token(page)}
    )


def settled(app: Flask) -> bool:
    """Every outbox row sent or failed: the worker has nothing left to do."""
    with app.app_context():
        statuses = set(db.session.execute(select(Delivery.status)).scalars())
        db.session.remove()
    return bool(statuses) and statuses <= {"sent", "failed"}


def text_of(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [m for m in messages if address in str(m["To"])]


def test_a_stranger_gets_only_the_fixed_confirmation_until_they_confirm(
    mailing_app: Flask, smtp: SmtpServer, mailing_worker: Any
) -> None:
    client = mailing_app.test_client()
    submission = completed_by(mailing_app, client, PHISHING_CONTACT)
    token = submission.public_token
    assert token is not None
    colleagues = [f"collegue{n}@example.com" for n in range(20)]
    too_many = invite(client, token, "\n".join(colleagues))
    ten = invite(client, token, "\n".join(colleagues[:10]))
    assert wait_for(lambda: settled(mailing_app), timeout=90), mailing_worker.log.read_text()
    received = smtp.recorder.received()
    # Before confirmation: the stranger gets one fixed message, nobody else anything.
    outsiders = [m for m in received if CONSULTANT not in str(m["To"])]
    assert [str(m["To"]) for m in outsiders] == [STRANGER]
    [confirmation] = outsiders
    assert not list(confirmation.iter_attachments())
    assert not any(typed in text_of(confirmation) for typed in TYPED)
    for message in received:
        assert not any(typed in str(message["Subject"]) for typed in TYPED), message["Subject"]
    # The results page shows the results at once, and what the report waits for.
    page = client.get(f"/results/{token}").get_data(as_text=True)
    assert "Score global" in page
    assert f"Confirmez votre adresse{NBSP}: nous vous avons envoyé un lien" in page
    # Twenty invitations are over the limit: refused, beside the field, the typed text kept.
    assert too_many.status_code == 422
    refused = too_many.get_data(as_text=True)
    assert "Vous pouvez inviter 10 personnes au plus." in refused
    assert "collegue19@example.com" in refused.split("<textarea", 1)[1]
    assert ten.status_code == 303

    # The stranger clicks the link of the confirmation e-mail, then confirms on the page.
    found = CONFIRM_LINK.search(confirmation.get_body(("plain",)).get_content())
    assert found is not None
    visitor = mailing_app.test_client()
    landing = visitor.get(found.group(1))
    assert landing.status_code == 200
    confirmed = visitor.post(found.group(1), data={"csrf_token": csrf_token(landing)})
    assert confirmed.status_code == 200 and "confirmée" in confirmed.get_data(as_text=True)
    assert wait_for(
        lambda: settled(mailing_app) and len(smtp.recorder.received()) >= len(received) + 11,
        timeout=90,
    ), mailing_worker.log.read_text()
    after = smtp.recorder.received()[len(received) :]
    [report] = to(after, STRANGER)
    assert len(list(report.iter_attachments())) == 1
    invitations = [m for m in after if "collegue" in str(m["To"])]
    assert len(invitations) == 10
    for message in invitations:
        body = text_of(message)
        assert STRANGER in body  # who asked: the confirmed address
        assert f"Vous ne connaissez pas cette personne{NBSP}?" in body and "/unwanted" in body
        assert not any(typed in body for typed in TYPED)
    for message in after:
        assert not any(typed in str(message["Subject"]) for typed in TYPED), message["Subject"]


def test_a_new_address_typed_from_a_link_replaces_the_lead_s_only_once_confirmed(
    app: Flask,
) -> None:
    first = app.test_client()
    original = completed_by(app, first, {"email": "alice@example.com"})
    confirm_address(app, "alice@example.com")
    with app.app_context():
        lead = db.session.get(Lead, original.lead_id)
        assert lead is not None
        path = re.search(
            r'href="https?://[^"/]+(/again/[^"]+)"',
            first.get(f"/results/{original.public_token}").get_data(as_text=True),
        )
    assert path is not None
    holder = app.test_client()
    welcome = holder.get(path.group(1))
    started = holder.post(path.group(1), data={"csrf_token": csrf_token(welcome)})
    with app.app_context():
        q = current_questionnaire()
    complete(holder, q, answers(), {"email": "mallory@example.com"}, first=started)
    with app.app_context():
        lead = db.session.get(Lead, original.lead_id)
        assert lead is not None and lead.email == "alice@example.com"
        second = db.session.execute(
            select(Submission).where(Submission.id != original.id)
        ).scalar_one()
        rows = list(
            db.session.execute(
                select(Delivery).where(Delivery.submission_id == second.id)
            ).scalars()
        )
        # Nothing on the strength of the link: no report to either address, only the fixed
        # confirmation to the address typed and the consultant's notification.
        assert sorted((r.kind.split("-")[0], r.recipient) for r in rows) == [
            ("confirm", "mallory@example.com"),
            ("new_lead", CONSULTANT),
        ]
    confirm_address(app, "mallory@example.com")
    with app.app_context():
        lead = db.session.get(Lead, original.lead_id)
        assert lead is not None and lead.email == "mallory@example.com"
        report = db.session.execute(
            select(Delivery).where(Delivery.submission_id == second.id, Delivery.kind == "report")
        ).scalar_one()
        assert report.recipient == "mallory@example.com"
