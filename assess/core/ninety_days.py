"""The report's 90-day calendar: in which month of the plan each action falls, and its date.

Month 1 starts on the day of the diagnostic; each month is 30 days. An action's
`within_days` places it (31 days is month 2); one due after 90 days goes to "afterwards".
An action without `within_days` takes its place from its recommendation's rank: the
priorities in month 1, the next as many in month 2, the rest in month 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MONTH_DAYS = 30
MONTHS = 3


@dataclass(frozen=True)
class Month:
    """One month of the calendar: its number (1 to 3) and its first and last days."""

    number: int
    starts: date
    ends: date


def months(start: date) -> list[Month]:
    """The three months of the plan from the day of the diagnostic."""
    return [
        Month(
            number,
            start + timedelta(days=MONTH_DAYS * (number - 1)),
            start + timedelta(days=MONTH_DAYS * number - 1),
        )
        for number in range(1, MONTHS + 1)
    ]


def month_of(within_days: int | None, rank: int, priorities: int) -> int | None:
    """The month (1 to 3) an action falls in; None for one due after the 90 days."""
    if within_days is None:
        return min((max(rank, 1) - 1) // max(priorities, 1) + 1, MONTHS)
    if within_days > MONTH_DAYS * MONTHS:
        return None
    return (max(within_days, 1) - 1) // MONTH_DAYS + 1


def due_date(start: date, within_days: int | None) -> date | None:
    """The day an action is due, when its deadline is given in days."""
    return None if within_days is None else start + timedelta(days=within_days)
