"""Back-office passwords: the common ones and the repeated ones are refused wherever set."""

from __future__ import annotations

import pytest

from assess.cli.backoffice import user as user_cli
from assess.tracker import accounts
from assess.tracker.account_links import INVITATION, account_token, is_pending
from assess.tracker.passwords import common_passwords, password_problem
from tests.helpers.backoffice_client import log_in
from tests.helpers.wizard_driver import csrf_token


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("correct horse battery staple", None),
        ("Vk3#pq9!Lm2z", None),
        ("short", "too short"),
        ("x" * 129, "too long"),
        ("password1234", "too common"),
        ("PASSWORD1234", "too common"),
        ("qwertyuiop[]", "too common"),
        ("Marseille2026!", "too common"),  # a common word, digits and a symbol added
        ("  azerty123456  ", "too common"),
        ("aaaaaaaaaaaa", "repeated"),
        ("            ", "repeated"),
        ("abcabcabcabc", "repeated"),
        ("121212121212", "repeated"),
    ],
)
def test_password_rules(password, problem):
    assert password_problem(password) == problem


def test_the_shipped_list_is_loaded_once_and_holds_thousands():
    assert common_passwords() is common_passwords()
    assert len(common_passwords()) > 10_000
    assert {"123456", "password", "azerty", "soleil"} <= common_passwords()


@pytest.mark.parametrize("password", ["password1234", "zzzzzzzzzzzz"])
def test_the_cli_refuses_them_on_create_and_on_change(app, password):
    runner = app.test_cli_runner()
    created = runner.invoke(user_cli, ["create", "weak@example.com"], input=password + "\n")
    assert created.exit_code == 1 and "Traceback" not in created.output
    assert "password:" in created.output
    with app.app_context():
        assert accounts.find_user("weak@example.com") is None
    log_in(app, email="strong@example.com")
    changed = runner.invoke(user_cli, ["password", "strong@example.com"], input=password + "\n")
    assert changed.exit_code == 1 and "password:" in changed.output


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "Ce mot de passe est trop courant"),
        ("abcabcabcabc", "répète un caractère ou une courte séquence"),
        ("too short", "Le mot de passe doit comporter de 12 à 128 caractères."),
    ],
)
def test_the_invitation_page_says_why_beside_the_field_in_french(app, password, message):
    with app.app_context():
        user = accounts.create_user("new@example.com", None)
        path = f"/backoffice/invitation/{account_token(user, INVITATION)}"
    client = app.test_client()
    token = csrf_token(client.get(path))
    response = client.post(
        path, data={"password": password, "confirm": password, "csrf_token": token}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page.split('id="password"')[0].rsplit("<div", 1)[1]
    assert 'class="field-error" id="err-password"' in field and message in field
    assert 'aria-describedby="err-password"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        found = accounts.find_user("new@example.com")
        assert found is not None and is_pending(found)  # nothing changed: the link still works
    assert client.get(path).status_code == 200
