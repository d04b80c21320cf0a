"""The re-assessment link: a returning executive takes the diagnostic again."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from assess import reassessment, submissions
from assess.extensions import db
from assess.i18n import current_locale
from assess.models import Lead
from assess.questionnaire_store import current_questionnaire
from assess.security import rate_limited

bp = Blueprint("reassessment", __name__)


def _lead_id(token: str) -> int:
    days = int(current_app.config["REASSESS_LINK_DAYS"])
    return reassessment.lead_id_of(current_app.config["SECRET_KEY"], token, days)


@bp.get("/again/<token>")
@rate_limited("RATELIMIT_RESUME")
def welcome(token: str) -> ResponseReturnValue:
    """Who the link is for, when they last took the diagnostic, and a button to start."""
    try:
        lead = db.session.get(Lead, _lead_id(token))
    except reassessment.LinkExpired:
        return render_template("wizard/resume_expired.html"), 410
    except reassessment.LinkInvalid:
        abort(404)
    if lead is None:
        abort(404)
    return render_template("wizard/again.html", q=current_questionnaire(), lead=lead, token=token)


@bp.post("/again/<token>")
@rate_limited("RATELIMIT_START")
def start(token: str) -> ResponseReturnValue:
    """Start a new draft for the same lead, and go to its first step."""
    q = current_questionnaire()
    try:
        draft = reassessment.start_reassessment(q, _lead_id(token), current_locale())
    except reassessment.LinkExpired:
        return render_template("wizard/resume_expired.html"), 410
    except reassessment.LinkInvalid:
        abort(404)
    session["draft"] = draft.draft_key
    session.permanent = True
    first = submissions.wizard_steps(q, draft)[0]
    return redirect(url_for("wizard.step", step_id=first.id), code=303)
