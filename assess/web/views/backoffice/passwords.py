"""Choosing a password from an e-mailed link (an invitation, a reset) and asking for a reset.

A forged or used link answers 404, an expired one 410, and nothing changes. Asking for a
reset answers the same redirect whether the address has an account or not.
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from assess.outbox.links import LinkExpired, LinkInvalid
from assess.tracker.account_links import INVITATION, RESET, user_for_link
from assess.tracker.accounts import PasswordRefused, request_password_reset, set_password_from_link
from assess.web.security import rate_limited
from assess.web.views.backoffice.blueprint import bp

# Why a password is refused (assess/tracker/passwords.py), said beside the field.
PASSWORD_ERRORS = {
    "too short": _l("The password needs 12 to 128 characters."),
    "too long": _l("The password needs 12 to 128 characters."),
    "too common": _l(
        "This password is too common, even with digits or symbols added: choose another."
    ),
    "repeated": _l("A password that repeats one character or a short sequence is refused."),
}
_REQUIRED = _l("This field is required.")


class ForgottenPasswordForm(FlaskForm):
    """The address of the account."""

    email = EmailField(_l("E-mail"), [InputRequired(message=_REQUIRED), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password (12 to 128 characters)"), [InputRequired(message=_REQUIRED)]
    )
    confirm = PasswordField(
        _l("The same password again"),
        [
            InputRequired(message=_REQUIRED),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


@bp.route("/password/forgotten", methods=["GET", "POST"])
@rate_limited("RATELIMIT_PASSWORD_RESET", methods=["POST"])
@rate_limited("RATELIMIT_PASSWORD_RESET_ACCOUNT", per="account", methods=["POST"])
def forgotten_password() -> ResponseReturnValue:
    """Ask for a reset link; the same answer whether the address has an account or not."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data or "")
        return redirect(url_for("backoffice.password_requested"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("backoffice/password_forgotten.html", form=form), status


@bp.get("/password/requested")
def password_requested() -> ResponseReturnValue:
    """What every reset request is told."""
    return render_template("backoffice/password_requested.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """An invited account chooses its password."""
    return _choose_password(token, INVITATION)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    """An account that forgot its password chooses a new one."""
    return _choose_password(token, RESET)


def _refuse(error: Exception) -> NoReturn:
    abort(410 if isinstance(error, LinkExpired) else 404)


def _choose_password(token: str, purpose: str) -> ResponseReturnValue:
    try:
        user = user_for_link(token, purpose)
    except (LinkExpired, LinkInvalid) as error:
        _refuse(error)
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            set_password_from_link(token, purpose, form.password.data or "")
        except (LinkExpired, LinkInvalid) as error:
            _refuse(error)
        except PasswordRefused as error:
            form.password.errors = [PASSWORD_ERRORS[error.problem]]
            status = 422
        else:
            flash(_l("Your password is set: log in with it."), "info")
            return redirect(url_for("backoffice.login"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "backoffice/choose_password.html", form=form, invitation=purpose == INVITATION, user=user
    ), status
