"""The 7-touch follow-up cadence: plan it at completion, log each touch, list what is due.

A sale closes on average at the 7th contact, while 80% of salespeople give up
after the 3rd: every lead gets seven touches planned from the CADENCE setting,
each with a talking point drawn from its weakest areas, and a lead left at three
touches or fewer is flagged when its next touch is long overdue.
Every function takes `now` so that tests can simulate the days passing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, inspect, select
from sqlalchemy.orm import aliased

from assess.config import DEFAULTS
from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.core.single_line import on_one_line
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Lead, LeadEvent, Submission, Touch, User, aware, utcnow
from assess.extensions import db
from assess.tracker.leads import owned_or_open
from assess.tracker.pipeline import (
    CADENCE_STOPS,
    MAX_REASON,
    OPEN_STATUSES,
    lead_for_update,
    move_lead,
    refresh_next_touch,
)

OUTCOMES = ("reached", "no_answer", "left_message", "meeting_booked", "not_interested")
# The outcome of an e-mail touch the worker sent (never chosen in the back office).
EMAILED = "emailed"
# What the back office calls each outcome, channel and state of a touch.
OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "no_answer": _l("No answer"),
    "left_message": _l("Left a message"),
    "meeting_booked": _l("Meeting booked"),
    "not_interested": _l("Not interested"),
    EMAILED: _l("E-mail sent automatically"),
}
CHANNEL_LABELS = {"email": _l("E-mail"), "phone": _l("Phone"), "linkedin": _l("LinkedIn")}
TOUCH_STATUS_LABELS = {"planned": _l("Planned"), "done": _l("Done"), "cancelled": _l("Cancelled")}
MAX_TOUCH_NOTE = 2000
_STEP = re.compile(r"^\s*(\d{1,3})\s*:\s*([a-z][a-z0-9_]{0,19})\s*$")


class CadenceError(ValueError):
    """A refused touch: "unknown outcome", "note too long" or "touch not planned"."""


@dataclass(frozen=True)
class DueTouch:
    """A planned touch with its lead, the cadence's length and how late it is (0: due today)."""

    touch: Touch
    lead: Lead
    total: int
    days_late: int


@dataclass(frozen=True)
class StalledLead:
    """An open lead left at three touches or fewer whose next touch is long overdue."""

    lead: Lead
    days_overdue: int


def parse_cadence(setting: str) -> list[tuple[int, str]]:
    """Read "0:email,2:phone,..." into (day offset, channel) pairs; ValueError when malformed."""
    steps = []
    for part in setting.split(","):
        found = _STEP.match(part)
        if not found:
            raise ValueError(f"cadence step {part.strip()!r} is not 'days:channel'")
        steps.append((int(found.group(1)), found.group(2)))
    offsets = [offset for offset, _ in steps]
    if offsets != sorted(offsets):
        raise ValueError("cadence offsets must not decrease")
    return steps


def configured_cadence() -> list[tuple[int, str]]:
    """The CADENCE setting; a malformed one is logged and the default used instead."""
    try:
        return parse_cadence(current_app.config["CADENCE"])
    except ValueError as error:
        current_app.logger.error("CADENCE setting ignored: %s", error)
        return parse_cadence(DEFAULTS["CADENCE"])


def talking_points(result: StoredResult, q: Questionnaire, locale: str) -> list[str]:
    """What to talk about, best first: the three weakest areas with their advice, then the rest."""
    fired = sorted(
        result.explanation.get("recommendations") or [],
        key=lambda rec: rec.get("priority") or 99,
    )
    points: list[str] = []
    used: set[str] = set()
    for cid, score, _level in result.weakest(3):
        category = q.categories_by_id.get(cid)
        area = q.text(category.label, locale) if category else cid
        advice = next((r for r in fired if r.get("category") == cid and r["id"] not in used), None)
        if advice is None:
            points.append(gettext("%(area)s (%(score)s/100)", area=area, score=round(score)))
            continue
        used.add(advice["id"])
        points.append(
            gettext(
                "%(area)s (%(score)s/100): %(advice)s",
                area=area,
                score=round(score),
                advice=recommendation_title(advice, locale),
            )
        )
    points.extend(recommendation_title(r, locale) for r in fired if r["id"] not in used)
    return points


