"""Settings: commented defaults, then the environment, then the test overrides.

Nothing is read at import time: `load_config(app, overrides)` runs in the app factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

# Each default with what it does. Every one of these can be set in the environment.
DEFAULTS: dict[str, Any] = {
    # Signs the session cookie and the resume links. Generated once into instance/
    # when not set (development); set it in production.
    "SECRET_KEY": None,
    # SQLAlchemy URL. Default: SQLite in instance/assess.sqlite3. PostgreSQL:
    # postgresql+psycopg://user:password@host/dbname (postgres:// is accepted too).
    "DATABASE_URL": None,
    # The questionnaire the app runs, loaded once per process at start-up.
    "ASSESS_QUESTIONNAIRE": "questions.yaml",
    # How long a resume link stays valid, in days.
    "RESUME_MAX_AGE_DAYS": 30,
    # The version of the data-processing notice shown at the contact step; stored
    # with each consent so the consultant can prove what the lead agreed to.
    "CONSENT_TEXT_VERSION": "2026-11",
    # Largest request body accepted, in bytes (413 beyond).
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Languages offered; the first is the default.
    "LANGUAGES": "fr,en",
    # Session cookie: Secure in production (HTTPS); relax for local HTTP.
    "SESSION_COOKIE_SECURE": False,
    # How long a respondent's session lasts, in hours (the draft itself is kept longer).
    "SESSION_HOURS": 24,
    # The consultancy's name, shown on every page.
    "BRAND_NAME": "DC Pilot",
}
_INTEGERS = {"RESUME_MAX_AGE_DAYS", "MAX_CONTENT_LENGTH", "SESSION_HOURS"}
_BOOLEANS = {"SESSION_COOKIE_SECURE"}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config from the defaults, the environment and the overrides, in that order."""
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        if name in os.environ:
            settings[name] = _parse(name, os.environ[name])
    settings.update(overrides or {})
    app.config.update(settings)
    app.config["LANGUAGES"] = _languages(settings["LANGUAGES"])
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LANGUAGES"][0]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path).parent / "translations")
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or _instance_secret(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app, settings["DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # The cookie is re-sent only when the session changes, not on every page.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config["PERMANENT_SESSION_LIFETIME"] = int(settings["SESSION_HOURS"]) * 3600
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session, which expires itself


def _parse(name: str, value: str) -> Any:
    if name in _INTEGERS:
        return int(value)
    if name in _BOOLEANS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


def _languages(value: str | list[str]) -> list[str]:
    languages = value.split(",") if isinstance(value, str) else list(value)
    return [code.strip() for code in languages if code.strip()]


def _instance_secret(app: Flask) -> str:
    """A development secret, generated once and kept under instance/."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _database_uri(app: Flask, url: str | None) -> str:
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(app.instance_path) / 'assess.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _engine_options(uri: str) -> dict[str, Any]:
    if uri.startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        return {"connect_args": {"timeout": 10}}
    return {"pool_pre_ping": True}
