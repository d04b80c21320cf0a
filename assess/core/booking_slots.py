"""A consultant's free meeting slots: weekly hours in Paris wall time, minus days off, the
meetings already booked (with their buffer), the minimum notice and the horizon.

Slots are laid on a grid: each weekly range starts a slot at its opening time, then one
every meeting length plus buffer, in wall time. Every booking starts on that grid, so two
bookings of one consultant either start at the same moment (refused by the database) or do
not overlap. On the day clocks go forward, a wall time that does not exist (02:00-02:59) is
skipped; on the day they go back, each wall time is offered once, at its first occurrence.
Plain Python: times in, times out, UTC everywhere but in the weekly hours.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = range(7)  # Monday 0 ... Sunday 6, as date.weekday()


class AvailabilityError(ValueError):
    """Availability that cannot be used; the message names the problem (a stable key)."""


@dataclass(frozen=True)
class Hours:
    """One range of a weekday, in wall time: from `start` to `end` (end after start)."""

    start: time
    end: time


@dataclass(frozen=True)
class Availability:
    """When a consultant takes meetings."""

    weekly: dict[int, tuple[Hours, ...]] = field(default_factory=dict)
    days_off: frozenset[date] = frozenset()
    meeting_minutes: int = 30
    buffer_minutes: int = 0
    notice_hours: int = 12
    horizon_days: int = 30
    zone: ZoneInfo = PARIS

    @property
    def meeting(self) -> timedelta:
        """How long a meeting lasts."""
        return timedelta(minutes=self.meeting_minutes)

    @property
    def step(self) -> timedelta:
        """From one slot's start to the next one's, within a range."""
        return timedelta(minutes=self.meeting_minutes + self.buffer_minutes)

    def is_empty(self) -> bool:
        """Whether no weekday has any hours."""
        return not any(self.weekly.get(day) for day in WEEKDAYS)


@dataclass(frozen=True, order=True)
class Slot:
    """A meeting's start and end, timezone-aware UTC."""

    starts_at: datetime
    ends_at: datetime


def check_hours(ranges: Iterable[Hours]) -> tuple[Hours, ...]:
    """The ranges of one day in order; AvailabilityError when one ends before it starts
    ("hours_order") or two overlap ("hours_overlap")."""
    ordered = tuple(sorted(ranges, key=lambda hours: hours.start))
    for hours in ordered:
        if hours.end <= hours.start:
            raise AvailabilityError("hours_order")
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise AvailabilityError("hours_overlap")
    return ordered


def parse_hours(value: str) -> tuple[Hours, ...]:
    """A weekday's hours as typed: ranges separated by commas, "9:00-12:00, 14h-17h30";
    AvailabilityError "hours_format", "hours_order" or "hours_overlap"."""
    ranges = []
    for piece in value.replace(";", ",").split(","):
        piece = piece.strip()
        if not piece:
            continue
        bounds = piece.replace("–", "-").split("-")
        if len(bounds) != 2:
            raise AvailabilityError("hours_format")
        ranges.append(Hours(_wall_time(bounds[0]), _wall_time(bounds[1])))
    return check_hours(ranges)


def _wall_time(value: str) -> time:
    text = value.strip().lower().replace("h", ":")
    hours, _, minutes = text.partition(":")
    minutes = minutes or "00"
    if not (hours.isdigit() and minutes.isdigit() and len(hours) <= 2 and len(minutes) == 2):
        raise AvailabilityError("hours_format")
    if int(hours) == 24 and int(minutes) == 0:
        return time(23, 59)
    if int(hours) > 23 or int(minutes) > 59:
        raise AvailabilityError("hours_format")
    return time(int(hours), int(minutes))


