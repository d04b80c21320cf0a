"""When a follow-up e-mail may leave: working days, in working hours, Paris wall time.

A sales director writes to an executive on a weekday morning, not on a Sunday night or on
the 14th of July: the window is a set of weekdays and a range of hours ("mon-fri
09:00-18:00"), minus France's public holidays when asked. Plain Python: times in, booleans
out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from assess.core.booking_slots import PARIS

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as date.weekday()
_WINDOW = re.compile(
    r"^\s*(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?)\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)


@dataclass(frozen=True)
class SendingWindow:
    """Weekdays (Monday 0) and the wall-time range [start, end) in which e-mails leave."""

    weekdays: frozenset[int]
    start: time
    end: time  # time.max stands for 24:00
    skip_public_holidays: bool = True

    def is_open(self, moment: datetime) -> bool:
        """Whether an e-mail may leave at `moment` (an aware datetime)."""
        local = moment.astimezone(PARIS)
        if local.weekday() not in self.weekdays:
            return False
        if self.skip_public_holidays and local.date() in french_public_holidays(local.year):
            return False
        return self.start <= local.time().replace(tzinfo=None) < self.end


def parse_window(setting: str, skip_public_holidays: bool = True) -> SendingWindow:
    """Read "mon-fri 09:00-18:00" (or "mon-sun 00:00-24:00"); ValueError when malformed."""
    found = _WINDOW.match(setting.strip().lower())
    if not found:
        raise ValueError('must read like "mon-fri 09:00-18:00"')
    first, _, last = found.group("days").replace(" ", "").partition("-")
    if first not in DAY_NAMES or (last and last not in DAY_NAMES):
        raise ValueError(f"days must be among {', '.join(DAY_NAMES)}")
    begin, end_day = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
    if end_day < begin:
        raise ValueError("the days must run forward (mon-fri, not fri-mon)")
    start, end = _clock(found.group("start")), _clock(found.group("end"))
    if end <= start:
        raise ValueError("the hours must end after they start")
    return SendingWindow(frozenset(range(begin, end_day + 1)), start, end, skip_public_holidays)


def _clock(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    if (hours, minutes) == (24, 0):
        return time.max
    if hours > 23 or minutes > 59:
        raise ValueError(f"{value} is not a time of day")
    return time(hours, minutes)


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * leap) // 433
    month = (h + leap - 7 * m + 90) // 25
    day = (h + leap - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def french_public_holidays(year: int) -> frozenset[date]:
    """The eleven public holidays of metropolitan France (Code du travail, L3133-1)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),  # lundi de Pâques
            date(year, 5, 1),
            date(year, 5, 8),
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # lundi de Pentecôte
            date(year, 7, 14),
            date(year, 8, 15),
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
        }
    )
