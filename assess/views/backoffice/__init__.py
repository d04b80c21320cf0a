"""The consultant's back office: every route here needs a logged-in account."""

from __future__ import annotations

import time

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from assess.accounts import load_user
from assess.extensions import login_manager

bp = Blueprint("backoffice", __name__, url_prefix="/backoffice")

# Routes reachable without a session: the login form and the secret calendar feed.
PUBLIC_ENDPOINTS = {"backoffice.login", "backoffice.calendar_feed"}


@bp.before_request
def require_login() -> ResponseReturnValue | None:
    """Refuse anyone not logged in; log out whoever stayed idle too long."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("backoffice.login", next=request.path))
    idle = float(current_app.config["BACKOFFICE_IDLE_MINUTES"]) * 60
    now = time.time()
    last_seen = session.get("last_seen", now)
    if now - float(last_seen) > idle:
        logout_user()
        session.clear()
        flash(_l("You were logged out after a period of inactivity."), "info")
        return redirect(url_for("backoffice.login", next=request.path))
    session["last_seen"] = now
    return None


def init_app(app: Flask) -> None:
    """Bind Flask-Login and register the back office."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "backoffice.login"
    login_manager.session_protection = "strong"
    from assess.views.backoffice import admin, analytics, auth, exports, leads, today  # noqa: F401

    app.register_blueprint(bp)
