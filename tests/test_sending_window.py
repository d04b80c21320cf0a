"""When a follow-up e-mail may leave: weekdays, hours in Paris, France's public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from assess.core.sending_window import (
    PARIS,
    easter_sunday,
    french_public_holidays,
    parse_window,
)

OFFICE = parse_window("mon-fri 09:00-18:00")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_easter_and_the_holidays_that_follow_it():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2038) == date(2038, 4, 25)  # the latest possible
    holidays = french_public_holidays(2026)
    assert len(holidays) == 11
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)} <= holidays
    assert {date(2026, 7, 14), date(2026, 12, 25), date(2026, 11, 11)} <= holidays


def test_office_hours_on_a_working_day_in_paris_time():
    assert OFFICE.is_open(paris(2026, 12, 7, 9, 0))  # a Monday
    assert OFFICE.is_open(paris(2026, 12, 4, 17, 59))  # a Friday
    assert not OFFICE.is_open(paris(2026, 12, 7, 8, 59))
    assert not OFFICE.is_open(paris(2026, 12, 7, 18, 0))
    assert not OFFICE.is_open(paris(2026, 12, 5, 10, 0))  # Saturday
    assert not OFFICE.is_open(paris(2026, 12, 6, 10, 0))  # Sunday


def test_utc_moments_are_read_in_paris_on_both_sides_of_daylight_saving():
    # 08:30 UTC is 09:30 in winter (UTC+1) and 10:30 in summer (UTC+2): open in both.
    assert OFFICE.is_open(datetime(2026, 1, 12, 8, 30, tzinfo=UTC))
    assert OFFICE.is_open(datetime(2026, 6, 15, 8, 30, tzinfo=UTC))
    # 16:30 UTC is 17:30 in winter (open) but 18:30 in summer (closed).
    assert OFFICE.is_open(datetime(2026, 1, 12, 16, 30, tzinfo=UTC))
    assert not OFFICE.is_open(datetime(2026, 6, 15, 16, 30, tzinfo=UTC))
    # 07:30 UTC on a summer Monday is 09:30 in Paris.
    assert OFFICE.is_open(datetime(2026, 6, 15, 7, 30, tzinfo=UTC))


def test_public_holidays_are_closed_unless_told_otherwise():
    assert not OFFICE.is_open(paris(2026, 7, 14, 10, 0))  # a Tuesday
    assert not OFFICE.is_open(paris(2026, 5, 14, 10, 0))  # Ascension, a Thursday
    assert parse_window("mon-fri 09:00-18:00", skip_public_holidays=False).is_open(
        paris(2026, 7, 14, 10, 0)
    )


def test_a_window_open_all_the_time():
    always = parse_window("mon-sun 00:00-24:00", skip_public_holidays=False)
    assert always.end == time.max
    assert always.is_open(paris(2026, 12, 25, 23, 59))
    assert always.is_open(paris(2026, 12, 27, 0, 0))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "weekdays",
        "mon-fri",
        "mon-fri 9-18",
        "fri-mon 09:00-18:00",
        "mon-xyz 09:00-18:00",
        "mon-fri 18:00-09:00",
        "mon-fri 09:00-25:00",
        "mon-fri 09:61-18:00",
    ],
)
def test_malformed_windows_are_refused(bad):
    with pytest.raises(ValueError):
        parse_window(bad)


def test_a_single_day_window():
    assert parse_window("wed 10:00-12:00").weekdays == frozenset({2})
