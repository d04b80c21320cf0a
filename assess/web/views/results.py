"""The results page, at the unguessable address given at completion."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue

from assess.core.action_plan import MAX_RECOMMENDATIONS, PRIORITIES, focus_of
from assess.core.challenge import main_challenge
from assess.core.charts import score_bars
from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.core.team import team_sections
from assess.db.peer_stats import peer_comparison
from assess.db.previous_results import progress_of
from assess.db.questionnaire_store import questionnaire_for
from assess.i18n import translate
from assess.outbox import delivery
from assess.outbox.links import booking_page_url, link_url
from assess.report.cost import cost_section
from assess.report.publication import call_to_action
from assess.respondent import confirmation, submissions

bp = Blueprint("results", __name__)

# How many recommendations the page shows before "the full list is in your report".
TOP_RECOMMENDATIONS = PRIORITIES  # the page's wording names them the priorities


@bp.get("/results/<token>")
def show(token: str) -> ResponseReturnValue:
    """Overall score and level, each category with a chart, the most urgent advice."""
    submission = submissions.find_completed(token)
    if submission is None or submission.result is None:
        abort(404)
    q = questionnaire_for(submission.questionnaire_hash)
    result = StoredResult.from_json(submission.result)
    categories = category_rows(q, result)
    level = _level(q, result.level)
    peers = peer_comparison(submission)
    focus = focus_of(q, result)
    scored = score_bars(categories, peers.medians if peers else {}, focus)
    return render_template(
        "results/show.html",
        q=q,
        submission=submission,
        result=submission.result,
        overall=result.overall,
        level=level,
        categories=categories,
        scored=scored,
        # What the call is about: the area the plan starts with.
        weakest=next((row for row in scored if row["focus"]), None) if len(scored) > 1 else None,
        call_to_action=_call_to_action(q, submission),
        cost=cost_section(q, submission.answers or {}),
        recommendations=result.explanation.get("recommendations", [])[:TOP_RECOMMENDATIONS],
        # A result stored before the plan was cut at ten: the report prints ten at most.
        recommendation_count=min(len(result.recommendations), MAX_RECOMMENDATIONS),
        outcomes=_outcomes(q, result),
        challenge=main_challenge(q, submission.answers or {}),
        **_report_status(submission),
        resent=request.args.get("confirmation", "")[:20],
        peers=peers,
        progress=progress_of(submission),
        has_team_sections=bool(team_sections(q)),
        again_url=link_url(submission.lead) if submission.lead else None,
    )


@bp.get("/results/<token>/status")
def status(token: str) -> ResponseReturnValue:
    """Where the report stands, for the results page to poll until it no longer changes."""
    submission = submissions.find_completed(token)
    if submission is None or submission.result is None:
        abort(404)
    found = _report_status(submission)
    state = found["report_state"]
    return jsonify(state=state, ready=found["report_ready"], final=state in FINAL_STATES)


# The report's states after which the results page stops asking.
FINAL_STATES = frozenset({"sent", "failed"})


def _report_status(submission: Any) -> dict[str, Any]:
    """The delivery section's facts, and their summary in one word (the state polled)."""
    report_delivery = next(
        (d for d in delivery.deliveries_of(submission.id) if d.kind == delivery.REPORT), None
    )
    ready = delivery.report_ready(submission.id)
    # The report waits for the address to be confirmed.
    waiting = confirmation.waiting(submission)
    if waiting is not None:
        state = "waiting_confirmation"
    elif report_delivery is not None and report_delivery.status in FINAL_STATES:
        state = report_delivery.status
    else:
        state = "ready" if ready else "preparing"
    return {
        "report_delivery": report_delivery,
        "report_ready": ready,
        "waiting": waiting,
        "report_state": state,
    }


@bp.get("/results/<token>/report.pdf")
def report_pdf(token: str) -> ResponseReturnValue:
    """The stored PDF report, for whoever holds the results address."""
    submission = submissions.find_completed(token)
    if submission is None:
        abort(404)
    pdf = delivery.stored_report(submission.id)
    if pdf is None:
        abort(404)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="rapport-diagnostic.pdf"'},
    )


def _level(q: Questionnaire, level_id: str | None) -> Any:
    return q.levels_by_id.get(level_id) if level_id is not None else None


def category_rows(q: Questionnaire, result: StoredResult) -> list[dict[str, Any]]:
    """Each category of the stored result with its label and level, in the file's order."""
    rows = []
    for category_id, found in result.categories.items():
        category = q.categories_by_id.get(category_id)
        level = _level(q, found.level)
        rows.append(
            {
                "id": category_id,
                "label": translate(category.label) if category else category_id,
                "score": found.score,
                "level": translate(level.label) if level else None,
                "level_id": found.level,
            }
        )
    return rows


def _call_to_action(q: Questionnaire, submission: Any) -> dict[str, str] | None:
    # The report's and the e-mail's call to action: CALL_TO_ACTION_URL when set, else where
    # this lead books (BOOKING_URL prefilled, or the built-in booking page).
    own_page = booking_page_url(submission)
    return call_to_action(q, current_app.config["CALL_TO_ACTION_URL"], translate, own_page)


def _outcomes(q: Questionnaire, result: StoredResult) -> list[dict[str, Any]]:
    explained = result.explanation.get("outcomes", [])
    texts = {o["id"]: o.get("text", {}) for o in explained}
    rows = []
    for outcome_id, found in result.outcomes.items():
        outcome = next((o for o in q.outcomes if o.id == outcome_id), None)
        rows.append(
            {
                "title": translate(outcome.label) if outcome else outcome_id,
                "label": translate(found.label),
                "text": translate(texts.get(outcome_id) or None),
            }
        )
    return rows
