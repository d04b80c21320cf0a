"""Security headers, cookies, proxies and rate limits, set by configuration.

Production (`APP_ENV=production`) forces HTTPS, HSTS and `Secure` cookies with the
`__Host-` prefix; development and the tests relax only that, by configuration.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from flask import Flask, Response, abort, current_app, g, request
from flask_limiter import Limiter
from flask_talisman import Talisman
from limits import RateLimitItem
from limits import parse as parse_limit

import assess.web.rate_limit_storage  # noqa: F401 - registers the process-memory:// storage
from assess.core.client_networks import client_network
from assess.web import proxies


def content_security_policy(frame_ancestors: list[str]) -> dict[str, Any]:
    """Our own files only; scripts and styles need the page's nonce; framing only where allowed."""
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": " ".join(["'self'", *frame_ancestors]) if frame_ancestors else "'none'",
    }


def init_app(app: Flask) -> None:
    """Headers on every response, the proxy hops we trust, the rate limiter."""
    proxies.init_app(app)  # first: a request for a host we do not serve goes no further
    config = app.config
    production = config["APP_ENV"] == "production"
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["REMEMBER_COOKIE_SECURE"] = True
    frame_ancestors = frame_ancestor_origins(config)
    # Registered before Talisman, so they run after it on the way out.
    app.after_request(never_frame_the_back_office)
    app.after_request(keep_personal_data_out_of_caches)
    # One Talisman per app: it keeps its settings on itself, not on the app.
    app.extensions["assess.talisman"] = Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=content_security_policy(frame_ancestors),
        content_security_policy_nonce_in=["script-src", "style-src"],
        frame_options=None if frame_ancestors else "DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    app.before_request(refuse_nul_bytes)
    # Without Redis, counters in each process's memory (assess/rate_limit_storage.py).
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "process-memory://")
    # No X-RateLimit-* headers on every limited response (working them out cost a fifth of a
    # wizard step's post): a refused request gets Retry-After on its 429 page (views/errors).
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)


def frame_ancestor_origins(config: Any) -> list[str]:
    """The origins allowed to frame the diagnostic (FRAME_ANCESTORS)."""
    return [origin for origin in config["FRAME_ANCESTORS"].split() if origin]


_FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


def never_frame_the_back_office(response: Response) -> Response:
    """Only the respondent's pages may be embedded: the back office is never framed."""
    if request.path.startswith("/backoffice"):
        policy = response.headers.get("Content-Security-Policy")
        if policy:
            response.headers["Content-Security-Policy"] = _FRAME_ANCESTORS.sub(
                "frame-ancestors 'none'", policy
            )
        response.headers["X-Frame-Options"] = "DENY"
    return response


# Pages that show a person's data or sit behind a link made for one person: the back office,
# the respondent's results, report and team view, a team member's answers, the address
# confirmation, re-assessment, booking and unsubscribe links, the wizard's steps (answers,
# contact details, the live visibility of its questions) and its resume link.
PRIVATE_BLUEPRINTS = frozenset(
    {"backoffice", "results", "team", "reassessment", "confirmation", "booking", "unsubscribe"}
)
PRIVATE_ENDPOINTS = frozenset(
    {"wizard.step", "wizard.save_step", "wizard.visibility", "wizard.resume", "wizard.resume_here"}
)


def keep_personal_data_out_of_caches(response: Response) -> Response:
    """No browser or proxy keeps a copy of a page with personal data (the back button
    fetches it again), and no search engine lists it, even through a link that leaked."""
    if request.blueprint in PRIVATE_BLUEPRINTS or request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def refuse_nul_bytes() -> None:
    """A NUL byte in the address or a field is never legitimate (PostgreSQL refuses it): 400."""
    if "\x00" in request.path or any(
        "\x00" in value
        for source in (request.args, request.form)
        for _, values in source.lists()
        for value in values
    ):
        abort(400)


