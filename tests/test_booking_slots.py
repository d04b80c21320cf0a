"""Free slots: weekly hours in Paris wall time, across daylight-saving changes."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from assess.core.booking_slots import (
    Availability,
    AvailabilityError,
    Hours,
    Slot,
    by_local_day,
    check_hours,
    find_free,
    free_slots,
    grid,
    parse_days,
    parse_hours,
)

NINE_TO_NOON = (Hours(time(9), time(12)),)


def every_day(hours: tuple[Hours, ...], **fields: object) -> Availability:
    return Availability(weekly={day: hours for day in range(7)}, **fields)  # type: ignore[arg-type]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("winter_day", "summer_day"),
    [
        (date(2026, 3, 28), date(2026, 3, 29)),  # last Sunday of March 2026
        (date(2027, 3, 27), date(2027, 3, 28)),  # last Sunday of March 2027
    ],
)
def test_nine_in_paris_is_eight_utc_in_winter_and_seven_in_summer(winter_day, summer_day):
    nine = every_day((Hours(time(9), time(9, 30)),))
    assert grid(nine, winter_day) == [
        Slot(utc(*winter_day.timetuple()[:3], 8), utc(*winter_day.timetuple()[:3], 8, 30))
    ]
    assert grid(nine, summer_day) == [
        Slot(utc(*summer_day.timetuple()[:3], 7), utc(*summer_day.timetuple()[:3], 7, 30))
    ]


@pytest.mark.parametrize(
    ("summer_day", "winter_day"),
    [(date(2026, 10, 24), date(2026, 10, 25)), (date(2027, 10, 30), date(2027, 10, 31))],
)
def test_in_october_nine_moves_back_to_eight_utc(summer_day, winter_day):
    nine = every_day((Hours(time(9), time(9, 30)),))
    assert grid(nine, summer_day)[0].starts_at.hour == 7
    assert grid(nine, winter_day)[0].starts_at.hour == 8


def test_the_skipped_hour_offers_no_slot_and_loses_none_around_it():
    night = every_day((Hours(time(1), time(4)),))
    starts = [s.starts_at for s in grid(night, date(2026, 3, 29))]
    # 01:00 and 01:30 CET, then 03:00 and 03:30 CEST: 02:00-02:59 does not exist that night.
    assert starts == [
        utc(2026, 3, 29, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 1, 30),
    ]
    assert all(
        s.ends_at - s.starts_at == timedelta(minutes=30) for s in grid(night, date(2026, 3, 29))
    )


def test_the_repeated_hour_offers_each_wall_time_once():
    night = every_day((Hours(time(1), time(4)),))
    slots = grid(night, date(2026, 10, 25))
    starts = [s.starts_at for s in slots]
    # 01:00, 01:30, 02:00, 02:30 CEST (first pass), 03:00, 03:30 CET: six wall times, once each.
    assert starts == [
        utc(2026, 10, 24, 23),
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 2),
        utc(2026, 10, 25, 2, 30),
    ]
    assert len(set(starts)) == len(starts)
    for before, after in itertools.pairwise(slots):
        assert before.ends_at <= after.starts_at  # never two slots at once


def test_free_slots_across_the_change_keep_nine_in_paris():
    nine = every_day((Hours(time(9), time(9, 30)),), notice_hours=0, horizon_days=3)
    found = free_slots(nine, [], utc(2026, 3, 27, 12))
    assert [s.starts_at for s in found] == [
        utc(2026, 3, 28, 8),
        utc(2026, 3, 29, 7),
        utc(2026, 3, 30, 7),
    ]


def test_the_minimum_notice_and_the_horizon():
    availability = every_day(NINE_TO_NOON, notice_hours=12, horizon_days=2)
    now = utc(2026, 12, 7, 20)  # Monday 21:00 in Paris
    found = free_slots(availability, [], now)
    assert found[0].starts_at == utc(2026, 12, 8, 8, 0)  # Tuesday 09:00 Paris, 12 h later
    assert found[-1].starts_at <= now + timedelta(days=2)
    assert found[-1].starts_at == utc(2026, 12, 9, 10, 30)  # Wednesday 11:30 Paris
    tight = every_day(NINE_TO_NOON, notice_hours=12, horizon_days=2)
    assert all(s.starts_at >= now + timedelta(hours=12) for s in free_slots(tight, [], now))


def test_days_off_and_weekdays_without_hours_have_no_slot():
    availability = Availability(
        weekly={0: NINE_TO_NOON, 2: NINE_TO_NOON},  # Monday and Wednesday
        days_off=frozenset({date(2026, 12, 9)}),
        notice_hours=0,
        horizon_days=7,
    )
    days = [day for day, _ in by_local_day(free_slots(availability, [], utc(2026, 12, 6, 12)))]
    assert days == [date(2026, 12, 7)]  # Wednesday the 9th is off, Sunday the 13th has no hours


def test_the_buffer_keeps_meetings_apart_and_spaces_the_grid():
    availability = every_day(NINE_TO_NOON, buffer_minutes=15, notice_hours=0, horizon_days=1)
    day = [s for s in free_slots(availability, [], utc(2026, 12, 7, 5)) if s.starts_at.day == 7]
    assert [s.starts_at.astimezone(UTC).strftime("%H:%M") for s in day] == [
        "08:00",
        "08:45",
        "09:30",
        "10:15",
    ]
    booked = Slot(utc(2026, 12, 7, 8, 45), utc(2026, 12, 7, 9, 15))
    day = [
        s for s in free_slots(availability, [booked], utc(2026, 12, 7, 5)) if s.starts_at.day == 7
    ]
    assert [s.starts_at.strftime("%H:%M") for s in day] == ["08:00", "09:30", "10:15"]
    # A meeting booked off the grid (hours changed since) takes its neighbours with its buffer.
    odd = Slot(utc(2026, 12, 7, 9, 20), utc(2026, 12, 7, 9, 50))
    day = [s for s in free_slots(availability, [odd], utc(2026, 12, 7, 5)) if s.starts_at.day == 7]
    assert [s.starts_at.strftime("%H:%M") for s in day] == ["08:00", "10:15"]


def test_a_slot_that_would_run_past_the_closing_time_is_not_offered():
    availability = every_day((Hours(time(9), time(10, 15)),), notice_hours=0, horizon_days=1)
    assert [s.starts_at.minute for s in grid(availability, date(2026, 12, 7))] == [0, 30]


def test_find_free_refuses_past_taken_and_off_grid_starts():
    availability = every_day(NINE_TO_NOON, notice_hours=12, horizon_days=30)
    now = utc(2026, 12, 7, 6)
    good = utc(2026, 12, 8, 8)
    assert find_free(availability, [], now, good) == Slot(good, good + timedelta(minutes=30))
    assert find_free(availability, [], now, utc(2026, 12, 7, 8)) is None  # inside the notice
    assert find_free(availability, [], now, utc(2026, 12, 8, 8, 10)) is None  # off the grid
    assert find_free(availability, [], now, utc(2027, 3, 8, 8)) is None  # past the horizon
    taken = Slot(good, good + timedelta(minutes=30))
    assert find_free(availability, [taken], now, good) is None


def test_hours_that_end_before_they_start_or_overlap_are_refused():
    with pytest.raises(AvailabilityError, match="hours_order"):
        check_hours([Hours(time(12), time(9))])
    with pytest.raises(AvailabilityError, match="hours_overlap"):
        check_hours([Hours(time(9), time(12)), Hours(time(11), time(14))])
    assert check_hours([Hours(time(14), time(18)), Hours(time(9), time(12))])[0].start == time(9)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        free_slots(every_day(NINE_TO_NOON), [], datetime(2026, 12, 7, 6))


def test_the_module_is_plain_python():
    code = (
        "import sys, assess.core.booking_slots; "
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_typed_hours_and_days_are_read_or_refused_with_a_key():
    assert parse_hours("9:00-12:00, 14h-17h30") == (
        Hours(time(9), time(12)),
        Hours(time(14), time(17, 30)),
    )
    assert parse_hours("  ") == ()
    for typed, key in (
        ("9-", "hours_format"),
        ("25:00-26:00", "hours_format"),
        ("12-9", "hours_order"),
        ("9-12,11-13", "hours_overlap"),
        ("matin", "hours_format"),
    ):
        with pytest.raises(AvailabilityError, match=key):
            parse_hours(typed)
    assert parse_days("24/12/2026\n2026-12-31, ") == {date(2026, 12, 24), date(2026, 12, 31)}
    for typed in ("31/02/2026", "demain", "2026-13-01"):
        with pytest.raises(AvailabilityError, match="day_format"):
            parse_days(typed)


def test_busy_slots_take_the_same_slots_as_comparing_each_pair():
    # free_slots looks busy meetings up by bisection (a year of them is thousands): it must
    # refuse exactly the slots a comparison with every meeting refuses, off-grid, long and
    # overlapping meetings included, whatever their order.
    rng = random.Random(19)  # noqa: S311 - test data, not a secret
    now = utc(2026, 12, 7, 5)
    for buffer in (0, 10, 15):
        availability = every_day(NINE_TO_NOON, buffer_minutes=buffer, notice_hours=0)
        busy = []
        for _ in range(60):
            start = now + timedelta(minutes=5 * rng.randrange(0, 12 * 24 * 32))
            busy.append(Slot(start, start + timedelta(minutes=rng.choice((15, 30, 90, 300)))))
        gap = timedelta(minutes=buffer)
        expected = [
            slot
            for slot in free_slots(availability, [], now)
            if not any(
                slot.starts_at < other.ends_at + gap and other.starts_at < slot.ends_at + gap
                for other in busy
            )
        ]
        assert free_slots(availability, busy, now) == expected
