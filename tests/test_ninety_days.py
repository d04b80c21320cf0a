"""The 90-day calendar: months of 30 days from the diagnostic, actions placed by deadline."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from assess.core.ninety_days import due_date, month_of, months

START = date(2026, 12, 3)


def test_three_months_of_thirty_days_from_the_diagnostic():
    found = months(START)
    assert [(m.number, m.starts, m.ends) for m in found] == [
        (1, date(2026, 12, 3), date(2027, 1, 1)),
        (2, date(2027, 1, 2), date(2027, 1, 31)),
        (3, date(2027, 2, 1), date(2027, 3, 2)),
    ]


def test_a_deadline_in_days_places_the_action_and_dates_it():
    assert [month_of(days, rank=9, priorities=3) for days in (1, 15, 30, 31, 60, 61, 90)] == [
        1,
        1,
        1,
        2,
        2,
        3,
        3,
    ]
    assert month_of(91, rank=1, priorities=3) is None  # afterwards, even for a priority
    assert month_of(180, rank=1, priorities=3) is None
    assert due_date(START, 30) == date(2027, 1, 2)
    assert due_date(START, None) is None


def test_without_a_deadline_the_rank_of_its_recommendation_places_it():
    assert [month_of(None, rank, priorities=3) for rank in range(1, 11)] == [
        1, 1, 1, 2, 2, 2, 3, 3, 3, 3,
    ]  # fmt: skip


@given(st.integers(min_value=1, max_value=90), st.integers(min_value=1, max_value=10))
def test_an_action_due_within_90_days_falls_in_the_month_holding_its_due_date(days, rank):
    number = month_of(days, rank, 3)
    assert number is not None
    month = months(START)[number - 1]
    due = due_date(START, days)
    assert due is not None
    # due = start + days: the last day of month n is start + 30n - 1, so day 30 is due the
    # day after month 1 ends; the action belongs to the month in which its window closes.
    assert month.starts <= due - timedelta(days=1) <= month.ends
