"""Address confirmation: nothing goes to an address typed in the wizard before its owner
confirms it, but the fixed confirmation e-mail (issue 15, the mail relay)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assess.db.models import AddressConfirmation, Delivery, Lead, LeadEvent, Submission, utcnow
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import gdpr
from tests.helpers.backoffice_client import log_in
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.wizard_driver import (
    complete,
    complete_lead,
    confirm_address,
    csrf_token,
    invite_team,
)
from tests.helpers.worker_process import wait_for

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
# French typography puts a narrow no-break space before : ; ! ? (assess/core/typography.py).
NNBSP = "\u202f"
CONFIRM_LINK = re.compile(r"https?://[^/\s\"<>]+(/confirm/[A-Za-z0-9_-]+)")


def answers() -> dict[str, Any]:
    path = Path(__file__).parent / "personas" / "pme_industrielle.json"
    return dict(json.loads(path.read_text())["answers"])


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
    submission = complete_lead(mailing_app, contact=PHISHING_CONTACT, client=client)
    token = submission.public_token
    assert token is not None
    colleagues = [f"collegue{n}@example.com" for n in range(20)]
    too_many = invite_team(client, token, "\n".join(colleagues))
    ten = invite_team(client, token, "\n".join(colleagues[:10]))
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
    assert f"Confirmez votre adresse{NNBSP}: nous vous avons envoyé un lien" in page
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
        assert f"Vous ne connaissez pas cette personne{NNBSP}?" in body and "/unwanted" in body
        assert not any(typed in body for typed in TYPED)
    for message in after:
        assert not any(typed in str(message["Subject"]) for typed in TYPED), message["Subject"]


def test_a_new_address_typed_from_a_link_replaces_the_lead_s_only_once_confirmed(
    app: Flask,
) -> None:
    first = app.test_client()
    original = complete_lead(app, contact={"email": "alice@example.com"}, client=first)
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


def rows_of(app: Flask, submission_id: int) -> list[tuple[str, str]]:
    """The outbox rows of a submission: (kind without its id, recipient), sorted."""
    with app.app_context():
        found = db.session.execute(
            select(Delivery.kind, Delivery.recipient).where(Delivery.submission_id == submission_id)
        ).all()
        db.session.remove()
    return sorted((kind.split("-")[0], recipient) for kind, recipient in found)


def confirmations(app: Flask) -> list[AddressConfirmation]:
    with app.app_context():
        found = list(
            db.session.execute(select(AddressConfirmation).order_by(AddressConfirmation.id))
            .scalars()
            .all()
        )
        for row in found:
            db.session.expunge(row)
        return found


def from_client(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from this network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_confirmation_emails_to_one_address_stop_at_the_daily_limit(app: Flask) -> None:
    # The same stranger's address typed from four machines: three e-mails, then none.
    done = [
        complete_lead(app, contact={"email": STRANGER}, client=from_client(app, f"192.0.2.{n}"))
        for n in range(4)
    ]
    assert [row.email for row in confirmations(app)] == [STRANGER] * 3
    assert rows_of(app, done[3].id) == [("new_lead", CONSULTANT)]
    visitor = app.test_client()
    results = f"/results/{done[3].public_token}"
    page = visitor.get(results)
    assert "trop de liens de confirmation lui ont été envoyés aujourd'hui" in page.get_data(True)
    again = visitor.post(f"{results}/confirmation", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 303 and "confirmation=limited" in again.location
    assert len(confirmations(app)) == 3


def test_confirmation_emails_from_one_client_stop_at_the_daily_limit(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(SHIPPED, CONFIRM_PER_CLIENT_DAY=2)
    try:
        machine = "198.51.100.7"
        for n in range(3):
            complete_lead(
                app, contact={"email": f"inconnu{n}@example.com"}, client=from_client(app, machine)
            )
        assert [row.email for row in confirmations(app)] == [
            "inconnu0@example.com",
            "inconnu1@example.com",
        ]
        # another machine is not held back by that one
        complete_lead(
            app, contact={"email": "autre@example.com"}, client=from_client(app, "198.51.100.8")
        )
        assert len(confirmations(app)) == 3
        assert all(row.client_key and machine not in row.client_key for row in confirmations(app))
    finally:
        empty_tables(app)


def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(app: Flask) -> None:
    submission = complete_lead(app, contact={"email": STRANGER}, client=app.test_client())
    [row] = confirmations(app)
    page = app.test_client().get(f"/confirm/{row.token}")  # as a mail scanner does
    assert page.status_code == 200 and STRANGER in page.get_data(as_text=True)
    assert rows_of(app, submission.id) == [("confirm", STRANGER), ("new_lead", CONSULTANT)]
    with app.app_context():
        lead = db.session.get(Lead, submission.lead_id)
        assert lead is not None and lead.email_confirmed_at is None


def test_confirming_twice_sends_the_report_once(app: Flask) -> None:
    submission = complete_lead(app, contact={"email": STRANGER}, client=app.test_client())
    [row] = confirmations(app)
    visitor = app.test_client()
    page = visitor.get(f"/confirm/{row.token}")
    first = visitor.post(f"/confirm/{row.token}", data={"csrf_token": csrf_token(page)})
    second = visitor.post(f"/confirm/{row.token}", data={"csrf_token": csrf_token(page)})
    assert first.status_code == second.status_code == 200
    assert "déjà confirmée" in second.get_data(as_text=True)
    assert "déjà confirmée" in visitor.get(f"/confirm/{row.token}").get_data(as_text=True)
    assert rows_of(app, submission.id) == [
        ("confirm", STRANGER),
        ("new_lead", CONSULTANT),
        ("report", STRANGER),
    ]
    results = app.test_client().get(f"/results/{submission.public_token}").get_data(True)
    assert "Confirmez votre adresse" not in results
    with app.app_context():
        lead = db.session.get(Lead, submission.lead_id)
        assert lead is not None and lead.email_confirmed_at is not None
        events = db.session.execute(
            select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id)
        ).scalars()
        assert list(events).count("email.confirmed") == 1


def test_an_expired_or_unknown_link_confirms_nothing(app: Flask) -> None:
    submission = complete_lead(app, contact={"email": STRANGER}, client=app.test_client())
    [row] = confirmations(app)
    with app.app_context():
        stored = db.session.get(AddressConfirmation, row.id)
        assert stored is not None
        stored.created_at = utcnow() - timedelta(days=app.config["CONFIRM_LINK_DAYS"] + 1)
        db.session.commit()
    visitor = app.test_client()
    page = visitor.get(f"/confirm/{row.token}")
    assert page.status_code == 410 and "a expiré" in page.get_data(as_text=True)
    refused = visitor.post(f"/confirm/{row.token}", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 410
    for token in ("forged", "x" * 65, row.token[:-2]):
        assert visitor.get(f"/confirm/{token}").status_code == 404
        assert (
            visitor.post(f"/confirm/{token}", data={"csrf_token": csrf_token(page)}).status_code
            == 404
        )
    assert ("report", STRANGER) not in rows_of(app, submission.id)
    # the expired page sends a new link, which works
    resent = visitor.post(f"/confirm/{row.token}/again", data={"csrf_token": csrf_token(page)})
    assert resent.status_code == 200 and "Un nouveau lien est en route" in resent.get_data(True)
    old, new = confirmations(app)
    assert new.token != old.token
    confirm_address(app, STRANGER)
    assert ("report", STRANGER) in rows_of(app, submission.id)


def test_the_results_page_sends_the_link_again_then_says_it_is_confirmed(app: Flask) -> None:
    client = app.test_client()
    submission = complete_lead(app, contact={"email": STRANGER}, client=client)
    results = f"/results/{submission.public_token}"
    page = client.get(results)
    again = client.post(f"{results}/confirmation", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 303 and "confirmation=sent" in again.location
    assert "Un nouveau lien est en route." in client.get(again.location).get_data(True)
    assert len(confirmations(app)) == 2
    confirm_address(app, STRANGER)
    done = client.post(f"{results}/confirmation", data={"csrf_token": csrf_token(page)})
    assert "confirmation=confirmed" in done.location and len(confirmations(app)) == 2
    unknown = client.post("/results/unknown/confirmation", data={"csrf_token": csrf_token(page)})
    assert unknown.status_code == 404


def test_a_lead_never_confirmed_confirms_before_a_reassessment_is_sent(app: Flask) -> None:
    first = app.test_client()
    original = complete_lead(app, contact={"email": "alice@example.com"}, client=first)
    consultant = log_in(app)
    lead_page = f"/backoffice/leads/{original.lead_id}"
    assert "adresse non confirmée" in consultant.get(lead_page).get_data(as_text=True)
    found = re.search(
        r'href="https?://[^"/]+(/again/[^"]+)"',
        first.get(f"/results/{original.public_token}").get_data(as_text=True),
    )
    assert found is not None
    welcome = first.get(found.group(1))
    started = first.post(found.group(1), data={"csrf_token": csrf_token(welcome)})
    with app.app_context():
        q = current_questionnaire()
    complete(first, q, answers(), {"email": "alice@example.com"}, first=started)
    with app.app_context():
        second = db.session.execute(
            select(Submission).where(Submission.id != original.id)
        ).scalar_one()
    assert rows_of(app, second.id) == [
        ("confirm", "alice@example.com"),
        ("new_lead", CONSULTANT),
    ]
    confirm_address(app, "alice@example.com")
    assert ("report", "alice@example.com") in rows_of(app, second.id)
    assert "adresse non confirmée" not in consultant.get(lead_page).get_data(as_text=True)


def test_the_pdf_is_rendered_ahead_for_the_results_page_but_not_sent(
    mailing_app: Flask, smtp: SmtpServer, mailing_worker: Any
) -> None:
    client = mailing_app.test_client()
    submission = complete_lead(mailing_app, contact={"email": STRANGER}, client=client)
    pdf = f"/results/{submission.public_token}/report.pdf"
    assert wait_for(lambda: client.get(pdf).status_code == 200, timeout=90), (
        mailing_worker.log.read_text()
    )
    assert client.get(pdf).data.startswith(b"%PDF")
    assert wait_for(lambda: settled(mailing_app), timeout=60)
    assert not any(list(m.iter_attachments()) for m in smtp.recorder.received())
    page = client.get(f"/results/{submission.public_token}").get_data(as_text=True)
    assert "Télécharger le rapport PDF" in page or "report.pdf" in page


def test_deleting_the_lead_deletes_the_addresses_it_typed(app: Flask) -> None:
    submission = complete_lead(app, contact={"email": STRANGER}, client=app.test_client())
    assert len(confirmations(app)) == 1
    with app.app_context():
        assert gdpr.delete_lead(submission.lead_id)
    assert confirmations(app) == []


def test_the_re_send_button_is_rate_limited(make_app: Callable[..., Flask]) -> None:
    app = make_app(
        SHIPPED,
        RATELIMIT_ENABLED=True,
        RATELIMIT_CONFIRM="2 per hour",
        RATELIMIT_STORAGE_URI="process-memory://",
    )
    try:
        client = app.test_client()
        submission = complete_lead(app, contact={"email": STRANGER}, client=client)
        results = f"/results/{submission.public_token}"
        token = csrf_token(client.get(results))
        codes = [
            client.post(f"{results}/confirmation", data={"csrf_token": token}).status_code
            for _ in range(3)
        ]
        assert codes == [303, 303, 429]
        assert len(confirmations(app)) == 3  # the first, and the two re-sends let through
    finally:
        empty_tables(app)


def test_confirmation_emails_from_one_ipv6_network_count_as_one_client(
    make_app: Callable[..., Flask],
) -> None:
    # A provider gives each customer a whole /64: three addresses of it are one client.
    app = make_app(SHIPPED, CONFIRM_PER_CLIENT_DAY=2)
    try:
        done = [
            complete_lead(
                app,
                contact={"email": f"inconnu{n}@example.com"},
                client=from_client(app, f"2001:db8:1:2::{n + 1:x}"),
            )
            for n in range(3)
        ]
        assert len(confirmations(app)) == 2
        # the network's limit held, not the address's: the pages say so
        visitor = from_client(app, "2001:db8:1:2:ffff::9")
        results = f"/results/{done[2].public_token}"
        page = visitor.get(results)
        assert "demandés depuis votre réseau" in page.get_data(True)
        again = visitor.post(f"{results}/confirmation", data={"csrf_token": csrf_token(page)})
        assert again.status_code == 303 and "confirmation=limited_network" in again.location
        told = visitor.get(again.location).get_data(True)
        assert "Trop de liens de confirmation ont été demandés depuis votre réseau" in told
        # the next /64 is another customer
        complete_lead(
            app,
            contact={"email": "autre@example.com"},
            client=from_client(app, "2001:db8:1:3::1"),
        )
        assert len(confirmations(app)) == 3
    finally:
        empty_tables(app)


def test_a_seminar_room_behind_one_address_confirms_without_a_rate_limit(
    make_app: Callable[..., Flask],
) -> None:
    # Attendees behind one NAT confirm at once: the 256-bit link needs no per-visitor limit.
    app = make_app(
        SHIPPED,
        RATELIMIT_ENABLED=True,
        RATELIMIT_CONFIRM="2 per hour",
        RATELIMIT_STORAGE_URI="process-memory://",
    )
    try:
        room = "192.0.2.50"
        for n in range(3):
            complete_lead(
                app, contact={"email": f"participant{n}@example.com"}, client=from_client(app, room)
            )
        codes = []
        for row in confirmations(app):
            attendee = from_client(app, room)
            page = attendee.get(f"/confirm/{row.token}")
            done = attendee.post(f"/confirm/{row.token}", data={"csrf_token": csrf_token(page)})
            codes += [page.status_code, done.status_code]
        assert codes == [200] * 6
        with app.app_context():
            confirmed = db.session.execute(
                select(func.count()).select_from(Lead).where(Lead.email_confirmed_at.is_not(None))
            ).scalar_one()
        assert confirmed == 3
    finally:
        empty_tables(app)
