"""The 90-day calendar: months of 30 days from the diagnostic, a staged plan."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from assess.core.ninety_days import due_date, month_of, months, starting_month

START = date(2026, 12, 3)


def test_three_months_of_thirty_days_from_the_diagnostic():
    found = months(START)
    assert [(m.number, m.starts, m.ends) for m in found] == [
        (1, date(2026, 12, 3), date(2027, 1, 1)),
        (2, date(2027, 1, 2), date(2027, 1, 31)),
        (3, date(2027, 2, 1), date(2027, 3, 2)),
    ]


def test_the_priorities_start_in_month_one_the_next_three_in_month_two_the_rest_in_three():
    assert [starting_month(rank, priorities=3) for rank in range(1, 11)] == [
        1, 1, 1, 2, 2, 2, 3, 3, 3, 3,
    ]  # fmt: skip


def test_a_priority_is_placed_and_dated_by_its_deadline():
    assert [month_of(days, rank=1, priorities=3) for days in (1, 15, 30, 31, 60, 61, 90)] == [
        1, 1, 1, 2, 2, 3, 3,
    ]  # fmt: skip
    assert month_of(91, rank=1, priorities=3) is None  # afterwards
    assert due_date(START, 30, rank=1, priorities=3) == date(2027, 1, 2)
    assert due_date(START, None, rank=1, priorities=3) is None


def test_a_later_recommendation_counts_its_deadline_from_its_own_month():
    # Rank 5 starts in month 2: "within 30 days" is due 60 days after the diagnostic.
    assert month_of(30, rank=5, priorities=3) == 2
    assert due_date(START, 30, rank=5, priorities=3) == START + timedelta(days=60)
    assert month_of(45, rank=8, priorities=3) is None  # 60 + 45 days: afterwards
    assert month_of(None, rank=8, priorities=3) == 3


@given(st.integers(min_value=1, max_value=90), st.integers(min_value=1, max_value=10))
def test_an_action_never_falls_before_its_recommendations_turn(days, rank):
    number = month_of(days, rank, 3)
    assert number is None or number >= starting_month(rank, 3)
    due = due_date(START, days, rank, 3)
    assert due is not None
    if number is not None:  # the month that holds the day before it is due
        month = months(START)[number - 1]
        assert month.starts <= due - timedelta(days=1) <= month.ends
