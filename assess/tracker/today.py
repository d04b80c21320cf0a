"""The Today page's answer to "whom do I call now", in three sections, a lead once at most:

1. the day's meetings (`meetings_today`: the bookings of the day, Paris time);
2. the leads who completed the diagnostic in the last 48 hours, newest first, due or not:
   they remember their results and expect the call;
3. the leads with a touch due today or overdue, ranked by who has the most to gain and
   the means to buy it: the weakest level first (the consultancy sells to companies that
   need it), then the bigger company (more salespeople to train, a budget), then the
   most recent completion (the diagnostic is fresher in their mind).

Sections 2 and 3 are one stream read a page at a time after a cursor (the last lead
shown), never by an offset: logging a touch takes a lead off the list, and an offset
would then skip the lead that slid onto the previous page.
Every function takes `now` so that tests can simulate the days passing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from assess.core.booking_slots import PARIS
from assess.db.models import Booking, Lead, Touch, User, aware
from assess.db.models.booking import BOOKED
from assess.extensions import db
from assess.tracker.cadence import end_of_day
from assess.tracker.leads import owned_or_open
from assess.tracker.pipeline import CADENCE_STOPS, OPEN_STATUSES

RECENT_HOURS = 48
PER_PAGE = 25
# Counting every lead due at 100,000 leads costs more than the page: past this, "more than".
COUNT_CAP = 1000
# Company sizes (the contact step's `company_size`), biggest first.
SIZES_BIGGEST_FIRST = ("eti", "me", "pe", "tpe")
_NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Meeting:
    """A meeting booked with a lead, on today's agenda."""

    lead: Lead
    starts_at: datetime


@dataclass(frozen=True)
class TodayItem:
    """A lead to call: its section ("recent" or "due"), its next planned touch, how late it is."""

    lead: Lead
    section: str
    touch: Touch | None
    total: int
    due: bool
    days_late: int
    stalled: bool


@dataclass(frozen=True)
class TodayPage:
    """One page of the Today list, with the counts of the whole list and the next page's cursor."""

    meetings: list[Meeting]
    items: list[TodayItem]
    recent_count: int
    due_count: int
    stalled_count: int
    next_cursor: str | None


def meetings_today(user: User, now: datetime) -> list[Meeting]:
    """The meetings booked for `now`'s day in Paris, in time order: a consultant's own, all of
    them for an admin. The Today page shows them first, their leads left out below."""
    local = aware(now).astimezone(PARIS)
    starts = datetime.combine(local.date(), time.min, PARIS).astimezone(UTC)
    ends = datetime.combine(local.date() + timedelta(days=1), time.min, PARIS).astimezone(UTC)
    query = (
        select(Booking, Lead)
        .join(Lead, Lead.id == Booking.lead_id)
        .where(Booking.status == BOOKED, Booking.starts_at >= starts, Booking.starts_at < ends)
        .order_by(Booking.starts_at, Booking.id)
    )
    if not user.is_admin:
        query = query.where(Booking.consultant_id == user.id)
    return [
        Meeting(lead, aware(booking.starts_at)) for booking, lead in db.session.execute(query).all()
    ]


class _Ranking:
    """The due section's order: level, size, completion (newest first), id (last first)."""

    def __init__(self, level_order: Sequence[str]) -> None:
        weakest_first = {level: rank for rank, level in enumerate(level_order)}
        self.level = case(weakest_first, value=Lead.level, else_=len(weakest_first))
        sizes = {size: rank for rank, size in enumerate(SIZES_BIGGEST_FIRST)}
        self.size = case(sizes, value=Lead.company_size, else_=len(sizes))
        self.completed = func.coalesce(Lead.completed_at, literal(_NO_DATE, Lead.completed_at.type))

    def order_by(self) -> tuple[Any, ...]:
        return (self.level, self.size, self.completed.desc(), Lead.id.desc())

    def after(
        self, level: int, size: int, completed: datetime, lead_id: int
    ) -> ColumnElement[bool]:
        """The leads ranked after this key."""
        return or_(
            self.level > level,
            and_(self.level == level, self.size > size),
            and_(self.level == level, self.size == size, self.completed < completed),
            and_(
                self.level == level,
                self.size == size,
                self.completed == completed,
                Lead.id < lead_id,
            ),
        )


def _cursor(section: str, lead: Lead, level_order: Sequence[str]) -> str:
    """The page link's key of the last lead shown (plain numbers: nothing personal in a URL)."""
    stamp = int(aware(lead.completed_at or _NO_DATE).timestamp() * 1_000_000)
    if section == "recent":
        return f"r.{stamp}.{lead.id}"
    levels = list(level_order)
    level = levels.index(lead.level) if lead.level in levels else len(levels)
    size = (
        SIZES_BIGGEST_FIRST.index(lead.company_size)
        if lead.company_size in SIZES_BIGGEST_FIRST
        else len(SIZES_BIGGEST_FIRST)
    )
    return f"d.{level}.{size}.{stamp}.{lead.id}"


