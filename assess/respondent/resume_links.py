"""The resume link: a signed, expiring address back to a draft, on this device or another.

It signs the draft's key, a random secret (never an id); opening it in another browser moves
the draft there under a new key (assess/drafts.py `take_over`), so a link works once
elsewhere.
"""

from __future__ import annotations

import time

from flask import current_app, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "resume-link"
# Resume links kept per worker, and for how long one is shown again before a new one is signed.
MAX_RESUME_LINKS = 4096
RESUME_LINK_REUSE_SECONDS = 600


def _serializer() -> URLSafeTimedSerializer:
    # Built once per app and key: building one costs a third of signing a link.
    secret = current_app.config["SECRET_KEY"]
    found = current_app.extensions.get("assess.resume_serializer")
    if found is None or found[0] != secret:
        found = (secret, URLSafeTimedSerializer(secret, salt=SALT))
        current_app.extensions["assess.resume_serializer"] = found
    return found[1]


def resume_link(draft_key: str) -> str:
    """A signed, expiring link back to the draft with this key, usable on another device.

    Every step page shows it; a link signed in the last RESUME_LINK_REUSE_SECONDS is shown
    again instead of signing a new one (the signature cost a tenth of the page), so a link
    may expire that much sooner than RESUME_MAX_AGE_DAYS after it was shown.
    """
    links: dict[tuple[str, str, str], tuple[float, str]]
    links = current_app.extensions.setdefault("assess.respondent.resume_links", {})
    key = (current_app.config["SECRET_KEY"], draft_key, request.host_url)
    now = time.monotonic()
    found = links.get(key)
    if found is not None and now - found[0] < RESUME_LINK_REUSE_SECONDS:
        return found[1]
    token = _serializer().dumps(draft_key)
    link = url_for("wizard.resume", token=token, _external=True)
    if len(links) >= MAX_RESUME_LINKS:
        links.clear()
    links[key] = (now, link)
    return link


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was forged or damaged."""


def draft_key_of(token: str, max_age_seconds: int) -> str:
    """The draft key a resume link was signed around; LinkExpired or LinkInvalid otherwise."""
    try:
        key = _serializer().loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        raise LinkInvalid from None
    if not isinstance(key, str) or not key:
        raise LinkInvalid
    return key
