"""Team view: the executive invites their team; members answer; the views are compared."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from assess.core.answers import InvalidAnswers, parse_form_value
from assess.core.questionnaire import Questionnaire
from assess.core.team import team_sections
from assess.db.models import Submission, TeamInvitation
from assess.db.questionnaire_store import questionnaire_for
from assess.extensions import db
from assess.i18n import answer_message, translate
from assess.respondent import submissions
from assess.respondent import team_invitations as invitations
from assess.web.question_fragments import render_fields
from assess.web.security import rate_limited
from assess.web.views.wizard import posted_values

bp = Blueprint("team", __name__)

INVITATION_ERRORS = {
    "empty": _l("Enter at least one e-mail address."),
    "invalid": _l("“%(address)s” is not a valid e-mail address."),
    "own": _l("“%(address)s” is your own address: invite the members of your team."),
    "already": _l("“%(address)s” is already invited."),
    "twice": _l("“%(address)s” is typed twice."),
    "unwanted": _l("“%(address)s” asked not to receive any invitation."),
    "no_team_sections": _l("This diagnostic has no questions for the team."),
}
# "too_many" is worded by _refusal: its noun agrees with the limit (TEAM_MAX_INVITATIONS).


def _refusal(code: str, address: str) -> str:
    """Why an address (or the list) was refused, in the respondent's language."""
    if code == "too_many":
        return ngettext(
            "At most %(num)d person can be invited.",
            "At most %(num)d people can be invited.",
            current_app.config["TEAM_MAX_INVITATIONS"],
        )
    return str(INVITATION_ERRORS[code]) % {"address": address}


def _completed(token: str) -> tuple[Submission, Questionnaire]:
    submission = submissions.find_completed(token)
    if submission is None or submission.result is None:
        abort(404)
    return submission, questionnaire_for(submission.questionnaire_hash)


def _team_page(
    submission: Submission, q: Questionnaire, typed: str = "", errors: list[str] | None = None
) -> ResponseReturnValue:
    found = invitations.invitations_of(submission.id)
    view = invitations.team_view(q, submission)
    labels = {category.id: translate(category.label) for category in q.categories}
    return render_template(
        "results/team.html",
        q=q,
        submission=submission,
        invited=len(found),
        answered=sum(1 for invitation in found if invitation.answers is not None),
        view=view,
        labels=labels,
        sections=[translate(section.title) for section in team_sections(q)],
        typed=typed,
        errors=errors or [],
        sent=request.args.get("sent", type=int),
        # Invitations wait until the executive's address is confirmed.
        waiting=submission.pending_email is not None,
        # Confirmed, but a daily limit held these back: the page offers to send them again.
        held=len(invitations.held_invitations(submission)),
    ), 422 if errors else 200


@bp.get("/results/<token>/team")
def team(token: str) -> ResponseReturnValue:
    """Invite the team, and once enough answered, where their view and the executive's differ."""
    submission, q = _completed(token)
    return _team_page(submission, q)


@bp.post("/results/<token>/team")
@rate_limited("RATELIMIT_START")
def invite(token: str) -> ResponseReturnValue:
    """Send the invitations (all or none)."""
    submission, q = _completed(token)
    typed = request.form.get("emails", "")[:20_000]
    try:
        invited = invitations.invite(q, submission, typed)
    except invitations.InvitationRefused as refused:
        errors = [_refusal(code, address) for address, code in refused.problems]
        return _team_page(submission, q, typed, errors)
    sent = len(invited.created) if submission.pending_email is not None else invited.queued
    return redirect(url_for("team.team", token=token, sent=sent), code=303)


@bp.post("/results/<token>/team/held")
@rate_limited("RATELIMIT_START")
def send_held(token: str) -> ResponseReturnValue:
    """Send the invitations a daily limit held back, as far as today's limits allow."""
    submission, _ = _completed(token)
    sent = invitations.release_held(submission.id)
    return redirect(url_for("team.team", token=token, sent=sent), code=303)


def _member_form(
    q: Questionnaire,
    invitation: TeamInvitation,
    values: dict[str, Any],
    errors: dict[str, list[str]],
) -> ResponseReturnValue:
    sections = team_sections(q)
    shown = {question.id for section in sections for question in section.questions}
    error_list = [
        (f"q-{question.id}", translate(question.label), " ".join(errors[question.id]))
        for section in sections
        for question in section.questions
        if question.id in errors
    ]
    blocks = [
        {
            "title": translate(section.title),
            "fields": render_fields(q, section.questions, values, errors, shown),
        }
        for section in sections
    ]
    return render_template(
        "team/answer.html", q=q, invitation=invitation, blocks=blocks, error_list=error_list
    ), 422 if errors else 200


def _invitation(token: str) -> tuple[TeamInvitation, Questionnaire]:
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        abort(404)
    submission = db.session.get(Submission, invitation.submission_id)
    if submission is None:
        abort(404)
    return invitation, questionnaire_for(submission.questionnaire_hash)


@bp.get("/team/<token>")
def answer(token: str) -> ResponseReturnValue:
    """A team member's form: the team sections' questions, on one page."""
    invitation, q = _invitation(token)
    if invitation.answers is not None:
        return render_template("team/thanks.html", q=q, already=True)
    return _member_form(q, invitation, {}, {})


@bp.post("/team/<token>")
@rate_limited("RATELIMIT_STEP", methods=["POST"])
def save(token: str) -> ResponseReturnValue:
    """Keep a member's answers, or show the form again with every error beside its field."""
    invitation, q = _invitation(token)
    if invitation.answers is not None:
        return render_template("team/thanks.html", q=q, already=True), 409
    questions = [question for section in team_sections(q) for question in section.questions]
    posted = {
        question.id: parse_form_value(question, request.form.getlist(question.id))
        for question in questions
    }
    try:
        invitations.save_member_answers(q, invitation, posted)
    except InvalidAnswers as invalid:
        errors = {qid: [answer_message(e) for e in found] for qid, found in invalid.errors.items()}
        return _member_form(q, invitation, posted_values(questions), errors)
    except invitations.AlreadyAnswered:
        return render_template("team/thanks.html", q=q, already=True), 409
    except LookupError:
        abort(404)
    return render_template("team/thanks.html", q=q)