def rate_limited(
    setting: str, per: str = "address", methods: list[str] | None = None
) -> Callable[..., Any]:
    """Mark a view for a configured limit; `apply_rate_limits` enforces it, per app.

    `per` is "address" (the visitor: its IPv4 address or IPv6 /64 network) or "account"
    (the e-mail typed at login).
    """

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        marks = [*getattr(view, "_rate_limits", []), (setting, per, methods)]
        view._rate_limits = marks  # type: ignore[attr-defined]
        return view

    return mark


def apply_rate_limits(app: Flask) -> None:
    """One limiter per app (its own storage and switch), checking the views marked for limits.

    Flask-Limiter sets up the storage (Redis, or `process-memory://`), the strategy and
    the switch from the RATELIMIT_* settings. A marked view's limits are one `hit` each
    on that strategy: Flask-Limiter's decorator worked out every limit of the request
    again, a tenth of a wizard step's post.
    """
    limiter = Limiter(key_func=client_network_key, app=app, default_limits=[])
    app.extensions["assess.limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        marks = getattr(view, "_rate_limits", None)
        if marks:
            app.view_functions[endpoint] = _limited(limiter, endpoint, view, marks)


def _limited(
    limiter: Limiter, endpoint: str, view: Callable[..., Any], marks: list[Any]
) -> Callable[..., Any]:
    checks = [
        (setting, _KEYS[per], frozenset(methods) if methods else None)
        for setting, per, methods in marks
    ]

    @wraps(view)
    def limited_view(*args: Any, **kwargs: Any) -> Any:
        if limiter.enabled:
            refused = [
                found
                for setting, key, methods in checks
                if methods is None or request.method in methods
                if (found := _hit(limiter, setting, endpoint, key())) is not None
            ]
            if refused:
                g.refused_limits = refused
                abort(429)
        return view(*args, **kwargs)

    return limited_view


def _hit(
    limiter: Limiter, setting: str, endpoint: str, key: str
) -> tuple[RateLimitItem, tuple[str, ...]] | None:
    """Count this request against a limit: the limit and its counter when it is over.

    Every limit of the view counts the request, as Flask-Limiter's decorator did. A storage
    that fails lets the request through (logged): a respondent never gets a 500 because
    Redis is away.
    """
    config = current_app.config
    item = _parsed_limit(config[setting])
    identifiers = (config["RATELIMIT_KEY_PREFIX"], endpoint, key)
    try:
        allowed = limiter.limiter.hit(item, *identifiers)
    except Exception:
        current_app.logger.warning("rate limit storage failed; request let through", exc_info=True)
        return None
    return None if allowed else (item, identifiers)


@lru_cache(maxsize=64)
def _parsed_limit(text: str) -> RateLimitItem:
    return parse_limit(text)


def retry_after_seconds() -> int | None:
    """When every limit that refused this request lets the visitor try again, if known."""
    limiter = current_app.extensions.get("assess.limiter")
    if limiter is None or not limiter.enabled:
        return None
    try:
        refused = g.get("refused_limits")
        if refused:
            reset_at = max(
                limiter.limiter.get_window_stats(item, *identifiers).reset_time
                for item, identifiers in refused
            )
        elif limiter.current_limit is not None:  # a limit Flask-Limiter checked itself
            reset_at = limiter.current_limit.reset_at
        else:
            return None
    except Exception:  # asking the storage again must not turn a 429 into a 500
        return None
    return max(1, math.ceil(reset_at - time.time()))


def client_address() -> str:
    """The visitor's address as the trusted proxies report it (never a header it wrote)."""
    return request.remote_addr or "127.0.0.1"


def client_network_key() -> str:
    """Rate-limit key for a visitor: its IPv4 address, or its IPv6 /64 network (one customer's
    line, every address of which is theirs)."""
    return client_network(client_address())


def login_account_key() -> str:
    """Rate-limit key for login attempts on one account, whoever sends them."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login-account:{email}"


# Whose requests a limit counts (`rate_limited(per=...)`).
_KEYS: dict[str, Callable[[], str]] = {
    "address": client_network_key,
    "account": login_account_key,
}