def parse_cursor(text: str | None) -> tuple[str, list[int]] | None:
    """A cursor read back: its section and numbers; None when absent or malformed."""
    if not text or len(text) > 80:
        return None
    section, *parts = text.split(".")
    if (section, len(parts)) not in (("r", 2), ("d", 4)) or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts]
    # ids fit the integer column, times the year 8000, ranks a few dozen
    if numbers[-1] >= 2**31 or numbers[-2] > 2 * 10**17 or any(n > 999 for n in numbers[:-2]):
        return None
    return section, numbers


def _capped_count(cap: int, *conditions: ColumnElement[bool]) -> Any:
    """How many leads meet the conditions, counted up to `cap` + 1 (then "more than")."""
    capped = select(Lead.id).where(*conditions).limit(cap + 1).subquery()
    return select(func.count()).select_from(capped).scalar_subquery()


def _moment(microseconds: int) -> datetime:
    return _NO_DATE + timedelta(microseconds=microseconds)


def today_page(
    user: User,
    now: datetime,
    level_order: Sequence[str],
    after: str | None = None,
    per_page: int = PER_PAGE,
    stall_days: int | None = None,
    count_cap: int = COUNT_CAP,
) -> TodayPage:
    """The meetings, then a page of recent completions and due touches after the cursor."""
    if stall_days is None:
        stall_days = int(current_app.config["CADENCE_STALL_DAYS"])
    now = aware(now)
    since = now - timedelta(hours=RECENT_HOURS)
    meetings = meetings_today(user, now)
    conditions: list[ColumnElement[bool]] = [Lead.status.not_in(CADENCE_STOPS)]
    if not user.is_admin:
        conditions.append(owned_or_open(user.id))
    if meetings:
        conditions.append(Lead.id.not_in([m.lead.id for m in meetings]))
    recent = and_(Lead.completed_at.is_not(None), Lead.completed_at >= since)
    due = and_(Lead.next_touch_at.is_not(None), Lead.next_touch_at < end_of_day(now))
    stalled = and_(
        due,
        ~recent,
        Lead.status.in_(OPEN_STATUSES),
        Lead.touches_done <= 3,
        Lead.next_touch_at < now - timedelta(days=stall_days),
    )
    counts = db.session.execute(
        select(
            _capped_count(count_cap, *conditions, recent),
            _capped_count(count_cap, *conditions, due, ~recent),
            _capped_count(count_cap, *conditions, stalled),
        )
    ).one()
    cursor = parse_cursor(after)
    leads: list[tuple[str, Lead]] = []
    if cursor is None or cursor[0] == "r":
        query = select(Lead).where(*conditions, recent)
        if cursor is not None:
            moment, lead_id = _moment(cursor[1][0]), cursor[1][1]
            query = query.where(
                or_(
                    Lead.completed_at < moment,
                    and_(Lead.completed_at == moment, Lead.id < lead_id),
                )
            )
        query = query.order_by(Lead.completed_at.desc(), Lead.id.desc()).limit(per_page + 1)
        leads += [("recent", lead) for lead in db.session.execute(query).scalars()]
    if len(leads) <= per_page:
        ranking = _Ranking(level_order)
        # The ids first, ranked from the covering index alone; then only those rows.
        ranked = select(Lead.id).where(*conditions, due, ~recent)
        if cursor is not None and cursor[0] == "d":
            level, size, stamp, lead_id = cursor[1]
            ranked = ranked.where(ranking.after(level, size, _moment(stamp), lead_id))
        ranked = ranked.order_by(*ranking.order_by()).limit(per_page + 1 - len(leads))
        ids = list(db.session.execute(ranked).scalars())
        if ids:
            rows = db.session.execute(select(Lead).where(Lead.id.in_(ids))).scalars()
            by_id = {lead.id: lead for lead in rows}
            leads += [("due", by_id[lead_id]) for lead_id in ids if lead_id in by_id]
    more = len(leads) > per_page
    leads = leads[:per_page]
    items = _with_touches(leads, now, stall_days)
    next_cursor = _cursor(*leads[-1], level_order) if more else None
    return TodayPage(meetings, items, int(counts[0]), int(counts[1]), int(counts[2]), next_cursor)


def _with_touches(leads: list[tuple[str, Lead]], now: datetime, stall_days: int) -> list[TodayItem]:
    """Each lead with its next planned touch and its cadence's length (one query for the page)."""
    ids = [lead.id for _, lead in leads]
    touches: dict[int, list[Touch]] = {lead_id: [] for lead_id in ids}
    if ids:
        query = select(Touch).where(Touch.lead_id.in_(ids)).order_by(Touch.lead_id, Touch.number)
        for touch in db.session.execute(query).scalars():
            touches[touch.lead_id].append(touch)
    today = now.date()
    items = []
    for section, lead in leads:
        planned = next((t for t in touches[lead.id] if t.status == "planned"), None)
        late = max(0, (today - aware(planned.due_at).date()).days) if planned else 0
        due = planned is not None and aware(planned.due_at) < end_of_day(now)
        overdue = lead.next_touch_at is not None and aware(lead.next_touch_at) < now - timedelta(
            days=stall_days
        )
        stalled = lead.status in OPEN_STATUSES and lead.touches_done <= 3 and overdue
        items.append(TodayItem(lead, section, planned, len(touches[lead.id]), due, late, stalled))
    return items
