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
from assess.tracker.account_links import is_pending
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


# Why an account is refused: the field to say it beside, and what to say.
ACCOUNT_ERRORS = {
    "not an e-mail address": ("email", _l("Enter a valid e-mail address.")),
    "an account with this address exists": ("email", _l("An account with this address exists.")),
    "role must be one of admin, consultant": ("role", _l("Choose a role from the list.")),
    "name on more than one line": (
        "name",
        _l("Write the name on one line, without special characters."),
    ),
}


@bp.get("/users")
@admin_only
def users() -> ResponseReturnValue:
    """The accounts."""
    return _users_page()


def _users_page(**extra: Any) -> str:
    return render_template(
        "backoffice/users.html",
        users=accounts.all_users(),
        roles=accounts.ROLE_LABELS,
        is_pending=is_pending,
        **extra,
    )


@bp.post("/users")
@admin_only
def create_user() -> ResponseReturnValue:
    """Invite a new account: it chooses its password from the link of the e-mail it gets."""
    form = request.form
    try:
        accounts.create_user(
            form.get("email", ""), None, form.get("role", "consultant"), form.get("name", "")
        )
    except accounts.AccountError as error:
        field, message = ACCOUNT_ERRORS.get(
            str(error), ("email", _l("This account could not be created."))
        )
        return _users_page(typed=form, errors={field: message}), 422
    flash(_l("Account created: an invitation e-mail is on its way."), "info")
    return redirect(url_for("backoffice.users"), code=303)


@bp.post("/users/<int:user_id>/invitation")
@admin_only
def resend_invitation(user_id: int) -> ResponseReturnValue:
    """Send an invited account a new invitation (the earlier links stop working)."""
    try:
        accounts.resend_invitation(user_id)
    except accounts.AccountError:
        abort(404)
    flash(_l("The invitation is sent again."), "info")
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
