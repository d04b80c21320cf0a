"""The app factory: configuration, the questionnaire loaded at start, SQLite write transactions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event, text

from assess import create_app
from assess.db.database import write_transaction
from assess.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "assess"]


def run_flask(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FLASK, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_a_bad_questionnaire_stops_the_app_with_every_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    source = (ROOT / "tests" / "fixtures" / "other_topic.yaml").read_text()
    bad.write_text(source.replace("type: single", "type: singel", 1) + "\nunknown_key: 1\n")
    started = run_flask("routes", ASSESS_QUESTIONNAIRE=str(bad), SECRET_KEY="x")
    assert started.returncode == 1
    assert "Traceback" not in started.stderr
    lines = [line for line in started.stderr.splitlines() if line.startswith(str(bad))]
    assert len(lines) >= 2
    assert all(line.split(":")[1].isdigit() for line in lines)


def test_questionnaire_check_works_even_when_the_default_file_is_broken(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: [\n")
    checked = run_flask(
        "questionnaire", "check", str(ROOT / "questions.yaml"), ASSESS_QUESTIONNAIRE=str(broken)
    )
    assert checked.returncode == 0, checked.stderr
    assert "OK" in checked.stdout


def test_settings_come_from_the_environment_and_the_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("RESUME_MAX_AGE_DAYS", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example.com/assess")
    app = create_app({"SECRET_KEY": "s", "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml")})
    assert app.config["RESUME_MAX_AGE_DAYS"] == 7
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example.com/assess"
    )
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["MAX_CONTENT_LENGTH"] > 0


def test_a_development_secret_is_generated_once_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from assess import app

    monkeypatch.setattr(app, "ROOT", tmp_path)
    (tmp_path / "templates").mkdir()
    settings = {
        "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    first = create_app(settings).config["SECRET_KEY"]
    second = create_app(settings).config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "instance" / "secret_key").read_text() == first


def test_sqlite_write_transactions_begin_immediate(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            with write_transaction():
                db.session.execute(text("SELECT 1"))
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        journal = db.session.execute(text("PRAGMA journal_mode")).scalar()
        timeout = db.session.execute(text("PRAGMA busy_timeout")).scalar()
    assert statements[:2] == ["BEGIN IMMEDIATE", "SELECT 1"]
    assert "BEGIN" in statements[2:]  # reads begin deferred
    assert journal == "wal"
    assert timeout >= 5000
