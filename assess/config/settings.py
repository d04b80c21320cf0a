"""Every setting, declared once: name, default, parser and one line of help.

Each can be set in the environment. The docs' table (docs/operations.md) is generated from
this declaration by bin/settings-table. What the respondent sees of the consultancy (brand,
consultant, call to action, legal links) is declared in presentation.py, in its place here.
"""

from __future__ import annotations

from assess.config.follow_up import FOLLOW_UP_SETTINGS
from assess.config.parsers import (
    Setting,
    flag,
    integer,
    languages,
    number,
    smtp_security,
    text,
)
from assess.config.presentation import PRESENTATION_SETTINGS

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        "",
        text,
        "Signs the session cookie and the links; generated once into instance/ when not set "
        "(development): set it in production.",
        secret=True,
    ),
    Setting(
        "DATABASE_URL",
        "",
        text,
        "SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user:password@host/dbname "
        "(postgres:// is accepted too).",
        shown_default="SQLite in `instance/assess.sqlite3`",
    ),
    Setting(
        "ASSESS_QUESTIONNAIRE",
        "questions.yaml",
        text,
        "The questionnaire the app runs, loaded once per process at start-up.",
    ),
    Setting("RESUME_MAX_AGE_DAYS", 30, integer, "How long a resume link stays valid, in days."),
    Setting(
        "REASSESS_LINK_DAYS",
        730,
        integer,
        'Days the "take the diagnostic again" link (results page, report e-mail) stays valid.',
    ),
    Setting(
        "CONSENT_TEXT_VERSION",
        "2026-12",
        text,
        "Version of the data-processing notice shown at the contact step, stored with each "
        "consent so the consultant can prove what the lead agreed to.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        256 * 1024,
        integer,
        "Largest request body accepted, in bytes (413 beyond).",
    ),
    Setting(
        "LANGUAGES",
        "fr,en",
        languages,
        "Languages offered, comma-separated; the first is the default.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        flag,
        "Session cookie sent over HTTPS only; relax for local HTTP (APP_ENV=production forces it).",
    ),
    Setting(
        "SESSION_HOURS",
        24,
        integer,
        "How long a respondent's session lasts, in hours (the draft itself is kept longer).",
    ),
    # The brand, the consultant, the call to action and the legal links: presentation.py.
    *PRESENTATION_SETTINGS,
    Setting(
        "PUBLIC_URL",
        "http://127.0.0.1:5000",
        text,
        "Where links in e-mails, webhooks, the calendar feed and the embedding snippet point:"
        " its scheme, host and any path prefix (https://example.fr/diagnostic).",
    ),
    Setting(
        "EXTRA_HOSTS",
        "",
        text,
        "Host names the app also answers to (space-separated), besides PUBLIC_URL's and "
        "loopback; a request naming any other Host gets a 400.",
    ),
    Setting(
        "SMTP_HOST",
        "",
        text,
        "SMTP server; with none, messages are written as .eml files to OUTBOX_FOLDER.",
    ),
    Setting("SMTP_PORT", 25, integer, "The SMTP server's port."),
    Setting("SMTP_USERNAME", "", text, "SMTP user name; empty: no login."),
    Setting("SMTP_PASSWORD", "", text, "SMTP password.", secret=True),
    Setting(
        "SMTP_SECURITY",
        "none",
        smtp_security,
        'How the SMTP connection is encrypted: "none", "starttls" or "ssl".',
    ),
    Setting(
        "SMTP_TIMEOUT",
        20,
        number,
        "Seconds before a silent SMTP server counts as down (never wait forever).",
    ),
    Setting("MAIL_FROM", "DC Pilot <diagnostic@example.com>", text, "The sender of every e-mail."),
    Setting(
        "CONSULTANT_EMAIL",
        "consultant@example.com",
        text,
        "The consultant told about every new lead; empty sends no notification.",
    ),
    Setting(
        "OUTBOX_FOLDER",
        "",
        text,
        "Where messages go without SMTP_HOST.",
        shown_default="`instance/outbox`",
    ),
    # Retries: 1 min, 2 min, 4 min ... capped at 6 h: 12 attempts span about a day and a half.
    Setting(
        "DELIVERY_RETRY_BASE_SECONDS",
        60,
        number,
        "Seconds before a failed e-mail's first retry; the wait doubles at each attempt.",
    ),
    Setting(
        "DELIVERY_RETRY_MAX_SECONDS",
        6 * 3600,
        number,
        "Longest wait between two attempts to send an e-mail, in seconds.",
    ),
    Setting(
        "DELIVERY_MAX_ATTEMPTS",
        12,
        integer,
        "Attempts to send an e-mail before it counts as failed.",
    ),
    Setting(
        "DELIVERY_STUCK_SECONDS",
        600,
        number,
        'A row "sending" for longer than this many seconds is taken to belong to a dead worker.',
    ),
    Setting(
        "REDIS_URL",
        "",
        text,
        "Redis for the job queue and the rate limits; none: the queue is SQLite, limits in memory.",
    ),
    Setting(
        "HUEY_SQLITE_PATH",
        "",
        text,
        "The SQLite job queue (without REDIS_URL).",
        shown_default="`instance/huey.sqlite3`",
    ),
    Setting(
        "WORKER_NICENESS",
        10,
        integer,
        "The worker lowers its CPU priority by this much (0 to 19, Unix nice), so a wizard "
        "request on the same machine is served before PDF rendering.",
    ),
    Setting(
        "TEAM_MAX_INVITATIONS",
        10,
        integer,
        "Addresses an executive may invite to the team view (a small or mid-sized sales team).",
    ),
    Setting(
        "TEAM_MIN_ANSWERS",
        2,
        integer,
        "Team answers needed before the team view shows any figure.",
    ),
    Setting(
        "PEER_MIN_GROUP",
        20,
        integer,
        "Peer benchmark: no percentile for a group of fewer other submissions than this.",
    ),
    Setting(
        "WEBHOOK_URLS",
        "",
        text,
        "Addresses (space-separated) that receive a signed JSON POST on every completed "
        "submission and pipeline change.",
    ),
    Setting("WEBHOOK_SECRET", "", text, "The webhooks' HMAC-SHA256 signing key.", secret=True),
    Setting(
        "WEBHOOK_ALLOW_PRIVATE",
        False,
        flag,
        "Allow private, loopback and link-local webhook targets (refused otherwise).",
    ),
    Setting(
        "WEBHOOK_TIMEOUT",
        10,
        number,
        "Seconds before a silent webhook target counts as down.",
    ),
    Setting("WEBHOOK_MAX_ATTEMPTS", 10, integer, "Attempts to post a webhook before giving up."),
    Setting(
        "APP_ENV",
        "development",
        text,
        '"production" forces HTTPS, HSTS and Secure __Host- cookies, and refuses to start while '
        "the call to action, contact line or legal links are placeholders; anything else is "
        "development.",
    ),
    Setting(
        "FRAME_ANCESTORS",
        "",
        text,
        "Sites allowed to frame the diagnostic (space-separated origins); nobody else may.",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        integer,
        "Reverse proxies in front of the app: only their X-Forwarded-For hops are trusted, so a "
        "forged header cannot dodge a rate limit.",
    ),
    Setting(
        "RATELIMIT_ENABLED",
        True,
        flag,
        "Rate limits on or off (off only for a load test from a single address).",
    ),
    Setting(
        "RATELIMIT_KEY_PREFIX",
        "assess",
        text,
        "Prefix of the rate-limit counters in Redis (several apps may share one server).",
    ),
    Setting(
        "RATELIMIT_START",
        "30 per hour",
        text,
        "Diagnostics (own, team or repeat) one visitor address may start.",
    ),
    Setting(
        "RATELIMIT_STEP",
        "600 per hour",
        text,
        "Answer pages (wizard and team) one visitor address may post.",
    ),
    Setting(
        "RATELIMIT_RESUME",
        "30 per hour",
        text,
        'Resume and "take it again" links one visitor address may open.',
    ),
    Setting("RATELIMIT_LOGIN", "10 per minute", text, "Back-office logins per visitor address."),
    Setting(
        "RATELIMIT_LOGIN_ACCOUNT",
        "20 per hour",
        text,
        "Back-office logins per account.",
    ),
    Setting(
        "RATELIMIT_PASSWORD_RESET",
        "10 per minute",
        text,
        'Back office: "forgotten password" requests per visitor address.',
    ),
    Setting(
        "RATELIMIT_PASSWORD_RESET_ACCOUNT",
        "5 per hour",
        text,
        'Back office: "forgotten password" requests per address typed (so no inbox is flooded).',
    ),
    # Each post writes a meeting, e-mails and a webhook; an executive books, moves or
    # cancels a few times at most, a seminar room behind one address a dozen.
    Setting(
        "RATELIMIT_BOOKING",
        "20 per hour",
        text,
        "Meeting bookings, moves and cancellations one visitor address may post.",
    ),
    Setting("LOG_JSON", False, flag, "Log lines as JSON (one object per line) instead of text."),
    Setting(
        "LOGIN_MAX_FAILURES",
        5,
        integer,
        "Back office: wrong passwords in a row before an account locks.",
    ),
    Setting(
        "LOGIN_LOCK_MINUTES",
        15,
        number,
        "Back office: how long a locked account stays locked, in minutes.",
    ),
    Setting(
        "INVITATION_LINK_HOURS",
        72,
        integer,
        "Back office: hours the link of a new account's invitation e-mail stays valid.",
    ),
    Setting(
        "PASSWORD_RESET_LINK_MINUTES",
        60,
        integer,
        "Back office: minutes a password reset link stays valid.",
    ),
    Setting(
        "BACKOFFICE_IDLE_MINUTES",
        30,
        number,
        "A consultant idle this many minutes is logged out.",
    ),
    Setting(
        "BACKOFFICE_SESSION_HOURS",
        12,
        number,
        "A back-office session ends this many hours after login, however busy (log in again).",
    ),
    # The follow-up cadence and its e-mails: follow_up.py.
    *FOLLOW_UP_SETTINGS,
    Setting("LEADS_PER_PAGE", 50, integer, "Rows per page of the leads list."),
    Setting(
        "RETENTION_DRAFT_DAYS",
        30,
        integer,
        "Abandoned drafts are purged after this many days.",
    ),
    Setting(
        "RETENTION_LEAD_MONTHS",
        36,
        integer,
        "Leads are purged this many months after their latest completion.",
    ),
    # Address confirmation (issue 15): nothing is sent on a respondent's behalf (report, team
    # invitations) until the owner of the address typed clicks the link of a fixed e-mail.
    Setting("CONFIRM_LINK_DAYS", 7, integer, "Days an address confirmation link stays valid."),
    Setting(
        "CONFIRM_PER_ADDRESS_DAY",
        3,
        integer,
        "Confirmation e-mails one address receives in 24 hours (the first and two re-sends).",
    ),
    # A seminar room behind one NAT stays under it; one attacker's machine reaches 30
    # strangers a day at most.
    Setting(
        "CONFIRM_PER_CLIENT_DAY",
        30,
        integer,
        "Confirmation e-mails one client (IPv4 address or IPv6 /64 network) may have sent in "
        "24 hours.",
    ),
    Setting(
        "RATELIMIT_CONFIRM",
        "10 per hour",
        text,
        'Rate limit per visitor address of the "send the link again" buttons and the '
        '"unwanted invitation" page (not the confirmation link\'s page).',
    ),
    Setting(
        "TEAM_INVITATIONS_PER_ADDRESS_DAY",
        20,
        integer,
        "Team invitation e-mails sent on behalf of one confirmed address in 24 hours (two "
        "teams of TEAM_MAX_INVITATIONS); the rest are held until the limit allows.",
    ),
    Setting(
        "TEAM_INVITATIONS_PER_DAY",
        200,
        integer,
        "Team invitation e-mails sent by the whole app in 24 hours (ten times a busy day's "
        "needs); the rest are held until the limit allows.",
    ),
)
