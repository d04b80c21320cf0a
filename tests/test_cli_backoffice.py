"""`flask user ...`, `flask retention purge` and `flask demo seed`: output, exit status, effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from assess.cli import backoffice as cli_backoffice
from assess.cli.backoffice import demo_group, retention, user
from assess.db.models import AuditEntry, Lead, Submission, User, utcnow
from assess.extensions import db
from assess.tracker import accounts

PASSWORD = "a long enough passphrase"


def run(app, command, args, input=None):
    return app.test_cli_runner().invoke(command, args, input=input)


def account(app, email):
    with app.app_context():
        return accounts.find_user(email)


def assert_refused(result, message):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output


def test_create_reads_the_password_from_a_pipe(app):
    result = run(
        app,
        user,
        ["create", " Ana@Example.com ", "--role", "admin", "--name", "Ana"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created ana@example.com (admin)" in result.output
    created = account(app, "ana@example.com")
    assert created.role == "admin" and created.name == "Ana" and created.active
    with app.app_context():
        assert accounts.authenticate("ana@example.com", PASSWORD).id == created.id


def test_password_stdin_keeps_spaces_but_not_the_line_end(app):
    result = run(
        app, user, ["create", "bob@example.com", "--password-stdin"], input=PASSWORD + " \r\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        accounts.authenticate("bob@example.com", PASSWORD + " ")
    assert account(app, "bob@example.com").role == "consultant"


def test_at_a_terminal_the_password_is_asked_twice_hidden(app, monkeypatch):
    monkeypatch.setattr(cli_backoffice, "_interactive", lambda: True)
    result = run(app, user, ["create", "cleo@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert account(app, "cleo@example.com") is not None


def test_two_different_passwords_at_a_terminal_create_nothing(app, monkeypatch):
    monkeypatch.setattr(cli_backoffice, "_interactive", lambda: True)
    result = run(app, user, ["create", "dan@example.com"], input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code == 1
    assert "do not match" in result.output
    assert account(app, "dan@example.com") is None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create", "eve@example.com"], "short\n", "Error: password: at least 12 characters"),
        (["create", "not-an-address"], PASSWORD + "\n", "Error: not an e-mail address"),
        (["create", "eve@example.com", "--role", "boss"], PASSWORD + "\n", "role must be one of"),
        (
            ["create", "eve@example.com", "--name", "Eve\u2028Bcc: x@example.com"],
            PASSWORD + "\n",
            "Error: name on more than one line",
        ),
        (["create", "eve\x85@example.com"], PASSWORD + "\n", "Error: not an e-mail address"),
        (["create", "eve@example.com"], "", "Error: no password on standard input"),
        (["disable", "nobody@example.com"], None, "Error: no account with the address"),
        (["enable", "nobody@example.com"], None, "Error: no account with the address"),
    ],
)
def test_refusals_are_one_clear_line_and_status_1(app, args, stdin, message):
    assert_refused(run(app, user, args, input=stdin), message)
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_an_existing_address_is_refused(app):
    run(app, user, ["create", "fay@example.com"], input=PASSWORD + "\n")
    assert_refused(
        run(app, user, ["create", "FAY@example.com"], input=PASSWORD + "\n"),
        "Error: an account with this address exists",
    )


def test_list_disable_and_enable(app):
    run(app, user, ["create", "gus@example.com", "--name", "Gus"], input=PASSWORD + "\n")
    run(app, user, ["create", "ada@example.com", "--role", "admin"], input=PASSWORD + "\n")
    listed = run(app, user, ["list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert [line.split("\t")[1:4] for line in lines] == [
        ["ada@example.com", "admin", "active"],
        ["gus@example.com", "consultant", "active"],
    ]
    assert "password" not in listed.output.lower()
    assert run(app, user, ["disable", "Gus@example.com"]).output == "gus@example.com: disabled\n"
    assert not account(app, "gus@example.com").active
    assert "disabled" in run(app, user, ["list"]).output
    assert run(app, user, ["enable", "gus@example.com"]).exit_code == 0
    assert account(app, "gus@example.com").active
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("user.create") == 2 and "user.disable" in actions


def test_a_database_failure_is_one_line_too(app, monkeypatch):
    def broken():
        raise OperationalError("SELECT", {}, Exception("no such table: users"))

    monkeypatch.setattr(accounts, "all_users", broken)
    assert_refused(run(app, user, ["list"]), "database error: no such table: users")


def test_retention_purge_and_its_dry_run(app):
    with app.app_context():
        old = utcnow() - timedelta(days=60)
        for key in ("a", "b"):
            db.session.add(
                Submission(
                    draft_key=key,
                    status="draft",
                    questionnaire_id="q",
                    questionnaire_version="1",
                    questionnaire_hash="h",
                    locale="fr",
                    answers={},
                    updated_at=old,
                )
            )
        db.session.commit()
    dry = run(app, retention, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("would delete 2 drafts")
    assert "0 leads" in dry.output
    done = run(app, retention, ["purge"])
    assert done.output.startswith("deleted 2 drafts")
    with app.app_context():
        assert db.session.execute(select(func.count(Submission.id))).scalar_one() == 0
        assert (
            db.session.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "retention.purge")
            ).scalar_one()
            == 1
        )


def test_demo_seed_writes_leads_and_refuses_production(app, monkeypatch):
    result = run(app, demo_group, ["seed", "--leads", "7", "--seed", "3", "--today", "2026-11-02"])
    assert result.exit_code == 0, result.output
    assert "seeded 7 leads" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(Lead.id))).scalar_one() == 7
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    assert_refused(run(app, demo_group, ["seed", "--leads", "3"]), "refused in production")
    assert run(app, demo_group, ["seed"]).exit_code == 2  # --leads is required: a usage error
