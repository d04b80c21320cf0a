"""Settings: each declared once (name, default, parser, one-line help); the environment, then
the test overrides, replace the defaults.

Nothing is read at import time: `load_config(app, overrides, on_error)` runs in the app factory.
Every value, whatever its source, goes through its setting's parser, so `app.config` holds
values of the declared type and the code reading them casts nothing.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # bin/settings-table reads the declaration without Flask
    from flask import Flask


def _integer(value: object) -> int:
    """A whole number, given as one or as its digits."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            return int(value)
    raise ValueError("must be a whole number")


def _number(value: object) -> float:
    """A finite number (seconds, minutes, hours), given as one or as text."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            number = float(value)
            if math.isfinite(number):
                return number
    raise ValueError("must be a number")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _flag(value: object) -> bool:
    """On or off: a bool, or one of 1/true/yes/on and 0/false/no/off (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("must be true or false (1/true/yes/on or 0/false/no/off)")


def _text(value: object) -> str:
    """Text as given (a path is taken as its text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ValueError("must be text")


# Colours go into the report's CSS as they are: nothing but a hex colour is accepted.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _smtp_security(value: object) -> str:
    """How the SMTP connection is encrypted: none, starttls or ssl (any case; empty: none)."""
    if isinstance(value, str) and value.strip().lower() in {"", "none", "starttls", "ssl"}:
        return value.strip().lower() or "none"
    raise ValueError('must be "none", "starttls" or "ssl"')


def _colour(value: object) -> str:
    """A colour written #rgb or #rrggbb."""
    if isinstance(value, str) and _HEX_COLOUR.fullmatch(value):
        return value
    raise ValueError("must be a colour written #rgb or #rrggbb")


def _languages(value: object) -> list[str]:
    """Language codes, comma-separated (or a list of them); the first is the default."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list | tuple) and all(isinstance(code, str) for code in value):
        codes = [code.strip() for code in value if code.strip()]
        if codes:
            return codes
    raise ValueError("must be language codes separated by commas, such as fr,en")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default, the parser every value goes through, what it does."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    # The docs' default when the value alone would mislead (an empty one that means "derived").
    shown_default: str | None = None
    # A secret's value never shows in the docs.
    secret: bool = False


# Every setting, each of which can be set in the environment. The docs' table
# (docs/operations.md) is generated from this: bin/settings-table.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        "",
        _text,
        "Signs the session cookie and the links; generated once into instance/ when not set "
        "(development): set it in production.",
        secret=True,
    ),
    Setting(
        "DATABASE_URL",
        "",
        _text,
        "SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user:password@host/dbname "
        "(postgres:// is accepted too).",
        shown_default="SQLite in `instance/assess.sqlite3`",
    ),
    Setting(
        "ASSESS_QUESTIONNAIRE",
        "questions.yaml",
        _text,
        "The questionnaire the app runs, loaded once per process at start-up.",
    ),
    Setting("RESUME_MAX_AGE_DAYS", 30, _integer, "How long a resume link stays valid, in days."),
    Setting(
        "REASSESS_LINK_DAYS",
        730,
        _integer,
        'Days the "take the diagnostic again" link (results page, report e-mail) stays valid.',
    ),
    Setting(
        "CONSENT_TEXT_VERSION",
        "2026-11",
        _text,
        "Version of the data-processing notice shown at the contact step, stored with each "
        "consent so the consultant can prove what the lead agreed to.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        256 * 1024,
        _integer,
        "Largest request body accepted, in bytes (413 beyond).",
    ),
    Setting(
        "LANGUAGES",
        "fr,en",
        _languages,
        "Languages offered, comma-separated; the first is the default.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        _flag,
        "Session cookie sent over HTTPS only; relax for local HTTP (APP_ENV=production forces it).",
    ),
    Setting(
        "SESSION_HOURS",
        24,
        _integer,
        "How long a respondent's session lasts, in hours (the draft itself is kept longer).",
    ),
    Setting(
        "BRAND_NAME",
        "DC Pilot",
        _text,
        "The consultancy's name, shown on every page and on the report.",
    ),
    Setting(
        "BRAND_LOGO",
        "",
        _text,
        "Logo on the report's cover: a path under static/ (PNG or SVG); none prints the name.",
    ),
    Setting(
        "BRAND_PRIMARY_COLOR",
        "#1f5fa8",
        _colour,
        "The report's main colour (headings and charts), written #rgb or #rrggbb.",
    ),
    Setting(
        "BRAND_ACCENT_COLOR",
        "#e07a1f",
        _colour,
        "The report's highlight colour, written #rgb or #rrggbb.",
    ),
    Setting(
        "BRAND_CONTACT",
        "contact@example.com · +33 1 23 45 67 89",
        _text,
        "Contact line on the report's closing page.",
    ),
    Setting(
        "PUBLIC_URL",
        "http://127.0.0.1:5000",
        _text,
        "Where links in e-mails, webhooks, the calendar feed and the embedding snippet point:"
        " its scheme, host and any path prefix (https://example.fr/diagnostic).",
    ),
    Setting(
        "EXTRA_HOSTS",
        "",
        _text,
        "Host names the app also answers to (space-separated), besides PUBLIC_URL's and "
        "loopback; a request naming any other Host gets a 400.",
    ),
    Setting(
        "SMTP_HOST",
        "",
        _text,
        "SMTP server; with none, messages are written as .eml files to OUTBOX_FOLDER.",
    ),
    Setting("SMTP_PORT", 25, _integer, "The SMTP server's port."),
    Setting("SMTP_USERNAME", "", _text, "SMTP user name; empty: no login."),
    Setting("SMTP_PASSWORD", "", _text, "SMTP password.", secret=True),
    Setting(
        "SMTP_SECURITY",
        "none",
        _smtp_security,
        'How the SMTP connection is encrypted: "none", "starttls" or "ssl".',
    ),
    Setting(
        "SMTP_TIMEOUT",
        20,
        _number,
        "Seconds before a silent SMTP server counts as down (never wait forever).",
    ),
    Setting("MAIL_FROM", "DC Pilot <diagnostic@example.com>", _text, "The sender of every e-mail."),
    Setting(
        "CONSULTANT_EMAIL",
        "consultant@example.com",
        _text,
        "The consultant told about every new lead; empty sends no notification.",
    ),
    Setting(
        "OUTBOX_FOLDER",
        "",
        _text,
        "Where messages go without SMTP_HOST.",
        shown_default="`instance/outbox`",
    ),
    # Retries: 1 min, 2 min, 4 min ... capped at 6 h: 12 attempts span about a day and a half.
    Setting(
        "DELIVERY_RETRY_BASE_SECONDS",
        60,
        _number,
        "Seconds before a failed e-mail's first retry; the wait doubles at each attempt.",
    ),
    Setting(
        "DELIVERY_RETRY_MAX_SECONDS",
        6 * 3600,
        _number,
        "Longest wait between two attempts to send an e-mail, in seconds.",
    ),
    Setting(
        "DELIVERY_MAX_ATTEMPTS",
        12,
        _integer,
        "Attempts to send an e-mail before it counts as failed.",
    ),
    Setting(
        "DELIVERY_STUCK_SECONDS",
        600,
        _number,
        'A row "sending" for longer than this many seconds is taken to belong to a dead worker.',
    ),
    Setting(
        "REDIS_URL",
        "",
        _text,
        "Redis for the job queue and the rate limits; none: the queue is SQLite, limits in memory.",
    ),
    Setting(
        "HUEY_SQLITE_PATH",
        "",
        _text,
        "The SQLite job queue (without REDIS_URL).",
        shown_default="`instance/huey.sqlite3`",
    ),
    Setting(
        "WORKER_NICENESS",
        10,
        _integer,
        "The worker lowers its CPU priority by this much (0 to 19, Unix nice), so a wizard "
        "request on the same machine is served before PDF rendering.",
    ),
    Setting(
        "TEAM_MAX_INVITATIONS",
        10,
        _integer,
        "Addresses an executive may invite to the team view (a small or mid-sized sales team).",
    ),
    Setting(
        "TEAM_MIN_ANSWERS",
        2,
        _integer,
        "Team answers needed before the team view shows any figure.",
    ),
    Setting(
        "PEER_MIN_GROUP",
        20,
        _integer,
        "Peer benchmark: no percentile for a group of fewer other submissions than this.",
    ),
    Setting(
        "WEBHOOK_URLS",
        "",
        _text,
        "Addresses (space-separated) that receive a signed JSON POST on every completed "
        "submission and pipeline change.",
    ),
    Setting("WEBHOOK_SECRET", "", _text, "The webhooks' HMAC-SHA256 signing key.", secret=True),
    Setting(
        "WEBHOOK_ALLOW_PRIVATE",
        False,
        _flag,
        "Allow private, loopback and link-local webhook targets (refused otherwise).",
    ),
    Setting(
        "WEBHOOK_TIMEOUT",
        10,
        _number,
        "Seconds before a silent webhook target counts as down.",
    ),
    Setting("WEBHOOK_MAX_ATTEMPTS", 10, _integer, "Attempts to post a webhook before giving up."),
    Setting(
        "APP_ENV",
        "development",
        _text,
        '"production" forces HTTPS, HSTS and Secure __Host- cookies; anything else is development.',
    ),
    Setting(
        "FRAME_ANCESTORS",
        "",
        _text,
        "Sites allowed to frame the diagnostic (space-separated origins); nobody else may.",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        _integer,
        "Reverse proxies in front of the app: only their X-Forwarded-For hops are trusted, so a "
        "forged header cannot dodge a rate limit.",
    ),
    Setting(
        "RATELIMIT_ENABLED",
        True,
        _flag,
        "Rate limits on or off (off only for a load test from a single address).",
    ),
    Setting(
        "RATELIMIT_KEY_PREFIX",
        "assess",
        _text,
        "Prefix of the rate-limit counters in Redis (several apps may share one server).",
    ),
    Setting(
        "RATELIMIT_START",
        "30 per hour",
        _text,
        "Diagnostics (own, team or repeat) one visitor address may start.",
    ),
    Setting(
        "RATELIMIT_STEP",
        "600 per hour",
        _text,
        "Answer pages (wizard and team) one visitor address may post.",
    ),
    Setting(
        "RATELIMIT_RESUME",
        "30 per hour",
        _text,
        'Resume and "take it again" links one visitor address may open.',
    ),
    Setting("RATELIMIT_LOGIN", "10 per minute", _text, "Back-office logins per visitor address."),
    Setting(
        "RATELIMIT_LOGIN_ACCOUNT",
        "20 per hour",
        _text,
        "Back-office logins per account.",
    ),
    Setting("LOG_JSON", False, _flag, "Log lines as JSON (one object per line) instead of text."),
    Setting(
        "LOGIN_MAX_FAILURES",
        5,
        _integer,
        "Back office: wrong passwords in a row before an account locks.",
    ),
    Setting(
        "LOGIN_LOCK_MINUTES",
        15,
        _number,
        "Back office: how long a locked account stays locked, in minutes.",
    ),
    Setting(
        "BACKOFFICE_IDLE_MINUTES",
        30,
        _number,
        "A consultant idle this many minutes is logged out.",
    ),
    Setting(
        "BACKOFFICE_SESSION_HOURS",
        12,
        _number,
        "A back-office session ends this many hours after login, however busy (log in again).",
    ),
    # A sale closes on average at the 7th contact; 80% of salespeople stop after the 3rd.
    Setting(
        "CADENCE",
        "0:email,2:phone,5:linkedin,9:phone,14:email,21:phone,30:email",
        _text,
        'The follow-up cadence: seven touches, "day offset:channel" after the diagnostic.',
    ),
    Setting(
        "CADENCE_STALL_DAYS",
        7,
        _integer,
        "A lead with 3 touches or fewer whose next touch is this many days overdue is flagged.",
    ),
    Setting("LEADS_PER_PAGE", 50, _integer, "Rows per page of the leads list."),
    Setting(
        "RETENTION_DRAFT_DAYS",
        30,
        _integer,
        "Abandoned drafts are purged after this many days.",
    ),
    Setting(
        "RETENTION_LEAD_MONTHS",
        36,
        _integer,
        "Leads are purged this many months after their latest completion.",
    ),
    # Address confirmation (issue 15): nothing is sent on a respondent's behalf (report, team
    # invitations) until the owner of the address typed clicks the link of a fixed e-mail.
    Setting("CONFIRM_LINK_DAYS", 7, _integer, "Days an address confirmation link stays valid."),
    Setting(
        "CONFIRM_PER_ADDRESS_DAY",
        3,
        _integer,
        "Confirmation e-mails one address receives in 24 hours (the first and two re-sends).",
    ),
    # A seminar room behind one NAT stays under it; one attacker's machine reaches 30
    # strangers a day at most.
    Setting(
        "CONFIRM_PER_CLIENT_DAY",
        30,
        _integer,
        "Confirmation e-mails one client address may have sent in 24 hours.",
    ),
    Setting(
        "RATELIMIT_CONFIRM",
        "10 per hour",
        _text,
        'Rate limit per visitor address of the "send the link again" button and the link\'s page.',
    ),
    Setting(
        "TEAM_INVITATIONS_PER_ADDRESS_DAY",
        20,
        _integer,
        "Team invitations from one inviting address in 24 hours (two teams of "
        "TEAM_MAX_INVITATIONS).",
    ),
    Setting(
        "TEAM_INVITATIONS_PER_DAY",
        200,
        _integer,
        "Team invitations sent by the whole app in 24 hours (ten times a busy day's needs).",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
# The declared defaults by name.
DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}


def load_config(
    app: Flask,
    overrides: dict[str, Any] | None,
    on_error: Callable[[str], None],
) -> None:
    """Fill app.config from the defaults, the environment and the overrides, in that order,
    each value through its setting's parser; `on_error` gets every setting that cannot be used
    (the app must not start)."""
    given = dict(DEFAULTS)
    given.update({name: os.environ[name] for name in DEFAULTS if name in os.environ})
    given.update(overrides or {})
    settings, problems = _parsed(given)
    if problems:
        on_error("\n".join(f"configuration: {problem}" for problem in problems))
    app.config.update(settings)
    app.config["BABEL_DEFAULT_LOCALE"] = settings["LANGUAGES"][0]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path).parent / "translations")
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or _instance_secret(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app, settings["DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # The cookie is re-sent only when the session changes, not on every page.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config["PERMANENT_SESSION_LIFETIME"] = settings["SESSION_HOURS"] * 3600
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session, which expires itself


def setting_problems(settings: Mapping[str, Any]) -> list[str]:
    """What is wrong with the settings, one line each, naming the setting."""
    return _parsed(settings)[1]


def _parsed(given: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The given values through their settings' parsers (others as they are), and a line for
    each one its parser refuses (that setting keeps its default)."""
    settings: dict[str, Any] = {}
    problems = []
    for name, value in given.items():
        setting = _BY_NAME.get(name)
        if setting is None:
            settings[name] = value
            continue
        try:
            settings[name] = setting.parse(value)
        except ValueError as error:
            shown = "(hidden)" if setting.secret else repr(str(value)[:40])
            problems.append(f"{name} {error}, not {shown}")
            settings[name] = setting.parse(setting.default)
    return settings, problems


TABLE_BEGIN = "<!-- settings:begin (generated by bin/settings-table from assess/config.py) -->"
TABLE_END = "<!-- settings:end -->"


def settings_table() -> str:
    """The settings as a markdown table: name, default, what it does (secrets without value)."""
    rows = ["| setting | default | what it does |", "|---|---|---|"]
    for setting in SETTINGS:
        cells = (f"`{setting.name}`", _shown_default(setting), setting.help)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def with_settings_table(document: str) -> str:
    """The document with the settings table put between its two marker lines."""
    begin = document.index(TABLE_BEGIN) + len(TABLE_BEGIN)
    end = document.index(TABLE_END, begin)
    return f"{document[:begin]}\n{settings_table()}{document[end:]}"


def _shown_default(setting: Setting) -> str:
    if setting.secret:
        return "(secret)"
    if setting.shown_default is not None:
        return setting.shown_default
    if isinstance(setting.default, bool):
        return "true" if setting.default else "false"
    if setting.default in ("", None):
        return "none"
    return f"`{setting.default}`"


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
