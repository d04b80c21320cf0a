"""The consultant's back office: its blueprint, then its pages, one module per area."""

from __future__ import annotations

from flask import Flask

from assess.extensions import login_manager
from assess.web.views.backoffice import (
    admin,
    analytics,
    auth,
    availability,
    exports,
    leads,
    passwords,
    today,
)
from assess.web.views.backoffice.blueprint import bp, load_user

# The modules above add their routes to the blueprint when imported.
PAGES = (admin, analytics, auth, availability, exports, leads, passwords, today)


def init_app(app: Flask) -> None:
    """Bind Flask-Login and register the back office."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "backoffice.login"
    # The session is also bound to the client's address (as the trusted proxies report it,
    # assess/web/proxies.py) and browser: a copied cookie replayed elsewhere opens nothing.
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
