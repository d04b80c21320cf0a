"""The respondent's path: landing page, start, steps, contact, resume link, language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from assess import submissions
from assess.answers import parse_form_value, walk
from assess.forms import ContactForm
from assess.i18n import answer_message, current_locale
from assess.models import Submission
from assess.questionnaire import Questionnaire
from assess.questionnaire_store import current_questionnaire
from assess.submissions import CONTACT_STEP, ContactDetails, StepNotAvailable, StepOutcome

bp = Blueprint("wizard", __name__)

SOURCE_FIELDS = ("utm_source", "utm_medium", "utm_campaign")
# Seconds an executive takes per question, by type, to estimate the time needed.
SECONDS_PER_TYPE = {"single": 10, "multiple": 15, "scale": 8, "number": 15, "boolean": 6, "text": 45}
CONTACT_SECONDS = 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="resume-link")


def resume_link(draft: Submission) -> str:
    """A signed, expiring link back to this draft, usable on another device."""
    token = _serializer().dumps(draft.draft_key)
    return url_for("wizard.resume", token=token, _external=True)


def estimated_minutes(q: Questionnaire) -> int:
    """Minutes the diagnostic takes, from the number and type of its questions."""
    seconds = sum(SECONDS_PER_TYPE[question.type] for question in q.questions) + CONTACT_SECONDS
    return max(1, round(seconds / 60))


def _current_draft() -> Submission | None:
    return submissions.find_draft(session.get("draft"))


@bp.get("/")
def landing() -> ResponseReturnValue:
    """What the diagnostic is, what the executive gets, how long it takes; remembers the source."""
    source = {name: request.args.get(name, "")[:200] for name in SOURCE_FIELDS}
    if any(source.values()):
        session["source"] = {k: v for k, v in source.items() if v}
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc != request.host and "referrer" not in session:
        session["referrer"] = referrer[:500]
    q = current_questionnaire()
    draft = _current_draft()
    return render_template(
        "wizard/landing.html",
        q=q,
        minutes=estimated_minutes(q),
        question_count=len(q.questions),
        draft=draft if draft is not None and not draft.is_completed else None,
    )


@bp.post("/start")
def start() -> ResponseReturnValue:
    """Create a draft and go to the first step."""
    q = current_questionnaire()
    source = {**session.get("source", {}), "referrer": session.get("referrer")}
    draft = submissions.start_draft(q, current_locale(), source)
    session["draft"] = draft.draft_key
    session.permanent = True
    first = submissions.wizard_steps(q, draft)[0]
    return redirect(url_for("wizard.step", step_id=first.id), code=303)


@bp.route("/step/<step_id>", methods=["GET", "POST"])
def step(step_id: str) -> ResponseReturnValue:
    """Show or save one step of the wizard."""
    q = current_questionnaire()
    draft = _current_draft()
    if draft is None:
        return render_template("wizard/no_draft.html"), 404
    if draft.is_completed:
        return redirect(url_for("results.show", token=draft.public_token), code=303)
    steps = submissions.wizard_steps(q, draft)
    ids = [s.id for s in steps]
    frontier = submissions.frontier(q, draft, steps)
    if step_id not in ids or ids.index(step_id) > ids.index(frontier.id):
        if request.method == "POST":
            return render_template("wizard/out_of_order.html", frontier=frontier.id), 409
        return redirect(url_for("wizard.step", step_id=frontier.id), code=303)
    if step_id == CONTACT_STEP:
        return _contact_step(q, draft, steps)
    return _section_step(q, draft, steps, step_id)


def _previous(steps: list[submissions.Step], step_id: str) -> str | None:
    ids = [s.id for s in steps]
    index = ids.index(step_id)
    return ids[index - 1] if index > 0 else None


def _follow(outcome: StepOutcome) -> ResponseReturnValue:
    if outcome.completed_token:
        return redirect(url_for("results.show", token=outcome.completed_token), code=303)
    return redirect(url_for("wizard.step", step_id=outcome.next_step), code=303)


def _section_step(
    q: Questionnaire, draft: Submission, steps: list[submissions.Step], step_id: str
) -> ResponseReturnValue:
    section = next(s.section for s in steps if s.id == step_id)
    assert section is not None
    errors: dict[str, Any] = {}
    values: dict[str, Any] = dict(draft.answers)
    if request.method == "POST":
        going_back = request.form.get("nav") == "back"
        try:
            outcome = submissions.save_section(q, draft.draft_key, step_id, request.form.getlist)
        except StepNotAvailable as refused:
            return render_template("wizard/out_of_order.html", frontier=refused.frontier), 409
        if going_back and not outcome.completed_token:
            return redirect(url_for("wizard.step", step_id=_previous(steps, step_id) or step_id), code=303)
        if not outcome.errors:
            return _follow(outcome)
        errors = {qid: [answer_message(e) for e in found] for qid, found in outcome.errors.items()}
        values.update(_posted_values(section.questions))
    contact = draft.lead.expression_contact if draft.lead else None
    visible = {item.question.id for item in walk(q, _typed(q, values), contact) if item.shown}
    index = [s.id for s in steps].index(step_id)
    status = 422 if errors else 200
    return render_template(
        "wizard/step.html",
        q=q,
        section=section,
        values=values,
        errors=errors,
        visible=visible,
        step_number=index + 1,
        step_count=len(steps),
        previous=_previous(steps, step_id),
        resume_url=resume_link(draft),
    ), status


def _posted_values(questions: tuple[Any, ...]) -> dict[str, Any]:
    """What the respondent typed, as typed, to show it again beside the errors."""
    posted: dict[str, Any] = {}
    for question in questions:
        values = request.form.getlist(question.id)
        posted[question.id] = values if question.type == "multiple" else (values[-1] if values else None)
    return posted


def _typed(q: Questionnaire, values: dict[str, Any]) -> dict[str, Any]:
    """Values as the engine reads them (posted strings converted), for show_if."""
    typed = {}
    for question_id, value in values.items():
        question = q.questions_by_id.get(question_id)
        if question is None:
            continue
        if isinstance(value, str) or (isinstance(value, list) and question.type != "multiple"):
            value = parse_form_value(question, value if isinstance(value, list) else [value])
        typed[question_id] = value
    return typed


def _contact_step(q: Questionnaire, draft: Submission, steps: list[submissions.Step]) -> ResponseReturnValue:
    form = ContactForm()
    if request.method == "GET" and draft.lead is not None:
        form.process(obj=draft.lead)
    if request.method == "POST":
        if request.form.get("nav") == "back" and _previous(steps, CONTACT_STEP):
            return redirect(url_for("wizard.step", step_id=_previous(steps, CONTACT_STEP)), code=303)
        if form.validate():
            details = ContactDetails(
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                email=(form.email.data or "").lower(),
                company=form.company.data or "",
                job_title=form.job_title.data or "",
                phone=form.phone.data or None,
                company_size=form.company_size.data or "",
                sector=form.sector.data or "",
                marketing_opt_in=bool(form.marketing_opt_in.data),
            )
            try:
                outcome = submissions.save_contact(
                    q, draft.draft_key, details, current_app.config["CONSENT_TEXT_VERSION"]
                )
            except StepNotAvailable as refused:
                return render_template("wizard/out_of_order.html", frontier=refused.frontier), 409
            return _follow(outcome)
    index = [s.id for s in steps].index(CONTACT_STEP)
    status = 422 if form.errors else 200
    return render_template(
        "wizard/contact.html",
        q=q,
        form=form,
        step_number=index + 1,
        step_count=len(steps),
        previous=_previous(steps, CONTACT_STEP),
        resume_url=resume_link(draft),
        is_last=index == len(steps) - 1,
    ), status


@bp.post("/step/<step_id>/visibility")
def visibility(step_id: str) -> ResponseReturnValue:
    """Which questions the current answers show (for the live show/hide script)."""
    q = current_questionnaire()
    draft = _current_draft()
    if draft is None or draft.is_completed:
        abort(404)
    values = dict(draft.answers)
    section = next((s for s in q.sections if s.id == step_id), None)
    if section is None:
        abort(404)
    values.update(_posted_values(section.questions))
    contact = draft.lead.expression_contact if draft.lead else None
    shown = [item.question.id for item in walk(q, _typed(q, values), contact) if item.shown]
    return jsonify(visible=shown)


@bp.get("/resume/<token>")
def resume(token: str) -> ResponseReturnValue:
    """Come back to a draft from the link, on this device or another."""
    max_age = int(current_app.config["RESUME_MAX_AGE_DAYS"]) * 86400
    try:
        key = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return render_template("wizard/resume_expired.html"), 410
    except BadSignature:
        abort(404)
    draft = submissions.find_draft(key)
    if draft is None:
        abort(404)
    session["draft"] = draft.draft_key
    session.permanent = True
    if draft.is_completed:
        return redirect(url_for("results.show", token=draft.public_token), code=303)
    target = submissions.resume_target(current_questionnaire(), draft)
    return redirect(url_for("wizard.step", step_id=target), code=303)


@bp.get("/language/<code>")
def language(code: str) -> ResponseReturnValue:
    """Switch language, keeping the draft; back to the page the switch was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    draft = _current_draft()
    if draft is not None and not draft.is_completed:
        submissions.set_locale(draft.draft_key, code)
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or "\\" in target or parts.netloc or parts.scheme:
        target = url_for("wizard.landing")
    return redirect(target, code=303)


@bp.get("/continue")
def continue_draft() -> ResponseReturnValue:
    """Back to the step the respondent was on, in this browser."""
    draft = _current_draft()
    if draft is None:
        return redirect(url_for("wizard.landing"), code=303)
    if draft.is_completed:
        return redirect(url_for("results.show", token=draft.public_token), code=303)
    target = submissions.resume_target(current_questionnaire(), draft)
    return redirect(url_for("wizard.step", step_id=target), code=303)
