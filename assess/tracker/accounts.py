"""Back-office accounts: argon2 password hashes, login with lockout, roles, invitations and
forgotten passwords.

Login never tells whether an address has an account: the message and the work
done (a hash check against a dummy hash) are the same either way. An invited account that
has not chosen its password yet is told so (its invitation link is how it logs in first).
A forgotten-password request does the same work whatever the address: a lookup, and for an
active account a task queued; the e-mail leaves from the worker.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from assess.core.contact import normalise_email
from assess.core.single_line import is_single_line
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import User, aware, utcnow
from assess.extensions import db
from assess.tracker.account_links import (
    INVITATION,
    RESET,
    is_pending,
    pending_hash,
    queue_account_mail,
    user_for_link,
)
from assess.tracker.backoffice_sessions import end_account_sessions
from assess.tracker.passwords import MAX_PASSWORD, PROBLEMS, password_problem

ROLES = ("admin", "consultant")
# What the back office calls each role.
ROLE_LABELS = {"admin": _l("Administrator"), "consultant": _l("Consultant")}
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, for constant-time refusals")


class AccountError(ValueError):
    """A refused account change, with a message for the admin."""


class PasswordRefused(AccountError):
    """A password the rules refuse; `problem` is a key of passwords.PROBLEMS."""

    def __init__(self, problem: str):
        super().__init__(f"password: {PROBLEMS[problem]}")
        self.problem = problem


class LoginRefused(Exception):
    """Wrong address or password, a disabled account, or a locked one: one message for all."""


class InvitationPending(LoginRefused):
    """An invited account that has not chosen its password yet."""


def create_user(email: str, password: str | None, role: str = "consultant", name: str = "") -> User:
    """A new account; AccountError says what is wrong. Without a password the account is
    invited: it gets an e-mail whose link sets its password, and cannot log in before."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or not is_single_line(email):
        raise AccountError("not an e-mail address")
    if not is_single_line(name):
        raise AccountError("name on more than one line")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password) if password is not None else None
    if problem:
        raise PasswordRefused(problem)
    with write_transaction():
        if find_user(email) is not None:
            raise AccountError("an account with this address exists")
        user = User(
            email=email,
            name=name.strip()[:150],
            password_hash=_hasher.hash(password) if password is not None else pending_hash(),
            role=role,
            active=True,
            calendar_token=secrets.token_urlsafe(32),
        )
        db.session.add(user)
        db.session.flush()
        record("user.create", f"user:{user.id}", {"role": role, "invited": password is None})
        if password is None:
            queue_account_mail(INVITATION, user.id)
    return user


def resend_invitation(user_id: int) -> None:
    """A new invitation e-mail; the earlier links no longer open anything."""
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None or not is_pending(user):
            raise AccountError("no pending invitation")
        user.password_hash = pending_hash()
        queue_account_mail(INVITATION, user.id)
        record("user.invitation_resent", f"user:{user.id}", {})


def request_password_reset(email: str) -> None:
    """Mail a reset link to this address if it names an active account that has a password;
    otherwise nothing. The caller's answer is the same either way."""
    user = find_user(email)
    if user is None or not user.active or is_pending(user):
        return
    with write_transaction():
        queue_account_mail(RESET, user.id)


def set_password_from_link(
    token: str, purpose: str, password: str, now: datetime | None = None
) -> User:
    """Set the password of the account a link opens (accepting an invitation, or resetting a
    forgotten password): the link then opens nothing, every session of the account ends.
    LinkExpired or LinkInvalid when the link does not open it (checked first), PasswordRefused.
    """
    user_for_link(token, purpose, now)
    problem = password_problem(password)
    if problem:
        raise PasswordRefused(problem)
    new_hash = _hasher.hash(password)
    with write_transaction():
        # Checked again in the write transaction: of two posts of one link, one wins.
        user = user_for_link(token, purpose, now, for_update=True)
        user.password_hash = new_hash
        user.failed_logins = 0
        user.locked_until = None
        end_account_sessions(user.id)
        action = "user.invitation_accepted" if purpose == INVITATION else "user.password_reset"
        record(action, f"user:{user.id}", {}, user_id=user.id)
    return user


def find_user(email: str) -> User | None:
    """The account with this address."""
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User:
    """The account these credentials open, or LoginRefused.

    After LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for
    LOGIN_LOCK_MINUTES, whatever is typed.
    """
    password = password[: MAX_PASSWORD * 4]  # a 1 MB password costs no more than a long one
    max_failures = current_app.config["LOGIN_MAX_FAILURES"]
    lock = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    with write_transaction():
        user = db.session.execute(
            select(User).where(User.email == normalise_email(email)).with_for_update()
        ).scalar_one_or_none()
        if user is None:
            _verify(_DUMMY_HASH, password)
            raise LoginRefused()
        if is_pending(user) and user.active:
            _verify(_DUMMY_HASH, password)
            raise InvitationPending()
        now = utcnow()
        locked = user.locked_until is not None and aware(user.locked_until) > now
        valid = _verify(user.password_hash, password)
        if locked or not user.active or not valid:
            if not valid and not locked:
                user.failed_logins += 1
                if user.failed_logins >= max_failures:
                    user.locked_until = now + lock
                    user.failed_logins = 0
                    record("user.locked", f"user:{user.id}", {}, user_id=user.id)
            return_refusal = True
        else:
            return_refusal = False
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            record("user.login", f"user:{user.id}", {}, user_id=user.id)
    if return_refusal:
        raise LoginRefused()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(user_id: int, password: str) -> None:
    """Change a password (ends the user's sessions)."""
    problem = password_problem(password)
    if problem:
        raise PasswordRefused(problem)
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise AccountError("no such account")
        user.password_hash = _hasher.hash(password)
        end_account_sessions(user.id)
        user.failed_logins = 0
        user.locked_until = None
        record("user.password", f"user:{user.id}", {})


def set_active(user_id: int, active: bool) -> User:
    """Enable or disable an account (a disabled one is logged out at once)."""
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise AccountError("no such account")
        user.active = active
        end_account_sessions(user.id)
        record("user.enable" if active else "user.disable", f"user:{user.id}", {})
    return user


def set_role(user_id: int, role: str) -> User:
    """Make an account admin or consultant."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise AccountError("no such account")
        user.role = role
        record("user.role", f"user:{user.id}", {"role": role})
    return user


def all_users() -> list[User]:
    """Every account, by address."""
    return list(db.session.execute(select(User).order_by(User.email)).scalars())