def recommendation_title(recommendation: dict[str, Any], locale: str) -> str:
    """A fired recommendation's stored title in `locale` (else its first language)."""
    title = recommendation.get("title") or {}
    if isinstance(title, dict):
        return str(title.get(locale) or next(iter(title.values()), ""))
    return str(title)


def _phrase(number: int, total: int, channel: str, point: str) -> str:
    """The touch's suggestion: open with the report, close the loop at the last one."""
    if number == 1:
        return gettext("Send the report and offer a call. Lead with: %(point)s", point=point)
    if number == total:
        return gettext(
            "Last touch: ask whether to keep the file open. Remind: %(point)s", point=point
        )
    if channel == "phone":
        return gettext("Ask how they handle it today: %(point)s", point=point)
    if channel == "linkedin":
        return gettext("Share something useful on: %(point)s", point=point)
    if channel == "email":
        return gettext("Write a short note on: %(point)s", point=point)
    return point


def plan_cadence(lead: Lead, submission: Submission, q: Questionnaire) -> None:
    """Plan the lead's seven touches, inside the completion's transaction (once per lead)."""
    # A lead stored before this transaction may have had a diagnostic already: a
    # re-assessment keeps the cadence that runs (or ran). A new lead has none.
    stored: bool = inspect(lead).persistent
    if stored and db.session.execute(select(exists().where(Touch.lead_id == lead.id))).scalar():
        return
    if lead.id is None:
        db.session.flush()
    start = aware(submission.completed_at or utcnow())
    steps = configured_cadence()
    # Talking points are for the consultant: in the questionnaire's default language.
    with force_locale(q.locale):
        points = talking_points(StoredResult.from_json(submission.result), q, q.locale)
        if not points:
            points = [gettext("Their diagnostic and what they expect from it.")]
        touches = [
            Touch(
                lead_id=lead.id,
                number=number,
                channel=channel,
                due_at=start + timedelta(days=offset),
                talking_point=_phrase(
                    number, len(steps), channel, points[(number - 1) % len(points)]
                ),
                status="planned",
            )
            for number, (offset, channel) in enumerate(steps, start=1)
        ]
    db.session.add_all(touches)
    lead.touches_done = 0
    lead.next_touch_at = touches[0].due_at


def log_touch(
    touch_id: int,
    lead_id: int,
    outcome: str,
    note: str | None,
    user_id: int | None,
    now: datetime | None = None,
) -> Touch:
    """Mark a planned touch done with its outcome; the next one comes due; the pipeline follows."""
    if outcome not in OUTCOMES:
        raise CadenceError("unknown outcome")
    note = (note or "").strip()
    if len(note) > MAX_TOUCH_NOTE:
        raise CadenceError("note too long")
    now = now or utcnow()
    with write_transaction():
        lead = lead_for_update(lead_id)
        touch = db.session.execute(
            select(Touch).where(Touch.id == touch_id, Touch.lead_id == lead_id).with_for_update()
        ).scalar_one_or_none()
        if lead is None or touch is None:
            raise LookupError(touch_id)
        if touch.status != "planned":
            raise CadenceError("touch not planned")
        complete_touch(lead, touch, outcome, note or None, user_id, now)
    return touch


def complete_touch(
    lead: Lead, touch: Touch, outcome: str, note: str | None, user_id: int | None, now: datetime
) -> None:
    """Inside the caller's write transaction, on the locked lead and touch: mark the touch
    done, record it, move the lead as its outcome says, and bring the next touch due."""
    touch.status = "done"
    touch.done_at = now
    touch.outcome = outcome
    touch.note = note
    touch.done_by_id = user_id
    lead.touches_done = (lead.touches_done or 0) + 1
    details = {"touch_id": touch.id, "number": touch.number, "outcome": outcome}
    db.session.add(
        LeadEvent(
            lead_id=lead.id,
            at=now,
            kind="touch",
            user_id=user_id,
            data={**details, "channel": touch.channel},
        )
    )
    moved = _status_after(lead.status, outcome, note or "")
    if moved is not None:
        status, reason = moved
        move_lead(lead, status, reason, user_id, source="touch", now=now)
    if lead.status not in CADENCE_STOPS:
        refresh_next_touch(lead)
    record("lead.touch", f"lead:{lead.id}", details, user_id=user_id)


