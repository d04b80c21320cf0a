"""Team invitations go out on the executive's behalf: only once their address is confirmed,
within limits per submission, per inviting address and per day, never to an address that
reported one as unwanted (issue 15, the mail relay)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from assess.db.models import (
    AuditEntry,
    Delivery,
    InvitationOptOut,
    Submission,
    TeamInvitation,
    utcnow,
)
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.outbox import delivery
from assess.outbox.links import public_url
from assess.outbox.messages import TEAM_KIND
from assess.respondent import team_invitations as invitations
from tests.helpers.backoffice_client import log_in
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete, confirm_address, csrf_token, invite_team

# French typography puts a narrow no-break space before : ; ! ? (assess/core/typography.py).
NNBSP = "\u202f"


def executive(
    app: Flask, email: str = "claire.dubois@example.com"
) -> tuple[Submission, FlaskClient]:
    """A completed submission (address not confirmed yet) and the client that made it."""
    path = Path(__file__).parent / "personas" / "services_b2b_structure.json"
    data = json.loads(path.read_text())
    client = app.test_client()
    with app.app_context():
        q = current_questionnaire()
    complete(client, q, data["answers"], {**data["contact"], "email": email})
    with app.app_context():
        found = db.session.execute(
            select(Submission).where(Submission.status == "completed").order_by(Submission.id)
        ).scalars()
        submission = list(found)[-1]
        db.session.expunge(submission)
    return submission, client


def team_messages(app: Flask) -> list[tuple[int, str]]:
    """The invitation e-mails in the outbox: (row id, recipient)."""
    with app.app_context():
        found = db.session.execute(
            select(Delivery.id, Delivery.recipient)
            .where(Delivery.kind.startswith(TEAM_KIND))
            .order_by(Delivery.id)
        ).all()
        db.session.remove()
    return [(row_id, recipient) for row_id, recipient in found]


def invited(app: Flask, submission_id: int) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.execute(
                select(TeamInvitation.email).where(TeamInvitation.submission_id == submission_id)
            ).scalars()
        )


@pytest.fixture
def limited_app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The shipped diagnostic with the invitation limits the test names (indirect)."""
    application = make_app(SHIPPED, **request.param)
    yield application
    empty_tables(application)


def test_invitations_wait_for_the_executive_s_confirmed_address(app: Flask) -> None:
    submission, client = executive(app)
    token = submission.public_token
    sent = invite_team(client, token, "alice@example.com\nbob@example.com")
    assert sent.status_code == 303
    page = client.get(sent.location).get_data(as_text=True)
    assert f"2 invitations enregistrées{NNBSP}: elles partiront dès que vous aurez" in page
    assert team_messages(app) == []
    confirm_address(app, "claire.dubois@example.com")
    assert sorted(recipient for _, recipient in team_messages(app)) == [
        "alice@example.com",
        "bob@example.com",
    ]
    # once confirmed, an invitation goes at once
    assert invite_team(client, token, "chloe@example.com").status_code == 303
    assert len(team_messages(app)) == 3
    assert "3 personnes invitées" in client.get(f"/results/{token}/team").get_data(as_text=True)


def queued_for(app: Flask, submission_id: int) -> list[str]:
    """The recipients of a submission's queued invitation e-mails."""
    with app.app_context():
        found = db.session.execute(
            select(Delivery.recipient).where(
                Delivery.submission_id == submission_id, Delivery.kind.startswith(TEAM_KIND)
            )
        ).scalars()
        return sorted(found)


HELD = "invitation pas encore envoyée"


