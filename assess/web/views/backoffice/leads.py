"""The leads list (the back office's home) and the lead page with its actions."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assess.core.charts import radar
from assess.core.result import StoredResult
from assess.db.models import utcnow
from assess.db.previous_results import progress_of
from assess.db.questionnaire_store import current_questionnaire, questionnaire_for
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS, current_locale, translate
from assess.outbox import delivery
from assess.outbox.rows import state_label
from assess.report.content import describe_answer
from assess.respondent.team_invitations import held_invitations, invitations_of, team_view
from assess.tracker import booking, callprep, follow_up, lead_list, pipeline, timeline
from assess.tracker import leads as lead_cases
from assess.tracker.lead_list import STATUS_LABELS
from assess.web.views.backoffice.blueprint import bp

LEAD_ERRORS = {
    "unknown status": _l("Choose a status from the list."),
    "reason required": _l("Say why the lead was lost."),
    "reason too long": _l("Keep the reason to 500 characters."),
    "reason not on one line": _l("Please write this on one line, without special characters."),
    "unknown consultant": _l("Choose a consultant from the list."),
    "empty note": _l("The note is empty."),
    "note too long": _l("Keep the note to 5,000 characters."),
    "unknown action": _l("Choose one of the buttons."),
    "unsubscribed": _l("The lead unsubscribed from the follow-up e-mails: only they can undo it."),
}
# What the consultant reads beside a filter whose value was refused (the list ignores it).
FILTER_ERRORS = {
    "status": _l("Choose a status from the list."),
    "level": _l("Choose a level from the list."),
    "score_min": _l("The minimum score must be a number between 0 and 100."),
    "score_max": _l("The maximum score must be a number between 0 and 100."),
    "weakest": _l("Choose an area from the list."),
    "date_from": _l("The start date must be a real date, such as 31/01/2026."),
    "date_to": _l("The end date must be a real date, such as 31/01/2026."),
    "sector": _l("Choose a sector from the list."),
    "size": _l("Choose a company size from the list."),
    "source": _l("Choose a source from the list."),
    "campaign": _l("Choose a campaign from the list."),
    "owner": _l("Choose a consultant from the list."),
    "followup": _l("Choose a follow-up from the list."),
    "q": _l("Keep the search to 100 characters."),
    "sort": _l("Sort the list with its column headers."),
    "direction": _l("Sort the list with its column headers."),
    "page": _l("The page number must be a whole number, 1 or more."),
}


def filter_messages(refused: dict[str, str]) -> dict[str, str]:
    """The refused filters, each with its message in the consultant's language."""
    return {name: str(FILTER_ERRORS.get(name, _l("This value was ignored."))) for name in refused}


@bp.app_template_filter("message_kind")
def message_kind(kind: str) -> str:
    """A delivery's kind as the back office names it."""
    return delivery.kind_label(kind)


@bp.app_template_filter("outbox_state")
def outbox_state(status: str) -> str:
    """An outbox row's state (e-mail or webhook) as the back office names it."""
    return state_label(status)


def _lead_or_404(lead_id: int) -> Any:
    lead = lead_cases.get_lead(lead_id)
    if lead is None:
        abort(404)
    return lead


@bp.get("/")
def leads_home() -> ResponseReturnValue:
    """The back office opens on the leads list."""
    return redirect(url_for("backoffice.leads"))


@bp.get("/leads")
def leads() -> ResponseReturnValue:
    """The leads, filtered, sorted and paginated from the URL, so a view can be bookmarked;
    a refused filter is ignored and said beside it, its typed value kept."""
    q = current_questionnaire()
    parsed = lead_list.parse_filters(request.args, q)
    page = lead_list.list_leads(parsed.filters, current_app.config["LEADS_PER_PAGE"])
    args = lead_list.link_arguments(request.args, parsed.errors)
    return render_template(
        "backoffice/leads.html",
        q=q,
        page=page,
        filters=parsed.filters,
        errors=filter_messages(parsed.errors),
        typed=request.args,
        args=args,
        choices=lead_list.filter_choices(),
        consultants=lead_cases.active_consultants(),
        statuses=STATUS_LABELS,
        sizes=COMPANY_SIZE_LABELS,
        sectors=SECTOR_LABELS,
    )


@bp.get("/leads/<int:lead_id>")
def lead(lead_id: int) -> ResponseReturnValue:
    """Everything about one lead, and what to do next."""
    found = _lead_or_404(lead_id)
    activity = lead_cases.lead_activity(found)
    latest = activity["submissions"][0] if activity["submissions"] else None
    q = questionnaire_for(latest.questionnaire_hash) if latest else current_questionnaire()
    context: dict[str, Any] = {"lead": found, "q": q, "latest": latest, **activity}
    if latest is not None and latest.result:
        context.update(_result_context(q, latest))
        deliveries = delivery.deliveries_of(latest.id)
        invitations = invitations_of(latest.id)
        context["deliveries"] = deliveries
        context["held_invitations"] = held_invitations(latest, invitations, deliveries)
        context["team_view"] = team_view(q, latest, invitations)
        context["team_labels"] = {c.id: translate(c.label) for c in q.categories}
        context["report_ready"] = delivery.report_ready(latest.id)
    consultants = lead_cases.active_consultants()
    names = {user.id: user.name or user.email for user in consultants}
    context["timeline"] = timeline.entries(activity["events"], names)
    context["follow_up"] = follow_up.state_of(found)
    context["report_reached"] = follow_up.reached_by_report([found.id])
    context["meeting"] = booking.next_meeting(found.id, utcnow())
    return render_template(
        "backoffice/lead.html",
        statuses=STATUS_LABELS,
        consultants=consultants,
        sizes=COMPANY_SIZE_LABELS,
        sectors=SECTOR_LABELS,
        **context,
    )


