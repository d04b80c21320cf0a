"""The report's 90-day calendar: in which month of the plan each action falls, and its date.

Month 1 starts on the day of the diagnostic; each month is 30 days. A plan is staged: its
recommendation's rank gives each action the month it may start in (the priorities in
month 1, the next as many in month 2, the rest in month 3), and its `within_days` counts
from the start of that month, so that the first month holds the priorities and not half
the plan. An action due after the 90 days goes to "afterwards".
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


def starting_month(rank: int, priorities: int) -> int:
    """The month a recommendation of this rank starts in: its turn in the plan."""
    return min((max(rank, 1) - 1) // max(priorities, 1) + 1, MONTHS)


def due_in_days(within_days: int | None, rank: int, priorities: int) -> int | None:
    """An action's deadline in days from the diagnostic: `within_days` from the start of its
    recommendation's month; None without `within_days`."""
    if within_days is None:
        return None
    return MONTH_DAYS * (starting_month(rank, priorities) - 1) + max(within_days, 1)


def month_of(within_days: int | None, rank: int, priorities: int) -> int | None:
    """The month (1 to 3) an action falls in; None for one due after the 90 days."""
    due = due_in_days(within_days, rank, priorities)
    if due is None:
        return starting_month(rank, priorities)
    if due > MONTH_DAYS * MONTHS:
        return None
    return (due - 1) // MONTH_DAYS + 1


def due_date(start: date, within_days: int | None, rank: int, priorities: int) -> date | None:
    """The day an action is due, when its deadline is given in days."""
    due = due_in_days(within_days, rank, priorities)
    return None if due is None else start + timedelta(days=due)