@pytest.mark.parametrize("limited_app", [{"TEAM_INVITATIONS_PER_ADDRESS_DAY": 3}], indirect=True)
def test_invitations_on_behalf_of_one_address_stop_at_the_daily_limit(limited_app: Flask) -> None:
    first, first_client = executive(limited_app)
    confirm_address(limited_app, "claire.dubois@example.com")
    assert (
        invite_team(first_client, first.public_token, "a@example.com b@example.com").status_code
        == 303
    )
    # the same address, through another submission: confirmed, one more leaves, one is held
    second, client = executive(limited_app)
    sent = invite_team(client, second.public_token, "c@example.com\nd@example.com")
    assert sent.status_code == 303
    confirm_address(limited_app, "claire.dubois@example.com")
    page = client.get(sent.location).get_data(as_text=True).replace("&#39;", "'")
    assert f"1 {HELD}" in page and "La limite quotidienne d'invitations est atteinte" in page
    assert invited(limited_app, second.id) == ["c@example.com", "d@example.com"]
    assert queued_for(limited_app, first.id) == ["a@example.com", "b@example.com"]
    assert queued_for(limited_app, second.id) == ["c@example.com"]
    # the consultant's lead page lists the held one
    consultant = log_in(limited_app)
    lead_page = consultant.get(f"/backoffice/leads/{second.lead_id}").get_data(as_text=True)
    assert "d@example.com" in lead_page
    assert "retenue\u202f: limite quotidienne d'invitations atteinte" in lead_page
    # another address is not held back by that one
    other, other_client = executive(limited_app, "paul.martin@example.com")
    confirm_address(limited_app, "paul.martin@example.com")
    assert invite_team(other_client, other.public_token, "e@example.com").status_code == 303
    assert queued_for(limited_app, other.id) == ["e@example.com"]


