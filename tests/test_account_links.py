"""Invitations and forgotten passwords: signed links that expire, work once, and open nothing
when forged; the e-mails through the real worker and SMTP server; no account enumeration."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from assess.db.models import AuditEntry, User, utcnow
from assess.extensions import db
from assess.outbox.links import LinkExpired, LinkInvalid
from assess.tracker.account_links import INVITATION, RESET, account_token, is_pending
from assess.tracker.accounts import (
    InvitationPending,
    authenticate,
    create_user,
    find_user,
    resend_invitation,
    set_password_from_link,
)
from tests.helpers.backoffice_client import PASSWORD, log_in, make_user, post_form
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.wizard_driver import csrf_token
from tests.helpers.worker_process import wait_for

NEW_PASSWORD = "Quatre-vingt-dix hérons gris sur la Têt"


def invite(app: Flask, email: str = "invited@example.com") -> tuple[int, str]:
    """An invited account and the path of its invitation link."""
    with app.app_context():
        user = create_user(email, None, name="Invitée")
        return user.id, f"/backoffice/invitation/{account_token(user, INVITATION)}"


def reset_path(app: Flask, email: str, **signing: Any) -> str:
    with app.app_context():
        user = find_user(email)
        assert user is not None
        return f"/backoffice/password/reset/{account_token(user, RESET, **signing)}"


def choose(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> Any:
    """Open a link's page and post a password (typed twice) with its CSRF token."""
    page = client.get(path)
    # A link that opens nothing has no form: the session's token from another page.
    token = csrf_token(page if page.status_code == 200 else client.get("/backoffice/login"))
    data = {"password": password, "confirm": password, "csrf_token": token}
    return client.post(path, data=data)


def logs_in(app: Flask, email: str, password: str) -> bool:
    client = app.test_client()
    page = client.get("/backoffice/login")
    data = {"email": email, "password": password, "csrf_token": csrf_token(page)}
    return client.post("/backoffice/login", data=data).status_code == 303


def audit_actions(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.target == f"user:{user_id}")
                .order_by(AuditEntry.id)
            ).scalars()
        )