def _result_context(q: Any, submission: Any) -> dict[str, Any]:
    locale = current_locale()
    result = StoredResult.from_json(submission.result)
    explained = {e["id"]: e for e in result.explanation.get("questions", [])}
    sections = []
    for section in q.sections:
        rows = []
        for question in section.questions:
            item = explained.get(question.id)
            if item is None or not item.get("shown"):
                continue
            rows.append(
                {
                    "label": translate(question.label),
                    "answer": describe_answer(q, question, item.get("answer"), locale),
                    "earned": item.get("earned"),
                    "possible": item.get("possible"),
                }
            )
        if rows:
            sections.append({"title": translate(section.title), "rows": rows})
    categories = [(translate(c.label), result.score_of(c.id)) for c in q.categories]
    progress = progress_of(submission)
    changes = [progress.categories.get(c.id) if progress else None for c in q.categories]
    return {
        "answer_sections": sections,
        "chart": radar(categories, [level.from_ for level in q.levels]),
        "category_rows": [
            (label, score, change)
            for (label, score), change in zip(categories, changes, strict=True)
        ],
        "progress": progress,
        "recommendations": callprep.fired_recommendations(q, result, locale),
    }


def _refused(
    lead_id: int, error: pipeline.LeadError | follow_up.FollowUpError
) -> ResponseReturnValue:
    flash(LEAD_ERRORS.get(str(error), str(error)), "error")
    return redirect(url_for("backoffice.lead", lead_id=lead_id), code=303)


@bp.post("/leads/<int:lead_id>/status")
def change_status(lead_id: int) -> ResponseReturnValue:
    """Move the lead in the pipeline."""
    _lead_or_404(lead_id)
    try:
        pipeline.change_status(
            lead_id, request.form.get("status", ""), request.form.get("reason", ""), current_user.id
        )
    except pipeline.LeadError as error:
        return _refused(lead_id, error)
    return redirect(url_for("backoffice.lead", lead_id=lead_id), code=303)


@bp.post("/leads/<int:lead_id>/owner")
def assign_owner(lead_id: int) -> ResponseReturnValue:
    """Give the lead to a consultant."""
    _lead_or_404(lead_id)
    raw = request.form.get("owner_id", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        return _refused(lead_id, pipeline.LeadError("unknown consultant"))
    try:
        lead_cases.assign_owner(lead_id, int(raw) if raw else None, current_user.id)
    except pipeline.LeadError as error:
        return _refused(lead_id, error)
    return redirect(url_for("backoffice.lead", lead_id=lead_id), code=303)


@bp.post("/leads/<int:lead_id>/notes")
def add_note(lead_id: int) -> ResponseReturnValue:
    """Write a note on the lead."""
    _lead_or_404(lead_id)
    try:
        lead_cases.add_note(lead_id, request.form.get("body", ""), current_user.id)
    except pipeline.LeadError as error:
        return _refused(lead_id, error)
    return redirect(url_for("backoffice.lead", lead_id=lead_id) + "#notes", code=303)


@bp.post("/leads/<int:lead_id>/follow-up")
def change_follow_up(lead_id: int) -> ResponseReturnValue:
    """Pause the follow-up e-mails, mark that the lead replied, or resume them."""
    _lead_or_404(lead_id)
    try:
        follow_up.change(lead_id, request.form.get("action", ""), current_user.id)
    except follow_up.FollowUpError as error:
        return _refused(lead_id, error)
    return redirect(url_for("backoffice.lead", lead_id=lead_id) + "#cadence", code=303)


@bp.post("/leads/<int:lead_id>/deliveries/<int:delivery_id>/resend")
def resend(lead_id: int, delivery_id: int) -> ResponseReturnValue:
    """Send a delivery again."""
    _lead_or_404(lead_id)
    if not delivery.resend(delivery_id, lead_id=lead_id):
        abort(404)
    flash(_l("The message is queued again."), "info")
    return redirect(url_for("backoffice.lead", lead_id=lead_id), code=303)


@bp.get("/leads/<int:lead_id>/report.pdf")
def lead_report(lead_id: int) -> ResponseReturnValue:
    """The lead's latest PDF report."""
    found = _lead_or_404(lead_id)
    if found.latest_submission_id is None:
        abort(404)
    pdf = delivery.stored_report(found.latest_submission_id)
    if pdf is None:
        abort(404)
    return current_app.response_class(pdf, mimetype="application/pdf")
