"""Log in to the back office through the real form."""

from __future__ import annotations

from typing import Any

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


def log_in(
    app: Flask,
    client: FlaskClient | None = None,
    *,
    email: str = "",
    role: str = "consultant",
    language: str = "",
    **request: Any,
) -> FlaskClient:
    """Log a client (a new one unless given) in through the real form; the client.

    The account (`<role>@example.com` unless named) is created once, with this role.
    `language` switches the back office's language afterwards; `request` (environ_base,
    headers) goes with each request, as from one address and browser.
    """
    email = email or f"{role}@example.com"
    make_user(app, email, role)
    client = client or app.test_client()
    page = client.get("/backoffice/login", **request)
    response = client.post(
        "/backoffice/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)},
        **request,
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    if language:
        client.get(f"/language/{language}", **request)
    return client


def token_of(client: FlaskClient, path: str = "/backoffice/leads") -> str:
    """A CSRF token of this session, from a back-office page."""
    return csrf_token(client.get(path))


def post_form(client: FlaskClient, page_path: str, action: str, data: dict[str, str]) -> object:
    """POST to an action with the CSRF token of a page."""
    page = client.get(page_path)
    return client.post(action, data={**data, "csrf_token": csrf_token(page)})
