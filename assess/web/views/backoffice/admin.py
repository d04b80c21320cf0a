"""Admin pages: accounts, the audit log, the embedding snippet, the webhook posts."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assess.db.audit import recent_entries
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import translate
from assess.outbox import webhooks
from assess.outbox.links import public_url
from assess.tracker import accounts
from assess.web.embedding import snippet
from assess.web.security import frame_ancestor_origins
from assess.web.views.backoffice.blueprint import bp


def admin_only(view: Any) -> Any:
    """Refuse consultants: only admins manage accounts and read the log."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


ACCOUNT_ERRORS = {
    "not an e-mail address": _l("Enter a valid e-mail address."),
    "an account with this address exists": _l("An account with this address exists."),
    "no such account": _l("This account does not exist."),
    "name on more than one line": _l("Write the name on one line, without special characters."),
}
# Why a password is refused (assess/passwords.py), said beside the field.
PASSWORD_ERRORS = {
    "too short": _l("The password needs 12 to 128 characters."),
    "too long": _l("The password needs 12 to 128 characters."),
    "too common": _l(
        "This password is too common, even with digits or symbols added: choose another."
    ),
    "repeated": _l("A password that repeats one character or a short sequence is refused."),
}


@bp.get("/users")
@admin_only
def users() -> ResponseReturnValue:
    """The accounts."""
    return render_template(
        "backoffice/users.html", users=accounts.all_users(), roles=accounts.ROLE_LABELS
    )


@bp.post("/users")
@admin_only
def create_user() -> ResponseReturnValue:
    """Create an account from the admin page."""
    form = request.form
    try:
        accounts.create_user(
            form.get("email", ""),
            form.get("password", ""),
            form.get("role", "consultant"),
            form.get("name", ""),
        )
    except accounts.AccountError as error:
        password_error = None
        if isinstance(error, accounts.PasswordRefused):
            password_error = PASSWORD_ERRORS[error.problem]
        else:
            message = ACCOUNT_ERRORS.get(str(error), _l("This account could not be created."))
            flash(message, "error")
        return render_template(
            "backoffice/users.html",
            users=accounts.all_users(),
            roles=accounts.ROLE_LABELS,
            typed=form,
            password_error=password_error,
        ), 422
    flash(_l("Account created."), "info")
    return redirect(url_for("backoffice.users"), code=303)


@bp.post("/users/<int:user_id>/active")
@admin_only
def set_active(user_id: int) -> ResponseReturnValue:
    """Enable or disable an account."""
    if user_id == current_user.id:
        flash(_l("You cannot disable your own account."), "error")
        return redirect(url_for("backoffice.users"), code=303)
    try:
        accounts.set_active(user_id, request.form.get("active") == "1")
    except accounts.AccountError:
        abort(404)
    return redirect(url_for("backoffice.users"), code=303)


@bp.post("/users/<int:user_id>/role")
@admin_only
def set_role(user_id: int) -> ResponseReturnValue:
    """Make an account admin or consultant."""
    try:
        accounts.set_role(user_id, request.form.get("role", ""))
    except accounts.AccountError:
        flash(_l("Choose a role from the list."), "error")
    return redirect(url_for("backoffice.users"), code=303)


@bp.get("/audit")
@admin_only
def audit() -> ResponseReturnValue:
    """Who did what, when."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 1_000_000:
        abort(400)
    entries, total = recent_entries(int(raw))
    return render_template("backoffice/audit.html", entries=entries, total=total, page=int(raw))


@bp.get("/embed")
@admin_only
def embed() -> ResponseReturnValue:
    """The snippet that embeds the diagnostic in the consultancy's site, and who may."""
    config = current_app.config
    q = current_questionnaire()
    return render_template(
        "backoffice/embed.html",
        snippet=snippet(public_url("wizard.landing"), translate(q.title)),
        origins=frame_ancestor_origins(config),
    )


@bp.get("/webhooks")
@admin_only
def webhooks_page() -> ResponseReturnValue:
    """The latest webhook posts: where, what became of them, and why."""
    return render_template(
        "backoffice/webhooks.html",
        rows=webhooks.recent_webhooks(100),
        configured=webhooks.configured_urls(current_app.config),
    )


@bp.post("/webhooks/<int:row_id>/resend")
@admin_only
def resend_webhook(row_id: int) -> ResponseReturnValue:
    """Post a webhook again."""
    if not webhooks.resend_webhook(row_id):
        abort(404)
    flash(_l("The webhook is queued again."), "info")
    return redirect(url_for("backoffice.webhooks_page"), code=303)
