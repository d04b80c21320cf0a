"""Settings: commented defaults, then the environment, then the test overrides.

Nothing is read at import time: `load_config(app, overrides, on_error)` runs in the app factory.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
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
    # Days the "take the diagnostic again" link (results page, report e-mail) stays valid.
    "REASSESS_LINK_DAYS": 730,
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
    # The consultancy's name, shown on every page and on the report.
    "BRAND_NAME": "DC Pilot",
    # Logo on the report's cover: a path under static/ (PNG or SVG); none prints the name.
    "BRAND_LOGO": "",
    # The report's two colours, written #rgb or #rrggbb: headings and charts, then highlights.
    "BRAND_PRIMARY_COLOR": "#1f5fa8",
    "BRAND_ACCENT_COLOR": "#e07a1f",
    # Where the links in e-mails point (the address respondents reach the app at).
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Host names the app also answers to (space-separated), besides PUBLIC_URL's and loopback;
    # a request naming any other Host gets a 400.
    "EXTRA_HOSTS": "",
    # SMTP server; with none, messages are written as .eml files to OUTBOX_FOLDER.
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    # "none", "starttls" or "ssl"
    "SMTP_SECURITY": "none",
    # Seconds before a silent SMTP server counts as down (never wait forever).
    "SMTP_TIMEOUT": 20,
    "MAIL_FROM": "DC Pilot <diagnostic@example.com>",
    # The consultant told about every new lead; empty sends no notification.
    "CONSULTANT_EMAIL": "consultant@example.com",
    # Where messages go without SMTP_HOST (default instance/outbox).
    "OUTBOX_FOLDER": "",
    # Retries: first after this many seconds, then doubling, capped, up to the maximum attempts
    # (defaults: 1 min, 2 min, 4 min ... capped at 6 h: 12 attempts span about a day and a half).
    "DELIVERY_RETRY_BASE_SECONDS": 60,
    "DELIVERY_RETRY_MAX_SECONDS": 6 * 3600,
    "DELIVERY_MAX_ATTEMPTS": 12,
    # A row "sending" for longer than this is taken to belong to a dead worker.
    "DELIVERY_STUCK_SECONDS": 600,
    # Job queue: Redis when REDIS_URL is set (also used for rate limits), else SQLite.
    "REDIS_URL": "",
    "HUEY_SQLITE_PATH": "",
    # The worker lowers its CPU priority by this much (0 to 19, Unix nice): PDF rendering is
    # background work, so a wizard request on the same machine is served first.
    "WORKER_NICENESS": 10,
    # Team view: addresses an executive may invite (a sales team of a small or mid-sized
    # company), and answers needed before any figure shows.
    "TEAM_MAX_INVITATIONS": 10,
    "TEAM_MIN_ANSWERS": 2,
    # Peer benchmark: no percentile for a group of fewer other submissions than this.
    "PEER_MIN_GROUP": 20,
    # Webhooks: addresses (space-separated) that receive a signed JSON POST on every completed
    # submission and pipeline change; the HMAC-SHA256 secret; private, loopback and link-local
    # targets refused unless allowed; seconds before a silent target counts as down; attempts.
    "WEBHOOK_URLS": "",
    "WEBHOOK_SECRET": "",
    "WEBHOOK_ALLOW_PRIVATE": False,
    "WEBHOOK_TIMEOUT": 10,
    "WEBHOOK_MAX_ATTEMPTS": 10,
    # "production" forces HTTPS, HSTS and Secure __Host- cookies; anything else is development.
    "APP_ENV": "development",
    # Sites allowed to frame the diagnostic (space-separated origins); nobody else may.
    "FRAME_ANCESTORS": "",
    # How many reverse proxies stand in front of the app (0: none). Their X-Forwarded-For
    # hops are trusted, no more, so a forged header cannot dodge a rate limit.
    "PROXY_COUNT": 0,
    # Rate limits on or off (off only for a load test from a single address).
    "RATELIMIT_ENABLED": True,
    # Prefix of the rate-limit counters in Redis (several apps may share one server).
    "RATELIMIT_KEY_PREFIX": "assess",
    # Rate limits per visitor address (and per account for login).
    "RATELIMIT_START": "30 per hour",
    "RATELIMIT_STEP": "600 per hour",
    "RATELIMIT_RESUME": "30 per hour",
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_LOGIN_ACCOUNT": "20 per hour",
    # Log lines as JSON (one object per line) instead of text.
    "LOG_JSON": False,
    # Back office: wrong passwords in a row before an account locks, and for how long.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    # A consultant idle this long is logged out.
    "BACKOFFICE_IDLE_MINUTES": 30,
    # A back-office session ends this long after login, however busy (log in again).
    "BACKOFFICE_SESSION_HOURS": 12,
    # The follow-up cadence: seven touches, "day offset:channel" after the diagnostic.
    # A sale closes on average at the 7th contact; 80% of salespeople stop after the 3rd.
    "CADENCE": "0:email,2:phone,5:linkedin,9:phone,14:email,21:phone,30:email",
    # A lead with 3 touches or fewer whose next touch is this many days overdue is flagged.
    "CADENCE_STALL_DAYS": 7,
    # Rows per page of the leads list.
    "LEADS_PER_PAGE": 50,
    # Retention: abandoned drafts purged after this many days, leads after this many months.
    "RETENTION_DRAFT_DAYS": 30,
    "RETENTION_LEAD_MONTHS": 36,
    # Contact line on the report's closing page.
    "BRAND_CONTACT": "contact@example.com · +33 1 23 45 67 89",
    # Address confirmation (issue 15): nothing is sent on a respondent's behalf (report, team
    # invitations) until the owner of the address typed clicks the link of a fixed e-mail.
    # Days a confirmation link stays valid.
    "CONFIRM_LINK_DAYS": 7,
    # Confirmation e-mails one address receives in 24 hours (the first and two re-sends).
    "CONFIRM_PER_ADDRESS_DAY": 3,
    # Confirmation e-mails one client address may have sent in 24 hours (a seminar room behind
    # one NAT stays under it; one attacker's machine reaches 30 strangers a day at most).
    "CONFIRM_PER_CLIENT_DAY": 30,
    # Rate limit per visitor address of the "send the link again" button and the link's page.
    "RATELIMIT_CONFIRM": "10 per hour",
    # Team invitations from one inviting address in 24 hours (two teams of TEAM_MAX_INVITATIONS).
    "TEAM_INVITATIONS_PER_ADDRESS_DAY": 20,
    # Team invitations sent by the whole app in 24 hours (ten times a busy day's needs).
    "TEAM_INVITATIONS_PER_DAY": 200,
}
_INTEGERS = {
    "TEAM_MAX_INVITATIONS",
    "TEAM_MIN_ANSWERS",
    "PEER_MIN_GROUP",
    "WEBHOOK_MAX_ATTEMPTS",
    "WORKER_NICENESS",
    "RESUME_MAX_AGE_DAYS",
    "REASSESS_LINK_DAYS",
    "MAX_CONTENT_LENGTH",
    "SESSION_HOURS",
    "SMTP_PORT",
    "DELIVERY_MAX_ATTEMPTS",
    "LOGIN_MAX_FAILURES",
    "PROXY_COUNT",
    "CADENCE_STALL_DAYS",
    "LEADS_PER_PAGE",
    "RETENTION_DRAFT_DAYS",
    "RETENTION_LEAD_MONTHS",
    "CONFIRM_LINK_DAYS",
    "CONFIRM_PER_ADDRESS_DAY",
    "CONFIRM_PER_CLIENT_DAY",
    "TEAM_INVITATIONS_PER_ADDRESS_DAY",
    "TEAM_INVITATIONS_PER_DAY",
}
_FLOATS = {
    "SMTP_TIMEOUT",
    "DELIVERY_RETRY_BASE_SECONDS",
    "DELIVERY_RETRY_MAX_SECONDS",
    "DELIVERY_STUCK_SECONDS",
    "LOGIN_LOCK_MINUTES",
    "BACKOFFICE_IDLE_MINUTES",
    "BACKOFFICE_SESSION_HOURS",
}
_BOOLEANS = {
    "WEBHOOK_ALLOW_PRIVATE",
    "SESSION_COOKIE_SECURE",
    "LOG_JSON",
    "RATELIMIT_ENABLED",
}


# Settings that go into the report's CSS as they are: nothing but a hex colour.
_COLOURS = ("BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def load_config(
    app: Flask,
    overrides: dict[str, Any] | None,
    on_error: Callable[[str], None],
) -> None:
    """Fill app.config from the defaults, the environment and the overrides, in that order;
    `on_error` gets every setting that cannot be used (the app must not start)."""
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        if name in os.environ:
            settings[name] = _parse(name, os.environ[name])
    settings.update(overrides or {})
    problems = setting_problems(settings)
    if problems:
        on_error("\n".join(f"configuration: {problem}" for problem in problems))
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


def setting_problems(settings: Mapping[str, Any]) -> list[str]:
    """What is wrong with the settings, one line each, naming the setting."""
    return [
        f"{name} must be a colour written #rgb or #rrggbb, not {str(settings[name])[:40]!r}"
        for name in _COLOURS
        if not _HEX_COLOUR.fullmatch(str(settings[name]))
    ]


def _parse(name: str, value: str) -> Any:
    if name in _INTEGERS:
        return int(value)
    if name in _FLOATS:
        return float(value)
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
