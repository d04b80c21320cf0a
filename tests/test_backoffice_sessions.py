"""Back-office sessions kept on the server: a copied cookie dies with the session it copies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assess.cli.backoffice import user as user_cli
from assess.db.models import BackofficeSession, utcnow
from assess.extensions import db
from assess.tracker import accounts
from tests.helpers.backoffice_client import log_in, make_user
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import csrf_token

VICTIM = {"REMOTE_ADDR": "198.51.100.7"}
THIEF = {"REMOTE_ADDR": "203.0.113.66"}
BROWSER = {"User-Agent": "Mozilla/5.0 (the consultant's browser)"}


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def opens_the_back_office(client: FlaskClient, **kwargs: object) -> bool:
    response = client.get("/backoffice/leads", **kwargs)  # type: ignore[arg-type]
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert "/backoffice/login" in response.location
    return response.status_code == 200


def session_rows(app: Flask) -> list[BackofficeSession]:
    with app.app_context():
        return list(db.session.execute(select(BackofficeSession)).scalars())


def age_sessions(app: Flask, age: timedelta, seen_since: bool = False) -> None:
    """Move every session's opening (and, unless seen since, its last use) back in time."""
    with app.app_context():
        for row in db.session.execute(select(BackofficeSession)).scalars():
            row.created_at = utcnow() - age
            if not seen_since:
                row.last_seen_at = utcnow() - age
        db.session.commit()


def log_out(client: FlaskClient) -> None:
    page = client.get("/backoffice/leads")
    response = client.post("/backoffice/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app):
    client = log_in(app)
    thief = copy_of(app, client)
    assert opens_the_back_office(thief)  # the copy works while the session lives
    log_out(client)
    assert not opens_the_back_office(thief)
    assert not opens_the_back_office(client)
    assert session_rows(app) == []


def test_the_table_keeps_a_digest_of_the_session_id_never_the_id(app):
    client = log_in(app)
    [row] = session_rows(app)
    with client.session_transaction() as session:
        cookie_id = session["backoffice_session"]
    assert row.id != cookie_id and len(row.id) == 64 and cookie_id not in row.id
    assert row.user_id == make_user(app) and row.created_at and row.last_seen_at


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_password_change_or_a_disabled_account_ends_every_session(app, change):
    user_id = make_user(app, "victim@example.com")
    client = log_in(app, email="victim@example.com")
    thief = copy_of(app, client)
    other_id = make_user(app, "colleague@example.com")
    colleague = log_in(app, email="colleague@example.com")
    with app.app_context():
        if change == "password":
            accounts.set_password(user_id, "a brand new passphrase here")
        else:
            accounts.set_active(user_id, False)
    assert not opens_the_back_office(client)
    assert not opens_the_back_office(thief)
    assert opens_the_back_office(colleague)  # another account's session is not touched
    assert [row.user_id for row in session_rows(app)] == [other_id]


def test_the_cli_password_command_ends_the_sessions(app):
    client = log_in(app, email="cli@example.com")
    result = app.test_cli_runner().invoke(
        user_cli, ["password", "cli@example.com"], input="another good passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert "cli@example.com: password changed, sessions ended" in result.output
    assert not opens_the_back_office(client)
    with app.app_context():
        assert accounts.authenticate("cli@example.com", "another good passphrase")


def test_a_new_login_ends_the_accounts_earlier_sessions(app):
    first = log_in(app)
    second = log_in(app)
    assert opens_the_back_office(second)
    assert not opens_the_back_office(first)
    assert len(session_rows(app)) == 1


def test_an_idle_session_ends_on_the_server(app):
    client = log_in(app)
    thief = copy_of(app, client)
    age_sessions(app, timedelta(minutes=app.config["BACKOFFICE_IDLE_MINUTES"], seconds=5))
    response = client.get("/backoffice/leads")
    assert response.status_code == 302 and "/backoffice/login" in response.location
    assert "inactivit" in client.get(response.location).get_data(as_text=True)
    assert not opens_the_back_office(thief)
    assert session_rows(app) == []


def test_a_session_ends_after_its_longest_lifetime_even_when_used(app):
    client = log_in(app)
    age_sessions(
        app, timedelta(hours=app.config["BACKOFFICE_SESSION_HOURS"], seconds=5), seen_since=True
    )
    assert not opens_the_back_office(client)


def test_a_session_in_use_is_seen_again_without_a_write_each_request(app):
    client = log_in(app)
    [before] = session_rows(app)
    for _ in range(3):
        assert opens_the_back_office(client)
    [after] = session_rows(app)
    assert after.last_seen_at == before.last_seen_at  # within a minute: no write


def test_a_forged_x_forwarded_for_does_not_carry_a_copied_cookie(app):
    """The session is bound to the address the server sees, not to one the client claims."""
    victim = log_in(app, environ_base=VICTIM, headers=BROWSER)
    assert opens_the_back_office(victim, environ_base=VICTIM, headers=BROWSER)
    thief = copy_of(app, victim)
    forged = {**BROWSER, "X-Forwarded-For": VICTIM["REMOTE_ADDR"]}
    assert not opens_the_back_office(thief, environ_base=THIEF, headers=forged)


@pytest.fixture
def proxied_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(SHIPPED, PROXY_COUNT=1)
    yield app
    empty_tables(app)


def test_behind_a_proxy_only_the_hop_it_adds_counts(proxied_app):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    seen = {**BROWSER, "X-Forwarded-For": VICTIM["REMOTE_ADDR"]}
    victim = log_in(proxied_app, environ_base=proxy, headers=seen)
    assert opens_the_back_office(victim, environ_base=proxy, headers=seen)
    thief = copy_of(proxied_app, victim)
    # The thief writes the victim's address first; the proxy appends the thief's own.
    forged = {**BROWSER, "X-Forwarded-For": f"{VICTIM['REMOTE_ADDR']}, {THIEF['REMOTE_ADDR']}"}
    assert not opens_the_back_office(thief, environ_base=proxy, headers=forged)
