"""The cost of giving up, computed: rate, target, rounding to a range, the zero case."""

from __future__ import annotations

import math

import pytest

from assess.core.cost_of_giving_up import (
    DEFAULT_WIN_RATE,
    Range,
    estimate,
    measured_rate,
    significant,
    whole_sales,
)


@pytest.mark.parametrize(
    ("value", "rounded", "down"),
    [
        (257_143, 260_000, 250_000),
        (192_857.14, 190_000, 190_000),
        (375_000, 380_000, 370_000),
        (17.1, 17, 17),
        (12.86, 13, 12),
        (0.128, 0.13, 0.12),
        (99.6, 100, 99),
        (0, 0, 0),
    ],
)
def test_figures_keep_two_significant_figures(value, rounded, down) -> None:
    assert significant(value) == pytest.approx(rounded)
    assert significant(value, down=True) == pytest.approx(down)


def test_sales_are_whole_sales() -> None:
    assert whole_sales(17.1) == 17
    assert whole_sales(5.14) == 5
    assert whole_sales(0.4) == 0
    assert whole_sales(128.6) == 130


def test_the_estimate_is_a_rounded_range_around_the_sum() -> None:
    # 4 leads a month, 20 %, 2 contacts of 7: 4 × 12 × 0.2 × 5/7 = 6.86 sales of 8 000 €.
    found = estimate(4, 8000, 2)
    assert found is not None
    assert found.deals_lost_per_year == pytest.approx(4 * 12 * 0.2 * 5 / 7)
    assert found.lost_per_year == pytest.approx(4 * 12 * 0.2 * 5 / 7 * 8000)
    assert found.sales == Range(5, 9)  # 5.14 and 8.57
    assert found.revenue == Range(41_000, 69_000)  # 41 143 and 68 571
    assert not found.rate_measured
    assert found.win_rate == DEFAULT_WIN_RATE


def test_no_printed_figure_has_more_than_two_significant_figures() -> None:
    found = estimate(37, 7321, 3, new_customers_target=1000)
    assert found is not None
    for figure in (found.revenue.low, found.revenue.high, found.sales.low, found.sales.high):
        digits = str(int(figure)).rstrip("0")
        assert len(digits) <= 2, figure
    assert found.revenue.low < found.lost_per_year < found.revenue.high


def test_a_measured_rate_replaces_the_assumption() -> None:
    assumed = estimate(10, 1000, 3)
    measured = estimate(10, 1000, 3, 0.35, rate_measured=True)
    assert assumed is not None and measured is not None
    assert measured.rate_measured and measured.win_rate == 0.35
    assert measured.deals_lost_per_year == pytest.approx(assumed.deals_lost_per_year * 0.35 / 0.2)


@pytest.mark.parametrize(
    ("answer", "share"),
    [(35, 0.35), (12.5, 0.125), (100, 1.0), (0, None), (-5, None), (140, None), (True, None)],
)
def test_a_measured_rate_is_read_in_percent(answer, share) -> None:
    assert measured_rate(answer) == share
    assert measured_rate(None) is None and measured_rate("35") is None


def test_the_sales_lost_never_exceed_the_new_customer_target() -> None:
    # 40 leads × 12 × 20 % × 3/7 = 41 sales lost, for a target of 25 new customers.
    found = estimate(40, 15_000, 4, new_customers_target=25)
    assert found is not None
    assert found.capped_by_target
    assert found.sales == Range(25, 25)
    assert found.deals_lost_per_year == 25
    # 25 × 15 000 = 375 000: rounding up to 380 000 would claim more than the target; down it is.
    assert found.revenue == Range(370_000, 370_000)


def test_a_target_inside_the_range_caps_its_high_bound_only() -> None:
    # 41 sales lost (31 to 51): a target of 45 keeps the low bound and stops the high one.
    found = estimate(40, 15_000, 4, new_customers_target=45)
    assert found is not None
    assert not found.capped_by_target
    assert found.sales == Range(31, 45)
    assert found.revenue.high <= 45 * 15_000


@pytest.mark.parametrize("target", [None, 0, -3, "12", True])
def test_no_usable_target_sets_no_limit(target) -> None:
    found = estimate(40, 15_000, 4, new_customers_target=target)
    assert found is not None
    assert found.new_customers_target is None and not found.capped_by_target
    assert found.sales == Range(31, 51)


@pytest.mark.parametrize("contacts", [7, 8, 30])
def test_following_up_to_the_7th_contact_loses_nothing(contacts) -> None:
    found = estimate(300, 6000, contacts, new_customers_target=120)
    assert found is not None
    assert found.follows_up_to_close
    assert found.lost_per_year == 0
    assert found.sales == Range(0, 0) and found.revenue == Range(0, 0)


def test_stopping_before_the_7th_contact_is_not_recognised() -> None:
    found = estimate(300, 6000, 6)
    assert found is not None and not found.follows_up_to_close
    assert found.revenue.high > 0


@pytest.mark.parametrize(
    "figures",
    [
        (None, 1000, 3),
        (10, None, 3),
        (10, 1000, None),
        (True, 1000, 3),
        (10, "1000", 3),
        (-1, 1000, 3),
        (10, math.inf, 3),
        (10, math.nan, 3),
    ],
)
def test_missing_or_unusable_answers_give_no_estimate(figures) -> None:
    assert estimate(*figures) is None


@pytest.mark.parametrize("rate", [0, -0.1, 1.5])
def test_a_rate_outside_a_share_gives_no_estimate(rate) -> None:
    assert estimate(10, 1000, 3, rate) is None
