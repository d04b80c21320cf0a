"""The executive books a call with a consultant from their results page: no account, the
unguessable results address names the lead."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

from assess.core.booking_slots import PARIS, Slot, by_local_day
from assess.db.models import Submission, aware
from assess.outbox import meetings
from assess.outbox.links import LinkExpired, LinkInvalid, booking_page_url
from assess.respondent import submissions
from assess.tracker import booking
from assess.web.security import rate_limited

bp = Blueprint("booking", __name__)

REFUSALS = {
    "slot_unavailable": (
        _l("This time is no longer offered. Please choose one of the times below."),
        422,
    ),
    "slot_taken": (
        _l("Someone has just booked this time. Please choose another one below."),
        409,
    ),
    "already_booked": (_l("You already have a call booked."), 409),
    "no_consultant": (_l("No time can be booked at the moment."), 409),
}
FORGED = (_l("Please choose one of the times below."), 422)


def _submission(token: str) -> Submission:
    found = submissions.find_completed(token)
    if found is None or found.lead is None:
        abort(404)
    return found


def slot_value(slot: Slot) -> str:
    """A slot as the form posts it: its start in UTC."""
    return slot.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _parse_slot(value: str) -> datetime | None:
    try:
        found = datetime.strptime(value[:40], "%Y-%m-%dT%H:%MZ")
    except ValueError:
        return None
    return found.replace(tzinfo=UTC)


def _days(slots: list[Slot]) -> list[dict[str, Any]]:
    """The free slots by day, in Paris time, written the reader's way."""
    return [
        {
            "label": format_date(day, format="full"),
            "slots": [
                {"value": slot_value(slot), "time": format_datetime(slot.starts_at, "HH:mm")}
                for slot in day_slots
            ],
        }
        for day, day_slots in by_local_day(slots, PARIS)
    ]


def _page(submission: Submission, message: Any = None, status: int = 200) -> ResponseReturnValue:
    consultant = booking.consultant_for(submission.lead) if submission.lead else None
    slots = booking.open_slots(consultant) if consultant is not None else []
    action = url_for("booking.book", token=submission.public_token)
    return _slots_page(submission.public_token, consultant, slots, action, message, status)


def _slots_page(
    results_token: str | None,
    consultant: Any,
    slots: list[Slot],
    action: str,
    message: Any = None,
    status: int = 200,
    moving: Any = None,
) -> ResponseReturnValue:
    availability = booking.availability_of(consultant.id) if consultant is not None else None
    return (
        render_template(
            "booking/choose.html",
            results_token=results_token,
            consultant=consultant,
            minutes=availability.meeting_minutes if availability else 30,
            days=_days(slots),
            message=message,
            action=action,
            moving=moving,
        ),
        status,
    )


@bp.get("/results/<token>/call")
def choose(token: str) -> ResponseReturnValue:
    """The consultant's free slots by day; the meeting already booked, if any."""
    submission = _submission(token)
    if current_app.config["BOOKING_URL"]:  # an outside scheduler takes the bookings
        return redirect(booking_page_url(submission), code=303)
    if booking.active_booking(submission.lead_id or 0) is not None:
        return redirect(url_for("booking.booked", token=token), code=303)
    return _page(submission)


@bp.post("/results/<token>/call")
@rate_limited("RATELIMIT_BOOKING")
def book(token: str) -> ResponseReturnValue:
    """Book the slot chosen; a refusal shows why with the slots free now, nothing booked."""
    submission = _submission(token)
    starts_at = _parse_slot(request.form.get("slot", ""))
    if starts_at is None:
        return _page(submission, *FORGED)
    try:
        booking.book(submission, starts_at)
    except booking.BookingError as error:
        if str(error) == "already_booked":
            return redirect(url_for("booking.booked", token=token), code=303)
        return _page(submission, *REFUSALS[str(error)])
    return redirect(url_for("booking.booked", token=token), code=303)


@bp.get("/results/<token>/call/booked")
def booked(token: str) -> ResponseReturnValue:
    """The meeting booked: when, with whom, what comes next."""
    submission = _submission(token)
    found = booking.active_booking(submission.lead_id or 0)
    if found is None:
        return redirect(url_for("booking.choose", token=token), code=303)
    return render_template(
        "booking/booked.html",
        submission=submission,
        meeting=found,
        day=format_date(aware(found.starts_at).astimezone(PARIS).date(), format="full"),
        time=format_datetime(aware(found.starts_at), "HH:mm"),
        minutes=found.minutes,
    )


def _refused_link(error: Exception) -> ResponseReturnValue:
    if isinstance(error, LinkExpired):
        return render_template("booking/link_used.html"), 410
    return render_template("booking/link_invalid.html"), 404


@bp.get("/meeting/<token>/cancel")
def cancel(token: str) -> ResponseReturnValue:
    """Ask before cancelling: a mail scanner that opens the link cancels nothing."""
    try:
        found = meetings.booking_of_token(token)
    except (LinkInvalid, LinkExpired) as error:
        return _refused_link(error)
    return render_template(
        "booking/cancel.html",
        token=token,
        meeting=found,
        day=format_date(aware(found.starts_at).astimezone(PARIS).date(), format="full"),
        time=format_datetime(aware(found.starts_at), "HH:mm"),
    )


@bp.post("/meeting/<token>/cancel")
@rate_limited("RATELIMIT_BOOKING")
def confirm_cancel(token: str) -> ResponseReturnValue:
    """Cancel the meeting; a forged, expired or used link changes nothing."""
    try:
        found = booking.cancel(token)
    except (LinkInvalid, LinkExpired) as error:
        return _refused_link(error)
    return render_template("booking/cancelled.html", results_token=_results_token(found))


def _results_token(meeting: Any) -> str | None:
    """The results address of the meeting's lead (its latest completed submission's)."""
    done = [s for s in meeting.lead.submissions if s.public_token and s.status == "completed"]
    return max(done, key=lambda s: s.id).public_token if done else None


def _move_page(
    token: str, meeting: Any, message: Any = None, status: int = 200
) -> ResponseReturnValue:
    slots = booking.open_slots(meeting.consultant, moving=meeting)
    action = url_for("booking.move", token=token)
    results = _results_token(meeting)
    return _slots_page(results, meeting.consultant, slots, action, message, status, meeting)


@bp.route("/meeting/<token>/move", methods=["GET", "POST"])
@rate_limited("RATELIMIT_BOOKING", methods=["POST"])
def move(token: str) -> ResponseReturnValue:
    """The times the meeting can move to; moving it sends the new invitation. A refused time
    shows why with the times free now; a forged, expired or used link changes nothing."""
    try:
        found = meetings.booking_of_token(token)
    except (LinkInvalid, LinkExpired) as error:
        return _refused_link(error)
    if request.method == "GET":
        return _move_page(token, found)
    starts_at = _parse_slot(request.form.get("slot", ""))
    if starts_at is None:
        return _move_page(token, found, *FORGED)
    try:
        moved = booking.move(token, starts_at)
    except (LinkInvalid, LinkExpired) as error:
        return _refused_link(error)
    except booking.BookingError as error:
        return _move_page(token, found, *REFUSALS[str(error)])
    results = _results_token(moved)
    if results is None:
        abort(404)
    return redirect(url_for("booking.booked", token=results), code=303)
