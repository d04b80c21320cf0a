"""The links an account receives by e-mail: the invitation that sets a new account's first
password, and the link that resets a forgotten one.

No table keeps them. A link signs the account's id and a fingerprint of what setting a
password changes (the password hash; the last login too), under a salt per purpose and with
its time: setting the password, logging in, or sending a new invitation (a new placeholder
hash) makes every earlier link invalid, so a link works once. An invited account's hash is a
placeholder no password matches, so it cannot log in before it accepts.

The e-mails are sent by the worker (a task per purpose, queued after the commit), rendered
from templates/email/account_invitation and templates/email/password_reset in the app's
language (LANGUAGES[0]), as the consultant's own notifications are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from assess.db.models import User
from assess.extensions import db
from assess.outbox.links import LinkInvalid, public_url, signed_data
from assess.outbox.mail import DeliveryError, Outgoing, compose, send, settings_from_config
from assess.outbox.rows import Attempt
from assess.outbox.tasks import enqueue_after_commit, task

# The two purposes; each is the salt of its links and the name of the task that mails them.
INVITATION = "account-invitation"
RESET = "password-reset"
# An invited account's password hash until it chooses a password (argon2 hashes start "$").
PENDING_PREFIX = "!invited:"


def pending_hash() -> str:
    """A new placeholder hash: no password matches it, and it differs from any earlier one."""
    return PENDING_PREFIX + secrets.token_urlsafe(24)


def is_pending(user: User) -> bool:
    """Whether the account was invited and has not chosen its password yet."""
    return user.password_hash.startswith(PENDING_PREFIX)


def _fingerprint(user: User) -> str:
    last_login = user.last_login_at.isoformat() if user.last_login_at else ""
    return hashlib.sha256(f"{user.password_hash}|{last_login}".encode()).hexdigest()[:32]


def _lifetime(purpose: str) -> timedelta:
    config = current_app.config
    if purpose == INVITATION:
        return timedelta(hours=config["INVITATION_LINK_HOURS"])
    return timedelta(minutes=config["PASSWORD_RESET_LINK_MINUTES"])


def _serializer(purpose: str, now: datetime | None) -> URLSafeTimedSerializer:
    """The serializer of a purpose; with `now`, one whose clock reads `now` (tests, no sleep)."""
    secret = current_app.config["SECRET_KEY"]
    if now is None:
        return URLSafeTimedSerializer(secret, salt=purpose)
    stamp = int(now.timestamp())

    class _Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret, salt=purpose, signer=_Then)


def account_token(user: User, purpose: str, now: datetime | None = None) -> str:
    """The signed token of an account's link, valid until its state changes or it expires."""
    return str(_serializer(purpose, now).dumps({"u": user.id, "f": _fingerprint(user)}))


def user_for_link(
    token: str, purpose: str, now: datetime | None = None, for_update: bool = False
) -> User:
    """The account a link still opens; LinkExpired (genuine but too old) or LinkInvalid
    (forged, used, superseded, or its account disabled or gone)."""
    max_age = int(_lifetime(purpose).total_seconds())
    data = signed_data(_serializer(purpose, now), token, max_age)
    user_id, fingerprint = data.get("u"), data.get("f")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        raise LinkInvalid
    user = db.session.get(
        User, user_id, with_for_update=True if for_update else None, populate_existing=for_update
    )
    if user is None or not user.active:
        raise LinkInvalid
    if not hmac.compare_digest(_fingerprint(user), fingerprint):
        raise LinkInvalid
    if is_pending(user) != (purpose == INVITATION):
        raise LinkInvalid
    return user


def queue_account_mail(purpose: str, user_id: int) -> None:
    """Have the worker mail this account its link once the current transaction commits."""
    enqueue_after_commit(purpose, [user_id])


@task(INVITATION)
def send_invitation(user_id: int) -> Attempt:
    """Mail an invited account the link that sets its password (unless it accepted since)."""
    return _send(INVITATION, user_id)


@task(RESET)
def send_reset(user_id: int) -> Attempt:
    """Mail an account the link that resets its password."""
    return _send(RESET, user_id)


def account_message(purpose: str, user: User) -> Outgoing:
    """The e-mail carrying an account's link, in the app's language."""
    config = current_app.config
    locale = config["LANGUAGES"][0]
    endpoint = "backoffice.accept_invitation" if purpose == INVITATION else "backoffice.reset"
    domain = config["MAIL_FROM"].rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    with force_locale(locale):
        return Outgoing(
            template="account_invitation" if purpose == INVITATION else "password_reset",
            to_address=user.email,
            to_name="",
            message_id=f"<{purpose}.{user.id}.{secrets.token_hex(8)}@{domain}>",
            context={
                "link_url": public_url(endpoint, token=account_token(user, purpose)),
                "email": user.email,
                "name": user.name,
                "hours": config["INVITATION_LINK_HOURS"],
                "minutes": config["PASSWORD_RESET_LINK_MINUTES"],
                "login_url": public_url("backoffice.login"),
                "brand": config["BRAND_NAME"],
            },
            locale=locale,
        )


def _send(purpose: str, user_id: int) -> Attempt:
    """One attempt. A failure is logged, not retried: the admin's "send again" button and
    the forgotten-password form are the retries, and each gives a fresh link."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or is_pending(user) != (purpose == INVITATION):
        return Attempt("skipped")
    settings = settings_from_config(current_app.config, current_app.instance_path)
    try:
        message = compose(account_message(purpose, user), settings.sender)
        db.session.rollback()  # no transaction stays open while SMTP talks
        send(message, settings)
    except DeliveryError as error:
        current_app.logger.error("%s e-mail to user %s failed: %s", purpose, user_id, error)
        return Attempt("failed", error=str(error))
    return Attempt("sent")
