"""The respondent's path: landing page, start, steps, contact, resume link, language."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf

from assess.core.answers import parse_form_value
from assess.core.contact import normalise_email
from assess.core.duration import minutes_left, total_minutes
from assess.core.questionnaire import Questionnaire
from assess.core.steps import step_places
from assess.core.visibility import walk
from assess.core.web_address import is_local_path
from assess.db.funnel import record_landing_view
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import answer_message, current_locale
from assess.outbox.links import public_url
from assess.respondent import resume_links, submissions
from assess.respondent.drafts import DraftState, read_draft, take_over
from assess.respondent.submissions import (
    CONTACT_STEP,
    ContactDetails,
    DraftNotFound,
    Route,
    StepNotAvailable,
    StepOutcome,
)
from assess.web.forms import ContactForm
from assess.web.page_frames import render_page
from assess.web.question_fragments import render_fields
from assess.web.security import client_address, rate_limited

bp = Blueprint("wizard", __name__)

SOURCE_FIELDS = ("utm_source", "utm_medium", "utm_campaign")


def _current_draft() -> DraftState | None:
    return read_draft(session.get("draft"))


@bp.get("/")
def landing() -> ResponseReturnValue:
    """What the diagnostic is, what the executive gets, how long it takes; remembers the source."""
    record_landing_view(session)
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
        minutes=total_minutes(q),
        question_count=len(q.questions),
        step_count=len(step_places(q)),
        draft=draft if draft is not None and not draft.is_completed else None,
        # Link previews (Open Graph) need full addresses: the public ones, whatever the host.
        page_url=public_url("wizard.landing"),
        og_image_url=public_url("static", filename="img/og-report.png"),
    )


@bp.post("/start")
@rate_limited("RATELIMIT_START")
def start() -> ResponseReturnValue:
    """Create a draft and go to the first step."""
    q = current_questionnaire()
    source = {**session.get("source", {}), "referrer": session.get("referrer")}
    draft = submissions.start_draft(q, current_locale(), source)
    session["draft"] = draft.draft_key
    session.permanent = True
    first = submissions.wizard_steps(q, draft)[0]
    return redirect(url_for("wizard.step", step_id=first.id), code=303)


@bp.get("/step/<step_id>")
def step(step_id: str) -> ResponseReturnValue:
    """Show one step of the wizard."""
    return _step(step_id)


# Its own endpoint, so that only posts go through the rate limiter.
@bp.post("/step/<step_id>")
@rate_limited("RATELIMIT_STEP")
def save_step(step_id: str) -> ResponseReturnValue:
    """Save one step of the wizard."""
    return _step(step_id)


def _step(step_id: str) -> ResponseReturnValue:
    q = current_questionnaire()
    key = session.get("draft")
    if not key:
        return render_template("wizard/no_draft.html"), 404
    if request.method == "POST" and step_id != CONTACT_STEP:
        # The use case reads the draft itself, locked: no read before it.
        return _save_section_step(q, key, step_id)
    draft = read_draft(key)
    if draft is None:
        return render_template("wizard/no_draft.html"), 404
    if draft.is_completed:
        return _completed(draft)
    route = submissions.route_of(q, draft)
    if not route.allows(step_id):
        if request.method == "POST":
            return render_template("wizard/out_of_order.html", frontier=route.frontier.id), 409
        return redirect(url_for("wizard.step", step_id=route.frontier.id), code=303)
    if step_id == CONTACT_STEP:
        return _contact_step(q, draft, route)
    return _section_page(q, draft, route, step_id, draft.answers, {}, route.shown)


def _completed(draft: DraftState | None) -> ResponseReturnValue:
    """The results, for the browser that gave the contact details; for a browser a resume
    link moved the draft to, a page saying where the results went."""
    if draft is not None and draft.is_completed and draft.shows_results:
        return redirect(url_for("results.show", token=draft.public_token), code=303)
    return redirect(url_for("wizard.finished"), code=303)


def _follow(outcome: StepOutcome) -> ResponseReturnValue:
    if outcome.completed_token:
        return _completed(_current_draft())
    return redirect(url_for("wizard.step", step_id=outcome.next_step), code=303)


def _save_section_step(q: Questionnaire, key: str, step_id: str) -> ResponseReturnValue:
    """Save a posted section, then go on, go back, or show the page again with its errors."""
    try:
        outcome = submissions.save_section(
            q, key, step_id, request.form.getlist, client=client_address()
        )
    except DraftNotFound:
        return render_template("wizard/no_draft.html"), 404
    except StepNotAvailable as refused:
        return render_template("wizard/out_of_order.html", frontier=refused.frontier), 409
    draft, route = outcome.draft, outcome.route
    if outcome.completed_token or draft is None or route is None:
        return _follow(outcome)
    if request.form.get("nav") == "back":
        return redirect(
            url_for("wizard.step", step_id=route.previous(step_id) or step_id), code=303
        )
    if not outcome.errors:
        return _follow(outcome)
    errors = {qid: [answer_message(e) for e in found] for qid, found in outcome.errors.items()}
    section = route.step(step_id).section
    values = {**draft.answers, **posted_values(section.questions if section else ())}
    shown = {item.question.id for item in walk(q, _typed(q, values), draft.contact) if item.shown}
    return _section_page(q, draft, route, step_id, values, errors, shown)


def _section_page(
    q: Questionnaire,
    draft: DraftState,
    route: Route,
    step_id: str,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    shown: Collection[str],
) -> ResponseReturnValue:
    section = route.step(step_id).section
    if section is None:
        abort(404)
    holes = {
        "csrf_token": generate_csrf,
        "fields": render_fields(q, section.questions, values, errors, shown),
        "resume_url": resume_links.resume_link(draft.key),
    }
    context = {
        "q": q,
        "section": section,
        "errors": errors,
        "step_number": route.number(step_id),
        "step_count": route.total,
        "minutes_left": minutes_left(q, route, step_id),
        "previous": route.previous(step_id),
    }
    if errors or request.query_string or request.method != "GET":
        return render_template("wizard/step.html", **context, **holes), 422 if errors else 200
    # The rest of the page is the same for everyone on this step, in this language.
    return render_page("wizard/step.html", holes, **context)


def posted_values(questions: Iterable[Any]) -> dict[str, Any]:
    """What the respondent typed, as typed, to show it again beside the errors."""
    posted: dict[str, Any] = {}
    for question in questions:
        values = request.form.getlist(question.id)
        posted[question.id] = (
            values if question.type == "multiple" else (values[-1] if values else None)
        )
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


def _contact_step(q: Questionnaire, draft: DraftState, route: Route) -> ResponseReturnValue:
    form = ContactForm()
    if request.method == "GET" and draft.lead_id is not None:
        stored = submissions.find_draft(draft.key)
        lead = stored.lead if stored is not None else None
        if lead is not None:
            known = {
                field.name: getattr(lead, field.name) for field in form if hasattr(lead, field.name)
            }
            form.process(data=draft.contact_prefill(known))
    previous = route.previous(CONTACT_STEP)
    if request.method == "POST":
        if request.form.get("nav") == "back" and previous:
            return redirect(url_for("wizard.step", step_id=previous), code=303)
        if form.validate():
            details = ContactDetails(
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                email=normalise_email(form.email.data),
                company=form.company.data or "",
                job_title=form.job_title.data or "",
                phone=form.phone.data or None,
                company_size=form.company_size.data or "",
                sector=form.sector.data or "",
                marketing_opt_in=bool(form.marketing_opt_in.data),
            )
            try:
                outcome = submissions.save_contact(
                    q,
                    draft.key,
                    details,
                    current_app.config["CONSENT_TEXT_VERSION"],
                    client=client_address(),
                )
            except StepNotAvailable as refused:
                return render_template("wizard/out_of_order.html", frontier=refused.frontier), 409
            return _follow(outcome)
    number = route.number(CONTACT_STEP)
    status = 422 if form.errors else 200
    return render_template(
        "wizard/contact.html",
        q=q,
        form=form,
        step_number=number,
        step_count=route.total,
        minutes_left=minutes_left(q, route, CONTACT_STEP),
        previous=previous,
        resume_url=resume_links.resume_link(draft.key),
        is_last=number == route.total,
    ), status


@bp.post("/step/<step_id>/visibility")
def visibility(step_id: str) -> ResponseReturnValue:
    """Which questions the current answers show (for the live show/hide script)."""
    q = current_questionnaire()
    draft = _current_draft()
    if draft is None or draft.is_completed:
        abort(404)
    values = dict(draft.answers)
    section = q.sections_by_id.get(step_id)
    if section is None:
        abort(404)
    values.update(posted_values(section.questions))
    shown = [item.question.id for item in walk(q, _typed(q, values), draft.contact) if item.shown]
    return jsonify(visible=shown)


@bp.get("/resume/<token>")
@rate_limited("RATELIMIT_RESUME")
def resume(token: str) -> ResponseReturnValue:
    """Come back to a draft from the link: in the browser holding it, straight to its step;
    elsewhere a page whose button moves it here, so that a link preview or a mail scanner
    opening the link moves nothing."""
    key, held = _resume_key(token), session.get("draft")
    if held == key:
        return _continue_from_link(take_over(key, held), held)
    draft = read_draft(key)
    if draft is None:
        return render_template("wizard/link_invalid.html"), 404
    if draft.is_completed:
        return _completed(None)  # results never by a resume link
    return render_template("wizard/resume.html")


@bp.post("/resume/<token>")
@rate_limited("RATELIMIT_RESUME")
def resume_here(token: str) -> ResponseReturnValue:
    """Move the draft to this browser (the button of the resume link's page), then go on."""
    key, held = _resume_key(token), session.get("draft")
    return _continue_from_link(take_over(key, held), held)


def _resume_key(token: str) -> str:
    max_age = current_app.config["RESUME_MAX_AGE_DAYS"] * 86400
    try:
        return resume_links.draft_key_of(token, max_age)
    except resume_links.LinkExpired:
        abort(make_response(render_template("wizard/resume_expired.html"), 410))
    except resume_links.LinkInvalid:
        abort(make_response(render_template("wizard/link_invalid.html"), 404))


def _continue_from_link(draft: DraftState | None, held: str | None) -> ResponseReturnValue:
    if draft is None:
        return render_template("wizard/link_invalid.html"), 404
    if draft.is_completed:
        # Results only for the browser that holds it already, never by a resume link.
        return _completed(draft if held == draft.key else None)
    session["draft"] = draft.key
    session.permanent = True
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
        submissions.set_locale(draft.key, code)
    target = request.args.get("next", "")
    if not is_local_path(target):
        target = url_for("wizard.landing")
    return redirect(target, code=303)


@bp.get("/continue")
def continue_draft() -> ResponseReturnValue:
    """Back to the step the respondent was on, in this browser."""
    draft = _current_draft()
    if draft is None:
        return redirect(url_for("wizard.landing"), code=303)
    if draft.is_completed:
        return _completed(draft)
    target = submissions.resume_target(current_questionnaire(), draft)
    return redirect(url_for("wizard.step", step_id=target), code=303)


@bp.get("/finished")
def finished() -> ResponseReturnValue:
    """A diagnostic finished in a browser that is not shown its results: where they went."""
    return render_template("wizard/finished.html")
