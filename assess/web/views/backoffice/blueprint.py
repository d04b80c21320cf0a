"""The back office's blueprint: every route on it needs a logged-in account."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assess.db.models import User
from assess.tracker.backoffice_sessions import session_user

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

# Routes reachable without a session: the login form, the secret calendar feed, and the
# pages that set a password from an e-mailed link or ask for one.
PUBLIC_ENDPOINTS = {
    "backoffice.login",
    "backoffice.calendar_feed",
    "backoffice.forgotten_password",
    "backoffice.password_requested",
    "backoffice.accept_invitation",
    "backoffice.reset",
}
# The key of the cookie's session that holds the server-side session's id.
SESSION_KEY = "backoffice_session"


@bp.before_request
def require_login() -> ResponseReturnValue | None:
    """Refuse anyone without a live session; say so when it ended for inactivity."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if g.get("session_idle"):
            flash(_l("You were logged out after a period of inactivity."), "info")
        return redirect(url_for("backoffice.login", next=request.path))
    return None


def load_user(user_id: str) -> User | None:
    """The account of the live server-side session the cookie names, if it is this one."""
    check = session_user(session.get(SESSION_KEY))
    g.session_idle = check.idle
    if check.user is None or str(check.user.id) != user_id:
        return None
    return check.user
