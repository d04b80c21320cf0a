"""The day's follow-ups: touches due and overdue, the touch log, the calendar feed, the brief."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from assess.core import phone
from assess.core.icalendar import CalendarEvent, ical_calendar
from assess.core.web_address import is_local_path
from assess.db.models import aware, utcnow
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS, current_locale
from assess.outbox.links import public_url
from assess.tracker import cadence, callprep, follow_up
from assess.tracker import leads as lead_cases
from assess.tracker import today as today_list
from assess.tracker.cadence import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    TOUCH_STATUS_LABELS,
)
from assess.web.views.backoffice import leads as lead_views
from assess.web.views.backoffice.blueprint import bp

TOUCH_ERRORS = {
    "unknown outcome": (_l("Choose one of the outcome buttons."), 400),
    "note too long": (_l("Keep the note to 2,000 characters."), 422),
    "touch not planned": (_l("This touch is already logged or was cancelled."), 409),
}
FEED_DAYS_AHEAD = 60
# Ids past the integer columns' range are not found: they never reach the database.
LEAD = "<int(max=2147483647):lead_id>"
TOUCH = "<int(max=2147483647):touch_id>"


def _days_late(due_at: datetime | None) -> int:
    """Whole days a due date is behind today (0 when due today or later)."""
    if due_at is None:
        return 0
    return max(0, (utcnow().date() - aware(due_at).date()).days)


@bp.context_processor
def _cadence_labels() -> dict[str, Any]:
    """What the cadence block of the lead page and the today page show."""
    return {
        "touch_outcomes": OUTCOME_LABELS,
        "touch_choices": OUTCOMES,
        "sent_by_the_app": follow_up.sent_by_the_app,
        "touch_channels": CHANNEL_LABELS,
        "touch_statuses": TOUCH_STATUS_LABELS,
        "days_late": _days_late,
        "tel_uri": phone.tel_uri,
        "readable_phone": phone.readable,
    }


@bp.get("/today")
def today() -> ResponseReturnValue:
    """Whom to call now: the day's meetings, recent completions, then due touches by rank."""
    return _today_page(request.args, request.full_path.rstrip("?"))


def _today_page(args: Any, back: str) -> str:
    """The Today page of this query string (`args`), its forms returning to `back`: the
    page's own address, also when it is shown again after a refused touch (a POST)."""
    q = current_questionnaire()
    after = args.get("after")
    page = today_list.today_page(current_user, utcnow(), [level.id for level in q.levels], after)
    number = args.get("page", "1")
    return render_template(
        "backoffice/today.html",
        q=q,
        page=page,
        back=back,
        report_reached=follow_up.reached_by_report(item.lead.id for item in page.items),
        later_page=bool(after),
        page_number=int(number) if number.isdigit() and 0 < len(number) < 6 else 1,
        per_page=today_list.PER_PAGE,
        count_cap=today_list.COUNT_CAP,
        recent_hours=today_list.RECENT_HOURS,
        stall_days=current_app.config["CADENCE_STALL_DAYS"],
        feed_url=public_url("backoffice.calendar_feed", token=current_user.calendar_token),
        statuses=lead_views.STATUS_LABELS,
        sizes=COMPANY_SIZE_LABELS,
    )


def _safe_next(target: str | None) -> str | None:
    """A back-office path to return to, never another site."""
    if target and is_local_path(target, under="/backoffice"):
        return target
    return None


@bp.post(f"/leads/{LEAD}/touches/{TOUCH}")
def log_touch(lead_id: int, touch_id: int) -> ResponseReturnValue:
    """Log a touch with the outcome of the button pressed; errors change nothing."""
    target = _safe_next(request.form.get("next"))
    try:
        cadence.log_touch(
            touch_id,
            lead_id,
            request.form.get("outcome", ""),
            request.form.get("note", ""),
            current_user.id,
        )
    except LookupError:
        abort(404)
    except cadence.CadenceError as error:
        message, status = TOUCH_ERRORS.get(str(error), (_l("This touch cannot be logged."), 400))
        flash(message, "error")
        # The page the consultant came from, with the message, under the error's status.
        parts = urlsplit(target or "")
        if target is not None and parts.path == url_for("backoffice.today"):
            return make_response(_today_page(MultiDict(parse_qsl(parts.query)), target), status)
        return make_response(lead_views.lead(lead_id), status)
    flash(_l("Touch logged."), "info")
    return redirect(target or url_for("backoffice.lead", lead_id=lead_id), code=303)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> ResponseReturnValue:
    """A consultant's planned touches (overdue and the next 60 days) as an iCalendar feed."""
    user = cadence.calendar_owner(token)
    if user is None:
        abort(404)
    now = utcnow()
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "webleads-tracker"
    events = []
    for item in cadence.calendar_touches(user, now, FEED_DAYS_AHEAD):
        touch, lead = item.touch, item.lead
        channel = str(CHANNEL_LABELS.get(touch.channel, touch.channel))
        link = public_url("backoffice.lead", lead_id=lead.id)
        summary = gettext(
            "Touch %(number)s/%(total)s – %(channel)s – %(company)s",
            number=touch.number,
            total=item.total,
            channel=channel,
            company=lead.company,
        )
        description = f"{touch.talking_point}\n\n{link}"
        day = aware(touch.due_at).date()
        events.append(CalendarEvent(f"touch-{touch.id}@{host}", day, summary, description, link))
    name = gettext("%(brand)s follow-ups", brand=current_app.config["BRAND_NAME"])
    body = ical_calendar(events, now, name)
    response = current_app.response_class(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="follow-ups.ics"'
    return response


@bp.get(f"/leads/{LEAD}/brief")
def brief(lead_id: int) -> ResponseReturnValue:
    """A printable call-prep brief."""
    found = lead_cases.get_lead(lead_id)
    if found is None:
        abort(404)
    return render_template(
        "backoffice/brief.html",
        brief=callprep.build_brief(found, current_locale()),
        statuses=lead_views.STATUS_LABELS,
        lead=found,
        sizes=COMPANY_SIZE_LABELS,
        sectors=SECTOR_LABELS,
    )
