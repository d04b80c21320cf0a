"""The re-assessment link: a returning executive takes the diagnostic again."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from assess.db.models import Lead
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import current_locale
from assess.outbox import links
from assess.respondent import reassessment, submissions
from assess.web.security import rate_limited

bp = Blueprint("reassessment", __name__)


def _lead(token: str) -> Lead:
    days = current_app.config["REASSESS_LINK_DAYS"]
    return links.lead_of(current_app.config["SECRET_KEY"], token, days)


def _refused(error: Exception) -> ResponseReturnValue:
    """The page for a link that leads nowhere: expired, or forged, damaged, its lead gone."""
    if isinstance(error, links.LinkExpired):
        return render_template("wizard/resume_expired.html"), 410
    return render_template("wizard/link_invalid.html"), 404


@bp.get("/again/<token>")
@rate_limited("RATELIMIT_RESUME")
def welcome(token: str) -> ResponseReturnValue:
    """Who the link is for, when they last took the diagnostic, and a button to start."""
    try:
        lead = _lead(token)
    except (links.LinkExpired, links.LinkInvalid) as error:
        return _refused(error)
    return render_template("wizard/again.html", q=current_questionnaire(), lead=lead, token=token)


@bp.post("/again/<token>")
@rate_limited("RATELIMIT_START")
def start(token: str) -> ResponseReturnValue:
    """Start a new draft for the same lead, and go to its first step."""
    q = current_questionnaire()
    try:
        draft = reassessment.start_reassessment(q, _lead(token), current_locale())
    except (links.LinkExpired, links.LinkInvalid) as error:
        return _refused(error)
    session["draft"] = draft.draft_key
    session.permanent = True
    first = submissions.wizard_steps(q, draft)[0]
    return redirect(url_for("wizard.step", step_id=first.id), code=303)