def _status_after(status: str, outcome: str, note: str) -> tuple[str, str] | None:
    """Where a touch's outcome moves the lead (status, lost reason), or None: it stays."""
    if outcome == EMAILED:  # the worker's e-mail: nobody talked to the lead yet
        return None
    if outcome == "meeting_booked":
        return "meeting_booked", ""
    if outcome == "not_interested":
        reason = gettext("Not interested")
        summary = f"{reason}: {on_one_line(note)}" if note else reason
        return "lost", summary[:MAX_REASON]  # single-line, as the status form keeps it
    if status == "new":
        return "contacted", ""
    return None


def _visible(query: Select[Any], user: User, everything_for_admins: bool = True) -> Select[Any]:
    """Leads of this consultant or of nobody; an admin sees them all."""
    if everything_for_admins and user.is_admin:
        return query
    return query.where(owned_or_open(user.id))


def end_of_day(now: datetime) -> datetime:
    """Midnight (UTC) after `now`: a touch due before it is due today."""
    now = aware(now)
    return datetime.combine(now.date() + timedelta(days=1), time.min, UTC)


def _total_touches() -> Any:
    counted = aliased(Touch)
    return (
        select(func.count(counted.id))
        .where(counted.lead_id == Touch.lead_id)
        .correlate(Touch)
        .scalar_subquery()
    )


def due_touches(user: User, now: datetime, limit: int = 500) -> list[DueTouch]:
    """Each lead's next planned touch when due today or overdue, oldest first (one query)."""
    earlier = aliased(Touch)
    query = (
        select(Touch, Lead, _total_touches())
        .join(Lead, Lead.id == Touch.lead_id)
        .where(
            Touch.status == "planned",
            Touch.due_at < end_of_day(now),
            Lead.status.not_in(CADENCE_STOPS),
            # Touches are done in order: only the first one still planned is on the list.
            ~exists().where(
                earlier.lead_id == Touch.lead_id,
                earlier.status == "planned",
                earlier.number < Touch.number,
            ),
        )
        .order_by(Touch.due_at, Touch.id)
        .limit(limit)
    )
    today = aware(now).date()
    return [
        DueTouch(touch, lead, int(total), max(0, (today - aware(touch.due_at).date()).days))
        for touch, lead, total in db.session.execute(_visible(query, user)).all()
    ]


def stalled_leads(
    user: User, now: datetime, stall_days: int | None = None, limit: int = 200
) -> list[StalledLead]:
    """Open leads stopped at 3 touches or fewer, the next one over CADENCE_STALL_DAYS overdue."""
    if stall_days is None:
        stall_days = current_app.config["CADENCE_STALL_DAYS"]
    now = aware(now)
    query = (
        select(Lead)
        .where(
            Lead.status.in_(OPEN_STATUSES),
            Lead.touches_done <= 3,
            Lead.next_touch_at.is_not(None),
            Lead.next_touch_at < now - timedelta(days=stall_days),
        )
        .order_by(Lead.next_touch_at, Lead.id)
        .limit(limit)
    )
    return [
        StalledLead(lead, (now - aware(lead.next_touch_at)).days)
        for lead in db.session.execute(_visible(query, user)).scalars()
        if lead.next_touch_at is not None
    ]


def calendar_touches(user: User, now: datetime, days_ahead: int = 60) -> list[DueTouch]:
    """Planned touches overdue or due within `days_ahead`, of leads of this user or of nobody."""
    query = (
        select(Touch, Lead, _total_touches())
        .join(Lead, Lead.id == Touch.lead_id)
        .where(
            Touch.status == "planned",
            Touch.due_at < end_of_day(now) + timedelta(days=days_ahead),
            Lead.status.not_in(CADENCE_STOPS),
        )
        .order_by(Touch.due_at, Touch.id)
        .limit(5000)
    )
    today = aware(now).date()
    return [
        DueTouch(touch, lead, int(total), max(0, (today - aware(touch.due_at).date()).days))
        for touch, lead, total in db.session.execute(
            _visible(query, user, everything_for_admins=False)
        ).all()
    ]


def calendar_owner(token: str) -> User | None:
    """The active account whose secret feed address holds this token."""
    if not token or len(token) > 64:
        return None
    user = db.session.execute(select(User).where(User.calendar_token == token)).scalar_one_or_none()
    return user if user is not None and user.active else None
