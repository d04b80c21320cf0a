"""The addresses that leave the app (e-mails, webhooks, calendar feeds, the embedding
snippet), and the signed re-assessment link.

Every public address comes from the URL map, so renaming a route changes its links too.
It is built under PUBLIC_URL's scheme, host and path prefix, in the worker (no request) as
in a request, whose own host never reaches a message.

The re-assessment link, carried by the report e-mail and the results page, names the lead
by its random `link_key` (never by its id, which SQLite could give to the next lead).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from assess.core.web_address import with_query
from assess.db.models import ConsultantAvailability, Lead, Submission, User
from assess.extensions import db

# The links name a lead by its `link_key`, a random secret: an id, given again to the next
# lead once the first was deleted, named the wrong person. Links signed under the old salt
# (around an id) no longer verify.
SALT = "reassessment-link-by-key"


def public_url(endpoint: str, **values: Any) -> str:
    """The full public address of an endpoint: PUBLIC_URL's scheme, host and path prefix."""
    app = current_app
    public = urlsplit(str(app.config["PUBLIC_URL"]))
    adapter = app.url_map.bind(
        public.netloc,
        script_name=public.path.rstrip("/") or "/",
        url_scheme=public.scheme or "http",
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def booking_page_url(submission: Submission) -> str:
    """Where a lead books a call: BOOKING_URL (an outside scheduler) with their name and
    e-mail prefilled when set, else the built-in booking page of their results while some
    consultant takes meetings there; else "" (the questionnaire's own address, if any)."""
    outside = current_app.config["BOOKING_URL"]
    lead = submission.lead
    if outside:
        if lead is None:
            return str(outside)
        return with_query(outside, {"name": lead.full_name, "email": lead.email})
    if not submission.public_token or not someone_takes_meetings():
        return ""
    return public_url("booking.choose", token=submission.public_token)


def someone_takes_meetings() -> bool:
    """Whether an active consultant has set weekly hours: until one has, the built-in booking
    page would offer no time, so the call to action keeps the questionnaire's address."""
    weekly = db.session.execute(
        select(ConsultantAvailability.weekly_hours)
        .join(User, User.id == ConsultantAvailability.user_id)
        .where(User.active.is_(True))
    ).scalars()
    return any(any(ranges for ranges in (hours or {}).values()) for hours in weekly)


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was forged, damaged, or its lead no longer exists."""


def link_token(secret: str, link_key: str, salt: str = SALT) -> str:
    """The signed token of a lead's link (the re-assessment's, or another `salt`'s)."""
    return str(URLSafeTimedSerializer(secret, salt=salt).dumps({"key": link_key}))


def link_url(lead: Lead) -> str:
    """The full public address of a lead's re-assessment link (for e-mails and pages)."""
    token = link_token(current_app.config["SECRET_KEY"], lead.link_key)
    return public_url("reassessment.welcome", token=token)


def signed_data(
    serializer: URLSafeTimedSerializer, token: str, max_age_seconds: int
) -> dict[str, Any]:
    """What a signed link carries; LinkExpired (genuine but too old) or LinkInvalid (forged,
    damaged, or not the mapping every link of the app signs)."""
    try:
        data = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict):
        raise LinkInvalid
    return data


def lead_of(secret: str, token: str, max_age_days: int, salt: str = SALT) -> Lead:
    """The lead a token was made for; LinkExpired, or LinkInvalid (its lead is gone too)."""
    data = signed_data(URLSafeTimedSerializer(secret, salt=salt), token, max_age_days * 86400)
    key = data.get("key")
    if not isinstance(key, str) or not key:
        raise LinkInvalid
    lead: Lead | None = db.session.execute(
        select(Lead).where(Lead.link_key == key)
    ).scalar_one_or_none()
    if lead is None:
        raise LinkInvalid
    return lead
