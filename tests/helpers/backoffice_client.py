"""Log in to the back office through the real form."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from assess.tracker.accounts import create_user, find_user
from tests.helpers.wizard_driver import csrf_token

PASSWORD = "correct horse battery staple"


def make_user(
    app: Flask, email: str = "consultant@example.com", role: str = "consultant", name: str = ""
) -> int:
    """An account (created once) and its id."""
    with app.app_context():
        existing = find_user(email)
        if existing is not None:
            return int(existing.id)
        return int(create_user(email, PASSWORD, role, name or email.split("@")[0]).id)


def logged_in(
    app: Flask, email: str = "consultant@example.com", role: str = "consultant"
) -> FlaskClient:
    """A client logged in with a fresh account of this role."""
    make_user(app, email, role)
    client = app.test_client()
    page = client.get("/backoffice/login")
    response = client.post(
        "/backoffice/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def token_of(client: FlaskClient, path: str = "/backoffice/leads") -> str:
    """A CSRF token of this session, from a back-office page."""
    return csrf_token(client.get(path))


def post_form(client: FlaskClient, page_path: str, action: str, data: dict[str, str]) -> object:
    """POST to an action with the CSRF token of a page."""
    page = client.get(page_path)
    return client.post(action, data={**data, "csrf_token": csrf_token(page)})
