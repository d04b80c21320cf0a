"""Back-office accounts: argon2 password hashes, login with lockout, roles.

Login never tells whether an address has an account: the message and the work
done (a hash check against a dummy hash) are the same either way.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from assess.core.single_line import is_single_line
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import User, aware, utcnow
from assess.extensions import db
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


def normalise_email(email: str) -> str:
    """Addresses compare without case or surrounding spaces."""
    return (email or "").strip().lower()


def create_user(email: str, password: str, role: str = "consultant", name: str = "") -> User:
    """A new account; AccountError says what is wrong."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or not is_single_line(email):
        raise AccountError("not an e-mail address")
    if not is_single_line(name):
        raise AccountError("name on more than one line")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise PasswordRefused(problem)
    with write_transaction():
        if find_user(email) is not None:
            raise AccountError("an account with this address exists")
        user = User(
            email=email,
            name=name.strip()[:150],
            password_hash=_hasher.hash(password),
            role=role,
            active=True,
            calendar_token=secrets.token_urlsafe(32),
        )
        db.session.add(user)
        db.session.flush()
        record("user.create", f"user:{user.id}", {"role": role})
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
