"""The "cost of giving up": revenue left on the table by dropping prospects before the 7th contact.

A sale closes on average at the 7th contact, while 80% of salespeople give up
after the 3rd. The model is deliberately simple, and the report prints it with
its assumptions so the executive can redo the sum:

- of the new leads that would buy if followed up long enough (the respondent's
  measured conversion rate, else an assumed rate), the share won by stopping
  after `c` contacts grows evenly up to the 7th contact: `min(c, 7) / 7`;
- the sales lost in a year are `leads × 12 × rate × (1 − min(c, 7) / 7)`, and
  the revenue lost is that many sales at the average deal value;
- the sales lost are never presented as more than the new-customer target: the
  target is what the company means to win, so the claim stops there;
- the answers are estimates: the figures are a range (±25 %), each bound rounded
  to two significant figures, sales to whole sales.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A sale closes on average at the 7th contact (domain material).
CLOSING_CONTACT = 7
# Share of followed-up leads that end up buying, when the questionnaire gives none.
DEFAULT_WIN_RATE = 0.2
# The answers (leads per month, deal value) are estimates: the figures are given within this.
SPREAD = 0.25
# Printed figures keep this many significant figures: more would be false precision.
SIGNIFICANT_FIGURES = 2


@dataclass(frozen=True)
class Range:
    """A low and a high bound, already rounded for print (equal when there is one figure)."""

    low: float
    high: float


@dataclass(frozen=True)
class CostOfGivingUp:
    """The estimate and every figure it was computed from."""

    leads_per_month: float
    deal_value: float
    contacts_before_giving_up: float
    win_rate: float
    # True when `win_rate` is the respondent's measured conversion rate, not the assumption.
    rate_measured: bool
    share_won: float
    new_customers_target: float | None
    # True when the sales lost were more than the target and the estimate stops at it.
    capped_by_target: bool
    # Unrounded central figures, for whoever redoes the sum.
    deals_lost_per_year: float
    lost_per_year: float
    # What the report prints: whole sales and revenue, two significant figures each.
    sales: Range
    revenue: Range

    @property
    def follows_up_to_close(self) -> bool:
        """True when prospects are followed up to the closing contact: nothing is lost."""
        return self.contacts_before_giving_up >= CLOSING_CONTACT


def significant(value: float, digits: int = SIGNIFICANT_FIGURES, *, down: bool = False) -> float:
    """`value` rounded to `digits` significant figures (257 143 -> 260 000; down: 250 000)."""
    if value <= 0 or not math.isfinite(value):
        return 0.0
    places = digits - 1 - math.floor(math.log10(value))
    if not down:
        return float(round(value, places))
    # The small tolerance keeps 375 000 at 370 000 instead of 369 999.99 dropping to 360 000.
    nudged = value * (1 + 1e-12)
    if places >= 0:
        return math.floor(nudged * 10**places) / 10**places
    return float(math.floor(nudged / 10**-places) * 10**-places)


def whole_sales(value: float, *, down: bool = False) -> float:
    """A number of sales for print: two significant figures, then whole sales (0.4 -> 0)."""
    rounded = significant(value, down=down)
    return float(math.floor(rounded) if down else round(rounded))


def _at_most(value: float, limit: float, rounding: Callable[..., float]) -> float:
    """`value` rounded, and rounded down instead when rounding up would pass `limit`."""
    rounded = rounding(value)
    return rounded if rounded <= limit else rounding(value, down=True)


def measured_rate(answer: Any) -> float | None:
    """A conversion rate answered in percent, as a share; None when not a usable rate."""
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return None
    return answer / 100 if 0 < answer <= 100 else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value) if math.isfinite(value) else None


def estimate(
    leads_per_month: Any,
    deal_value: Any,
    contacts_before_giving_up: Any,
    win_rate: float = DEFAULT_WIN_RATE,
    *,
    rate_measured: bool = False,
    new_customers_target: Any = None,
) -> CostOfGivingUp | None:
    """The estimate, or None when an answer is missing or not a usable number.

    A target of zero or none sets no limit (the firm did not say how many it wants)."""
    figures = [_number(f) for f in (leads_per_month, deal_value, contacts_before_giving_up)]
    if any(f is None for f in figures) or not 0 < win_rate <= 1:
        return None
    leads, value, contacts = (float(f or 0) for f in figures)
    target = _number(new_customers_target) or None
    share_won = min(contacts, CLOSING_CONTACT) / CLOSING_CONTACT
    deals_lost = leads * 12 * win_rate * (1 - share_won)
    limit = target if target is not None else math.inf
    capped = deals_lost > limit
    if capped:
        # More lost than the whole target: say the target, not a figure above it.
        low = high = limit
        deals_lost = limit
    else:
        low, high = deals_lost * (1 - SPREAD), min(deals_lost * (1 + SPREAD), limit)
    return CostOfGivingUp(
        leads_per_month=leads,
        deal_value=value,
        contacts_before_giving_up=contacts,
        win_rate=win_rate,
        rate_measured=rate_measured,
        share_won=share_won,
        new_customers_target=target,
        capped_by_target=capped,
        deals_lost_per_year=deals_lost,
        lost_per_year=deals_lost * value,
        sales=Range(_at_most(low, limit, whole_sales), _at_most(high, limit, whole_sales)),
        revenue=Range(
            _at_most(low * value, limit * value, significant),
            _at_most(high * value, limit * value, significant),
        ),
    )
