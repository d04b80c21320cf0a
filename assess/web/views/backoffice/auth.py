"""Login and logout."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from assess.core.web_address import is_local_path
from assess.tracker.accounts import InvitationPending, LoginRefused, authenticate
from assess.tracker.backoffice_sessions import end_session, open_session
from assess.web.security import rate_limited
from assess.web.views.backoffice.blueprint import SESSION_KEY, bp


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        _l("E-mail"), [InputRequired(message=_l("This field is required.")), Length(max=254)]
    )
    password = PasswordField(_l("Password"), [InputRequired(message=_l("This field is required."))])


def _safe_next(target: str | None) -> str:
    if target and is_local_path(target, under="/backoffice"):
        return target
    return url_for("backoffice.leads")


@bp.route("/login", methods=["GET", "POST"])
@rate_limited("RATELIMIT_LOGIN", methods=["POST"])
@rate_limited("RATELIMIT_LOGIN_ACCOUNT", per="account", methods=["POST"])
def login() -> ResponseReturnValue:
    """The login form; a new session on success, one message for every refusal."""
    if current_user.is_authenticated:
        return redirect(url_for("backoffice.leads"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data or "", form.password.data or "")
        except InvitationPending:
            flash(
                _l(
                    "This account is not activated yet: choose your password with the link of "
                    "the invitation e-mail, or ask an administrator to send it again."
                ),
                "error",
            )
            status = 401
        except LoginRefused:
            flash(_l("Wrong e-mail or password, or the account is locked for a while."), "error")
            status = 401
        else:
            target = _safe_next(request.args.get("next"))
            language = session.get("lang")  # a preference, not a credential: it carries over
            session.clear()  # a fresh session: nothing else from before the login survives
            session[SESSION_KEY] = open_session(user.id)
            login_user(user)
            if language:
                session["lang"] = language
            return redirect(target, code=303)
    elif request.method == "POST":
        status = 422
    return render_template("backoffice/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out (by POST, with the CSRF token): the server-side session ends, every copy of it."""
    end_session(session.get(SESSION_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("backoffice.login"), code=303)
