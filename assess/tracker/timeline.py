"""A lead's timeline in plain words: what each kind of event is called and what it says.

The events are written where they happen (`record_completion`, `change_status`, the touch
log, the address confirmation...); tests/test_timeline.py checks that every kind written
anywhere in assess/ has its label here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assess.db.models import LeadEvent
from assess.i18n import format_moment
from assess.report.content import score_text
from assess.tracker.cadence import CHANNEL_LABELS, OUTCOME_LABELS
from assess.tracker.lead_list import STATUS_LABELS

EVENT_LABELS = {
    "submission.completed": _l("Diagnostic completed"),
    "email.confirmed": _l("E-mail address confirmed"),
    "status": _l("Status changed"),
    "owner": _l("Owner changed"),
    "note": _l("Note added"),
    "touch": _l("Follow-up logged"),
    "meeting.booked": _l("Meeting booked by the executive"),
    "meeting.moved": _l("Meeting moved by the executive"),
    "meeting.cancelled": _l("Meeting cancelled by the executive"),
    "follow_up.paused": _l("Follow-up e-mails paused"),
    "follow_up.replied": _l("Reply marked: follow-up e-mails stopped"),
    "follow_up.resumed": _l("Follow-up e-mails resumed"),
    "follow_up.unsubscribed": _l("Unsubscribed from the follow-up e-mails"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One event as the lead page shows it; `kind` and `data` as stored, for admins."""

    at: datetime
    by: str
    label: str
    detail: str
    kind: str
    data: dict[str, Any]


def event_label(kind: str) -> str:
    """What an event is called ("Other event" for a kind no longer written)."""
    return str(EVENT_LABELS.get(kind, _l("Other event")))


def event_detail(kind: str, data: dict[str, Any], names: dict[int, str]) -> str:
    """What an event says, in a sentence; `names` are the consultants' names by id."""
    if kind == "submission.completed" and data.get("overall") is not None:
        return _("Overall score: %(score)s", score=score_text(data["overall"]))
    if kind == "status":
        before, after = _status(data.get("from")), _status(data.get("to"))
        said = _("From “%(before)s” to “%(after)s”", before=before, after=after)
        if data.get("reason"):
            said += " · " + _("reason: %(reason)s", reason=data["reason"])
        return said
    if kind == "owner":
        owner = data.get("owner_id")
        if owner is None:
            return _("Nobody follows this lead now")
        return _("Given to %(name)s", name=names.get(owner) or _("a consultant no longer active"))
    if kind == "touch":
        channel = str(data.get("channel") or "–")
        outcome = str(data.get("outcome") or "–")
        return _(
            "Touch %(number)s (%(channel)s): %(outcome)s",
            number=data.get("number") or "?",
            channel=str(CHANNEL_LABELS.get(channel, channel)),
            outcome=str(OUTCOME_LABELS.get(outcome, outcome)),
        )
    when = data.get("starts_at") or data.get("to")  # booked, or moved to
    if kind in ("meeting.booked", "meeting.moved") and when:
        return _("On %(moment)s", moment=format_moment(datetime.fromisoformat(when)))
    if kind == "email.confirmed" and data.get("changed"):
        return _("The address was corrected before it was confirmed")
    return ""


def _status(status: Any) -> str:
    return str(STATUS_LABELS.get(str(status), status or "–"))


def entries(
    events: Iterable[tuple[LeadEvent, str | None, str | None]], names: dict[int, str]
) -> list[TimelineEntry]:
    """A lead's events (each with its author's name and e-mail), as the lead page shows them."""
    return [
        TimelineEntry(
            event.at,
            user_name or user_email or "",
            event_label(event.kind),
            event_detail(event.kind, event.data or {}, names),
            event.kind,
            event.data or {},
        )
        for event, user_name, user_email in events
    ]