def parse_days(value: str) -> frozenset[date]:
    """Days off as typed, one per line or separated by commas: 24/12/2026 or 2026-12-24;
    AvailabilityError "day_format"."""
    days = set()
    for piece in value.replace(",", "\n").splitlines():
        piece = piece.strip()
        if not piece:
            continue
        try:
            if "/" in piece:
                day, month, year = (int(part) for part in piece.split("/"))
                days.add(date(year, month, day))
            else:
                days.add(date.fromisoformat(piece))
        except ValueError:
            raise AvailabilityError("day_format") from None
    return frozenset(days)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime: give UTC-aware times")
    return moment.astimezone(UTC)


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The UTC moment of a wall time; None when the clocks skip it (fold 0: first pass)."""
    local = datetime.combine(day, wall, tzinfo=zone)
    moment = local.astimezone(UTC)
    back = moment.astimezone(zone)
    if (back.date(), back.time().replace(tzinfo=None)) != (day, wall):
        return None
    return moment


def grid(availability: Availability, day: date) -> list[Slot]:
    """Every slot of the weekly hours on one local day (days off, bookings and notice aside)."""
    slots: list[Slot] = []
    step, meeting = availability.step, availability.meeting
    for hours in availability.weekly.get(day.weekday(), ()):
        wall = datetime.combine(day, hours.start)
        closing = datetime.combine(day, hours.end)
        while wall + meeting <= closing:
            start = _wall_to_utc(day, wall.time(), availability.zone)
            if start is not None:
                slots.append(Slot(start, start + meeting))
            wall += step
    return slots


class _Busy:
    """Busy slots sorted by start, with the latest end among each prefix: whether a slot
    overlaps one of them (within the buffer) in O(log n), however many there are."""

    def __init__(self, busy: Sequence[Slot], buffer: timedelta):
        ordered = sorted(busy)
        self.starts = [other.starts_at for other in ordered]
        self.latest_end = list(itertools.accumulate((o.ends_at for o in ordered), max))
        self.buffer = buffer

    def overlaps(self, slot: Slot) -> bool:
        # The meetings starting before the slot ends (plus the buffer); one of them overlaps
        # when the latest of their ends (plus the buffer) is after the slot's start.
        before = bisect.bisect_left(self.starts, slot.ends_at + self.buffer)
        return before > 0 and slot.starts_at < self.latest_end[before - 1] + self.buffer


def reach(availability: Availability, now: datetime) -> tuple[datetime, datetime]:
    """The span a booked meeting must overlap to take a slot offered at `now` (the notice and
    the horizon, widened by a meeting and the buffer): the only meetings to read."""
    now = _utc(now)
    buffer = timedelta(minutes=availability.buffer_minutes)
    earliest = now + timedelta(hours=availability.notice_hours)
    latest = now + timedelta(days=availability.horizon_days)
    return earliest - buffer, latest + availability.meeting + buffer


def free_slots(availability: Availability, busy: Iterable[Slot], now: datetime) -> list[Slot]:
    """The slots still free, soonest first: on the grid, not on a day off, at least the notice
    after `now`, starting before the horizon, clear of every busy slot by the buffer."""
    now = _utc(now)
    earliest = now + timedelta(hours=availability.notice_hours)
    latest = now + timedelta(days=availability.horizon_days)
    buffer = timedelta(minutes=availability.buffer_minutes)
    busy_slots = _Busy([Slot(_utc(b.starts_at), _utc(b.ends_at)) for b in busy], buffer)
    first = earliest.astimezone(availability.zone).date()
    last = latest.astimezone(availability.zone).date()
    found: list[Slot] = []
    day = first
    while day <= last:
        if day not in availability.days_off:
            found += [
                slot
                for slot in grid(availability, day)
                if earliest <= slot.starts_at <= latest and not busy_slots.overlaps(slot)
            ]
        day += timedelta(days=1)
    return sorted(found)


def find_free(
    availability: Availability, busy: Iterable[Slot], now: datetime, starts_at: datetime
) -> Slot | None:
    """The free slot starting at `starts_at`, or None (past, off the grid, taken, too far)."""
    wanted = _utc(starts_at)
    return next((s for s in free_slots(availability, busy, now) if s.starts_at == wanted), None)


def by_local_day(slots: Iterable[Slot], zone: ZoneInfo = PARIS) -> list[tuple[date, list[Slot]]]:
    """The slots grouped by their local day, days and slots in order."""
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots):
        days.setdefault(slot.starts_at.astimezone(zone).date(), []).append(slot)
    return list(days.items())
