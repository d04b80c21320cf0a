"""Back-office sessions kept on the server, so that ending one ends every copy of its cookie.

The session cookie carries a random id (256 bits); the `backoffice_sessions` table keeps
its SHA-256 digest, the account, when the session opened and when it was last seen.
Logging out deletes the row; a new login, a password change and a disabled account delete
every row of the account. A session idle for BACKOFFICE_IDLE_MINUTES, or open for
BACKOFFICE_SESSION_HOURS, ends however it is used.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, or_, select, update

from assess.db.database import PreparedStatement, write_one, write_transaction
from assess.db.models import BackofficeSession, User, aware, utcnow
from assess.extensions import db

# A session in use is written back at most this often (its idle clock is that precise).
SEEN_EVERY = timedelta(seconds=60)

_sessions = BackofficeSession.__table__
_SEEN = PreparedStatement(
    update(_sessions)
    .where(_sessions.c.id == bindparam("digest"))
    .values(last_seen_at=bindparam("now"))
)


@dataclass(frozen=True)
class SessionCheck:
    """Whose session a cookie names, or why it names nobody."""

    user: User | None
    idle: bool = False  # ended now for inactivity (the login page says so)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["BACKOFFICE_IDLE_MINUTES"]),
        timedelta(hours=config["BACKOFFICE_SESSION_HOURS"]),
    )


def open_session(user_id: int) -> str:
    """A new session of this account, its earlier ones ended; the id the cookie carries.

    Sessions of any account that have run out are deleted on the way.
    """
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    idle, lifetime = _limits()
    with write_transaction():
        db.session.execute(
            delete(BackofficeSession).where(
                or_(
                    BackofficeSession.user_id == user_id,
                    BackofficeSession.last_seen_at < now - idle,
                    BackofficeSession.created_at < now - lifetime,
                )
            )
        )
        db.session.add(
            BackofficeSession(
                id=_digest(session_id), user_id=user_id, created_at=now, last_seen_at=now
            )
        )
    return session_id


def session_user(session_id: str | None) -> SessionCheck:
    """The active account whose live session this id names; a run-out session ends here."""
    if not session_id or not isinstance(session_id, str) or len(session_id) > 100:
        return SessionCheck(None)
    digest = _digest(session_id)
    found = db.session.execute(
        select(BackofficeSession, User)
        .join(User, User.id == BackofficeSession.user_id)
        .where(BackofficeSession.id == digest)
    ).first()
    if found is None:
        return SessionCheck(None)
    row, user = found
    now = utcnow()
    idle, lifetime = _limits()
    last_seen = aware(row.last_seen_at)
    if now - last_seen > idle or now - aware(row.created_at) > lifetime:
        end_session(session_id)
        return SessionCheck(None, idle=now - last_seen > idle)
    if not user.active:
        return SessionCheck(None)
    if now - last_seen > SEEN_EVERY:
        # On a connection of its own: the request's transaction is not committed by a read.
        write_one(_SEEN, {"digest": digest, "now": now})
    return SessionCheck(user)


def end_session(session_id: str | None) -> None:
    """End this session (logout): every copy of its cookie opens nothing afterwards."""
    if not session_id or not isinstance(session_id, str):
        return
    with write_transaction():
        db.session.execute(
            delete(BackofficeSession).where(BackofficeSession.id == _digest(session_id))
        )


def end_account_sessions(user_id: int) -> None:
    """End every session of this account, in the caller's write transaction."""
    db.session.execute(delete(BackofficeSession).where(BackofficeSession.user_id == user_id))