def test_the_admin_form_invites_a_consultant_by_default_without_a_password(app):
    admin = log_in(app, email="boss@example.com", role="admin")
    page = admin.get("/backoffice/users").get_data(as_text=True)
    assert 'name="password"' not in page
    assert '<option value="consultant" selected>' in page
    response = post_form(
        admin, "/backoffice/users", "/backoffice/users", {"email": "New@Example.com", "name": "N"}
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with app.app_context():
        user = find_user("new@example.com")
        assert user is not None and user.role == "consultant" and is_pending(user)
    # Refused for its address, the form keeps what was typed and consultant as the role.
    typed = {"email": "n", "name": "Né"}
    refused = post_form(admin, "/backoffice/users", "/backoffice/users", typed)
    again = refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'id="err-u-email">Saisissez une adresse e-mail valide.' in again
    assert 'value="n"' in again and 'value="Né"' in again
    assert '<option value="consultant" selected>' in again
    listing = admin.get("/backoffice/users").get_data(as_text=True)
    assert "invitation en attente" in listing and "Renvoyer l'invitation</button>" in listing


def test_an_invited_account_cannot_log_in_and_is_told_why(app):
    invite(app)
    client = app.test_client()
    page = client.get("/backoffice/login")
    response = client.post(
        "/backoffice/login",
        data={"email": "invited@example.com", "password": "", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 422  # an empty password never reaches the account
    for password in (PASSWORD, "!invited:"):
        page = client.get("/backoffice/login")
        data = {"email": "invited@example.com", "password": password}
        response = client.post("/backoffice/login", data={**data, "csrf_token": csrf_token(page)})
        assert response.status_code == 401
        assert "pas encore activé" in response.get_data(as_text=True)
    with app.app_context(), pytest.raises(InvitationPending):
        authenticate("invited@example.com", PASSWORD)


def test_accepting_the_invitation_sets_the_password_once(app):
    user_id, path = invite(app)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "Choisissez votre mot de passe" in page.get_data(True)
    response = choose(client, path)
    assert response.status_code == 303 and response.location.endswith("/backoffice/login")
    assert logs_in(app, "invited@example.com", NEW_PASSWORD)
    # The link is used: its page and its form are a 404, and nothing changes.
    again = app.test_client()
    assert again.get(path).status_code == 404
    assert choose(again, path, "Une toute autre phrase de passe").status_code == 404
    assert logs_in(app, "invited@example.com", NEW_PASSWORD)
    assert "user.invitation_accepted" in audit_actions(app, user_id)


def test_one_link_posted_four_times_at_once_sets_one_password(app):
    _, path = invite(app)
    clients = [app.test_client() for _ in range(4)]
    forms = [csrf_token(client.get(path)) for client in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def post(client: FlaskClient, csrf: str, n: int) -> None:
        password = f"{NEW_PASSWORD} numéro {n}"
        barrier.wait()
        data = {"password": password, "confirm": password, "csrf_token": csrf}
        codes.append(client.post(path, data=data).status_code)

    threads = [
        threading.Thread(target=post, args=(client, csrf, n))
        for n, (client, csrf) in enumerate(zip(clients, forms, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [303, 404, 404, 404]
    assert (
        sum(logs_in(app, "invited@example.com", f"{NEW_PASSWORD} numéro {n}") for n in range(4))
        == 1
    )


def test_an_expired_invitation_is_a_410_in_french_and_changes_nothing(app):
    with app.app_context():
        user = create_user("late@example.com", None)
        then = utcnow() - timedelta(hours=app.config["INVITATION_LINK_HOURS"], minutes=1)
        token = account_token(user, INVITATION, now=then)
        with pytest.raises(LinkExpired):
            set_password_from_link(token, INVITATION, NEW_PASSWORD)
    client = app.test_client()
    response = client.get(f"/backoffice/invitation/{token}")
    assert response.status_code == 410 and "Ce lien a expiré" in response.get_data(True)
    assert choose(client, f"/backoffice/invitation/{token}").status_code == 410
    with app.app_context():
        found = find_user("late@example.com")
        assert found is not None and is_pending(found)


def test_a_link_opens_its_account_until_the_end_of_its_lifetime(app):
    hours = app.config["INVITATION_LINK_HOURS"]
    with app.app_context():
        user = create_user("clock@example.com", None)
        token = account_token(user, INVITATION, now=utcnow() - timedelta(hours=hours - 1))
        set_password_from_link(token, INVITATION, NEW_PASSWORD)
        assert not is_pending(user)
        other = create_user("clock2@example.com", None)
        token = account_token(other, INVITATION)
        with pytest.raises(LinkExpired):  # read by a clock past its lifetime
            set_password_from_link(
                token, INVITATION, NEW_PASSWORD, now=utcnow() + timedelta(hours=hours, minutes=1)
            )
        assert is_pending(other)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, secret: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, secret: URLSafeTimedSerializer("another secret", salt=INVITATION).dumps(
            URLSafeTimedSerializer(secret, salt=INVITATION).loads(token)
        ),
        # A reset link's signature does not open an invitation, nor the other way round.
        lambda token, secret: URLSafeTimedSerializer(secret, salt=RESET).dumps(
            URLSafeTimedSerializer(secret, salt=INVITATION).loads(token)
        ),
        lambda token, secret: URLSafeTimedSerializer(secret, salt=INVITATION).dumps(
            {**URLSafeTimedSerializer(secret, salt=INVITATION).loads(token), "f": "0" * 32}
        ),
        lambda token, secret: "not-a-token",
    ],
)
def test_a_forged_link_is_a_404_and_changes_nothing(app, forge):
    _, path = invite(app)
    token = path.rsplit("/", 1)[1]
    forged = forge(token, app.config["SECRET_KEY"])
    client = app.test_client()
    for prefix in ("/backoffice/invitation/", "/backoffice/password/reset/"):
        assert client.get(prefix + forged).status_code == 404
        assert choose(client, prefix + forged).status_code == 404
    page = client.get("/backoffice/invitation/" + forged).get_data(as_text=True)
    assert "Cette page n'existe pas" in page or "Cette page n&#39;existe pas" in page
    with app.app_context():
        user = find_user("invited@example.com")
        assert user is not None and is_pending(user)
        with pytest.raises(LinkInvalid):
            set_password_from_link(forged, INVITATION, NEW_PASSWORD)


def test_sending_the_invitation_again_voids_the_earlier_link(app):
    user_id, old_path = invite(app)
    admin = log_in(app, email="boss@example.com", role="admin")
    response = post_form(admin, "/backoffice/users", f"/backoffice/users/{user_id}/invitation", {})
    assert response.status_code == 303  # type: ignore[attr-defined]
    client = app.test_client()
    assert client.get(old_path).status_code == 404
    with app.app_context():
        user = db.session.get(User, user_id)
        new_path = f"/backoffice/invitation/{account_token(user, INVITATION)}"
    assert choose(client, new_path).status_code == 303
    assert "user.invitation_resent" in audit_actions(app, user_id)
    # An accepted account has no invitation to send again.
    with app.app_context():
        from assess.tracker.accounts import AccountError

        with pytest.raises(AccountError):
            resend_invitation(user_id)
    response = post_form(admin, "/backoffice/users", f"/backoffice/users/{user_id}/invitation", {})
    assert response.status_code == 404  # type: ignore[attr-defined]


def test_a_reset_sets_the_password_ends_every_session_and_is_audited(app):
    user_id = make_user(app, "forgetful@example.com")
    session = log_in(app, email="forgetful@example.com")
    assert session.get("/backoffice/leads").status_code == 200
    path = reset_path(app, "forgetful@example.com")
    visitor = app.test_client()
    weak = choose(visitor, path, "password1234")
    assert weak.status_code == 422 and "trop courant" in weak.get_data(as_text=True)
    differ = visitor.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD + "!",
            "csrf_token": csrf_token(visitor.get(path)),
        },
    )
    assert differ.status_code == 422
    assert "Les deux mots de passe ne sont pas identiques." in differ.get_data(as_text=True)
    assert session.get("/backoffice/leads").status_code == 200  # refusals changed nothing
    assert choose(visitor, path).status_code == 303
    assert session.get("/backoffice/leads").status_code == 302  # logged out
    assert not logs_in(app, "forgetful@example.com", PASSWORD)
    assert logs_in(app, "forgetful@example.com", NEW_PASSWORD)
    assert choose(app.test_client(), path, "Encore une autre phrase secrète").status_code == 404
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "user.password_reset")
        ).scalar_one()
        assert entry.target == f"user:{user_id}" and entry.user_id == user_id


def test_a_reset_link_expires_and_a_login_since_voids_it(app):
    make_user(app, "reset@example.com")
    minutes = app.config["PASSWORD_RESET_LINK_MINUTES"]
    expired = reset_path(app, "reset@example.com", now=utcnow() - timedelta(minutes=minutes + 1))
    assert app.test_client().get(expired).status_code == 410
    assert choose(app.test_client(), expired).status_code == 410
    fresh = reset_path(app, "reset@example.com")
    assert app.test_client().get(fresh).status_code == 200
    assert logs_in(app, "reset@example.com", PASSWORD)  # remembered after all
    assert app.test_client().get(fresh).status_code == 404
    assert logs_in(app, "reset@example.com", PASSWORD)


def test_a_disabled_account_s_reset_link_opens_nothing(app):
    user_id = make_user(app, "gone@example.com")
    path = reset_path(app, "gone@example.com")
    with app.app_context():
        from assess.tracker.accounts import set_active

        set_active(user_id, False)
    assert choose(app.test_client(), path).status_code == 404


def _ask_reset(client: FlaskClient, email: str) -> Any:
    page = client.get("/backoffice/password/forgotten")
    return client.post(
        "/backoffice/password/forgotten", data={"email": email, "csrf_token": csrf_token(page)}
    )


def test_the_login_page_links_to_the_form_whose_bad_input_is_said_in_french(app):
    client = app.test_client()
    login = client.get("/backoffice/login").get_data(as_text=True)
    assert 'href="/backoffice/password/forgotten"' in login and "Mot de passe oublié" in login
    response = _ask_reset(client, "")
    assert response.status_code == 422
    assert 'id="err-email">Ce champ est obligatoire.' in response.get_data(as_text=True)
    response = _ask_reset(client, "x" * 300 + "@example.com")
    assert response.status_code == 422
    assert "x" * 300 in response.get_data(as_text=True)  # what was typed stays


def _plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_invitation_and_the_reset_travel_through_the_worker_and_smtp(
    mailing_app: Flask, smtp: SmtpServer, mailing_worker: Any
):
    admin = log_in(mailing_app, email="boss@example.com", role="admin")
    post_form(admin, "/backoffice/users", "/backoffice/users", {"email": "newcomer@example.com"})
    assert wait_for(lambda: len(smtp.recorder.received()) == 1, timeout=60), (
        mailing_worker.log.read_text()
    )
    [invitation] = smtp.recorder.received()
    assert invitation["To"] == "newcomer@example.com"
    assert "votre compte sur le back-office" in invitation["Subject"]
    text = _plain(invitation)
    assert "choisissez votre mot de passe" in text and "72 heures" in text
    html = invitation.get_body(("html",))
    assert html is not None and "Choisir mon mot de passe" in str(html.get_content())
    link = re.search(r"https?://\S+/backoffice/invitation/(\S+)", text)
    assert link is not None
    client = mailing_app.test_client()
    assert choose(client, f"/backoffice/invitation/{link.group(1)}").status_code == 303
    assert logs_in(mailing_app, "newcomer@example.com", NEW_PASSWORD)

    # Forgotten: the same answer whatever the address; one e-mail, to the account only.
    smtp.recorder.clear()
    known = _ask_reset(app_client := mailing_app.test_client(), "Newcomer@example.com")
    unknown = _ask_reset(mailing_app.test_client(), "stranger@example.com")
    assert known.status_code == unknown.status_code == 303
    assert known.location == unknown.location
    known_page = app_client.get(known.location).get_data(as_text=True)
    unknown_page = mailing_app.test_client().get(unknown.location).get_data(as_text=True)
    assert known_page == unknown_page and "Consultez votre messagerie" in known_page
    assert wait_for(lambda: len(smtp.recorder.received()) >= 1, timeout=60), (
        mailing_worker.log.read_text()
    )
    [reset] = smtp.recorder.received()
    assert reset["To"] == "newcomer@example.com"
    text = _plain(reset)
    assert "60 minutes" in text and "réinitialiser le mot de passe" in text
    link = re.search(r"https?://\S+/backoffice/password/reset/(\S+)", text)
    assert link is not None
    assert (
        choose(client, f"/backoffice/password/reset/{link.group(1)}", PASSWORD).status_code == 303
    )
    assert logs_in(mailing_app, "newcomer@example.com", PASSWORD)
    assert "stranger@example.com" not in {m["To"] for m in smtp.recorder.received()}
