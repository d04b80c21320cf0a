"""The "cost of giving up": revenue left on the table by dropping prospects before the 7th contact.

A sale closes on average at the 7th contact, while 80% of salespeople give up
after the 3rd. The model is deliberately simple, and the report prints it with
its assumptions so the executive can redo the sum:

- of the new leads that would buy if followed up long enough (the assumed win
  rate), the share won by stopping after `c` contacts grows evenly up to the 7th
  contact: `min(c, 7) / 7`;
- what is lost each month is `leads × win rate × deal value × (1 − min(c, 7) / 7)`,
  and a year is twelve months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A sale closes on average at the 7th contact (domain material).
CLOSING_CONTACT = 7
# Share of followed-up leads that end up buying, when the questionnaire gives none.
DEFAULT_WIN_RATE = 0.2


@dataclass(frozen=True)
class CostOfGivingUp:
    """The estimate and every figure it was computed from."""

    leads_per_month: float
    deal_value: float
    contacts_before_giving_up: float
    win_rate: float
    share_won: float
    lost_per_month: float
    lost_per_year: float
    deals_lost_per_year: float


def estimate(
    leads_per_month: Any,
    deal_value: Any,
    contacts_before_giving_up: Any,
    win_rate: float = DEFAULT_WIN_RATE,
) -> CostOfGivingUp | None:
    """The estimate, or None when an answer is missing or not a usable number."""
    figures = [leads_per_month, deal_value, contacts_before_giving_up]
    if any(isinstance(f, bool) or not isinstance(f, int | float) for f in figures):
        return None
    leads, value, contacts = (float(f) for f in figures)
    if leads < 0 or value < 0 or contacts < 0 or not 0 < win_rate <= 1:
        return None
    share_won = min(contacts, CLOSING_CONTACT) / CLOSING_CONTACT
    lost_deals_per_month = leads * win_rate * (1 - share_won)
    lost_per_month = lost_deals_per_month * value
    return CostOfGivingUp(
        leads_per_month=leads,
        deal_value=value,
        contacts_before_giving_up=contacts,
        win_rate=win_rate,
        share_won=share_won,
        lost_per_month=round(lost_per_month, 2),
        lost_per_year=round(lost_per_month * 12, 2),
        deals_lost_per_year=round(lost_deals_per_month * 12, 1),
    )