@pytest.mark.parametrize("limited_app", [{"TEAM_INVITATIONS_PER_DAY": 3}], indirect=True)
def test_the_app_stops_inviting_at_its_daily_limit_then_sends_the_held_ones_later(
    limited_app: Flask,
) -> None:
    first, first_client = executive(limited_app, "a.dirigeant@example.com")
    confirm_address(limited_app, "a.dirigeant@example.com")
    assert (
        invite_team(first_client, first.public_token, "a@example.com b@example.com").status_code
        == 303
    )
    second, client = executive(limited_app, "b.dirigeant@example.com")
    confirm_address(limited_app, "b.dirigeant@example.com")
    sent = invite_team(client, second.public_token, "c@example.com d@example.com")
    assert sent.status_code == 303
    assert queued_for(limited_app, second.id) == ["c@example.com"]
    team_page = client.get(sent.location)
    # the same day, the button sends nothing more
    again = client.post(
        f"/results/{second.public_token}/team/held", data={"csrf_token": csrf_token(team_page)}
    )
    assert again.status_code == 303 and queued_for(limited_app, second.id) == ["c@example.com"]
    assert f"1 {HELD}" in client.get(again.location).get_data(as_text=True)
    # a day later, it does
    with limited_app.app_context():
        db.session.execute(update(Delivery).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    later = client.post(
        f"/results/{second.public_token}/team/held", data={"csrf_token": csrf_token(team_page)}
    )
    assert queued_for(limited_app, second.id) == ["c@example.com", "d@example.com"]
    page = client.get(later.location).get_data(as_text=True)
    assert "1 invitation envoyée." in page and HELD not in page


@pytest.mark.parametrize("limited_app", [{"TEAM_INVITATIONS_PER_DAY": 3}], indirect=True)
def test_invitations_for_addresses_never_confirmed_use_no_daily_limit(limited_app: Flask) -> None:
    # One visitor types made-up addresses and invites from each: nothing leaves, nothing counts.
    for n in range(3):
        made_up, visitor = executive(limited_app, f"invente{n}@example.com")
        assert (
            invite_team(
                visitor, made_up.public_token, f"x{n}@example.com y{n}@example.com"
            ).status_code
            == 303
        )
    assert team_messages(limited_app) == []
    # a real executive's invitations still leave
    real, client = executive(limited_app, "vrai.dirigeant@example.com")
    assert invite_team(client, real.public_token, "a@example.com b@example.com").status_code == 303
    confirm_address(limited_app, "vrai.dirigeant@example.com")
    assert queued_for(limited_app, real.id) == ["a@example.com", "b@example.com"]


def test_an_invitation_reported_as_unwanted_stops_every_further_one(app: Flask) -> None:
    first, first_client = executive(app, "a.dirigeant@example.com")
    second, second_client = executive(app, "b.dirigeant@example.com")
    assert invite_team(first_client, first.public_token, "alice@example.com").status_code == 303
    assert invite_team(second_client, second.public_token, "alice@example.com").status_code == 303
    confirm_address(app, "a.dirigeant@example.com")
    confirm_address(app, "b.dirigeant@example.com")
    first_message, second_message = team_messages(app)
    with app.app_context():
        assert delivery.deliver(first_message[0]).status == "sent"
        invitation = db.session.execute(
            select(TeamInvitation).where(TeamInvitation.submission_id == first.id)
        ).scalar_one()
        token = invitation.token
        unwanted_url = public_url("confirmation.unwanted", token=token)
    outbox = Path(app.config["OUTBOX_FOLDER"])
    mail = next(p.read_bytes() for p in outbox.glob("team-*.eml") if token in p.read_text())
    body = message_from_bytes(mail, policy=default).get_body(("plain",))
    assert body is not None and unwanted_url in body.get_content()
    stranger = app.test_client()
    page = stranger.get(f"/team/{token}/unwanted")  # as a mail scanner opens it: nothing yet
    assert page.status_code == 200
    with app.app_context():
        assert db.session.execute(select(InvitationOptOut)).first() is None
    reported = stranger.post(f"/team/{token}/unwanted", data={"csrf_token": csrf_token(page)})
    assert reported.status_code == 200 and "c'est noté" in reported.get_data(True).replace(
        "&#39;", "'"
    )
    with app.app_context():
        [stored] = db.session.execute(select(InvitationOptOut)).scalars().all()
        assert stored.address_hash == hashlib.sha256(b"alice@example.com").hexdigest()
        [entry] = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "invitation.unwanted")
        ).scalars()
        assert "alice" not in json.dumps(entry.details) + entry.target
        # the invitation already queued is not sent
        assert delivery.deliver(second_message[0]).status == "failed"
    # nobody can invite that address again
    third, third_client = executive(app, "c.dirigeant@example.com")
    refused = invite_team(third_client, third.public_token, "Alice@Example.com")
    assert refused.status_code == 422
    assert "a demandé à ne plus recevoir d" in refused.get_data(as_text=True)
    # reporting twice is harmless; unknown links are 404
    again = stranger.post(f"/team/{token}/unwanted", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 200
    assert stranger.get("/team/forged/unwanted").status_code == 404
    assert (
        stranger.post("/team/forged/unwanted", data={"csrf_token": csrf_token(page)}).status_code
        == 404
    )


def test_concurrent_invitations_never_pass_the_limit(app: Flask) -> None:
    submission, _ = executive(app)
    confirm_address(app, "claire.dubois@example.com")
    with app.app_context():
        q = current_questionnaire()
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def invite(batch: int) -> None:
        text = "\n".join(f"membre{batch}.{n}@example.com" for n in range(4))
        start.wait()
        with app.app_context():
            try:
                invitations.invite(q, submission, text)
                outcomes.append("accepted")
            except invitations.InvitationRefused as refused:
                outcomes.append(refused.problems[0][1])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=invite, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "accepted", "too_many", "too_many"]
    assert len(invited(app, submission.id)) == 8
    assert len(team_messages(app)) == 8


def test_addresses_typed_are_checked_before_any_limit(app: Any) -> None:
    submission, client = executive(app)
    refused = invite_team(
        client, submission.public_token, "pas-une-adresse claire.dubois@example.com"
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "n&#39;est pas une adresse e-mail valide" in html and "est votre propre adresse" in html
