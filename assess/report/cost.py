"""The report's "cost of giving up" page, worded in the respondent's language.

`assess.core.cost_of_giving_up` computes the figures and their rounded ranges;
this module only words and formats them (inside the report's `force_locale`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from assess.core import cost_of_giving_up
from assess.core.cost_of_giving_up import CostOfGivingUp
from assess.core.questionnaire import Questionnaire
from assess.i18n import plural_count


def cost_section(q: Questionnaire, answers: dict[str, Any]) -> dict[str, Any] | None:
    """The figures and sentences of the cost page; None when the answers give nothing to say."""
    names = q.report.cost_of_giving_up
    if names is None:
        return None
    rate = cost_of_giving_up.measured_rate(answers.get(names.conversion_rate or ""))
    found = cost_of_giving_up.estimate(
        answers.get(names.leads_per_month),
        answers.get(names.deal_value),
        answers.get(names.contacts_before_giving_up),
        rate or names.assumed_win_rate or cost_of_giving_up.DEFAULT_WIN_RATE,
        rate_measured=rate is not None,
        new_customers_target=answers.get(names.new_customers_target or ""),
    )
    if found is None:
        return None
    contacts = format_decimal(found.contacts_before_giving_up, format="0.#")
    if found.follows_up_to_close:
        return {"estimate": found, "recognition": _recognition(contacts)}
    if found.revenue.high == 0:
        return None  # no leads or no deal value: nothing is lost, and nothing to praise
    return {
        "estimate": found,
        "recognition": None,
        "headline": _headline(found),
        "explanation": ngettext(
            "A sale closes on average at the 7th contact, while 80%% of salespeople give up "
            "after the 3rd. Stopping after %(contacts)s contact leaves %(sales)s a year to "
            "your competitors.",
            "A sale closes on average at the 7th contact, while 80%% of salespeople give up "
            "after the 3rd. Stopping after %(contacts)s contacts leaves %(sales)s a year to "
            "your competitors.",
            plural_count(found.contacts_before_giving_up),
            contacts=contacts,
            sales=_sales(found),
        ),
        "rate_sentence": _rate_sentence(found),
        "target_sentence": _target_sentence(found),
        "leads": format_decimal(found.leads_per_month, format="#,##0.#"),
        "deal_value": _money(found.deal_value),
        "contacts": contacts,
        "win_rate": _percent(found.win_rate),
        "share_won": format_percent(found.share_won),
        "target": _count(found.new_customers_target),
    }


def _recognition(contacts: str) -> str:
    return _(
        "You follow up to the end: %(contacts)s contacts before dropping a prospect, when a sale "
        "closes on average at the 7th contact and 80%% of salespeople give up after the 3rd. "
        "No sale is left to your competitors for want of a follow-up: keep this discipline, "
        "it is rare.",
        contacts=contacts,
    )


def _headline(found: CostOfGivingUp) -> str:
    revenue = found.revenue
    if found.capped_by_target:
        # Rounded down to the target's worth: the true loss is at least this.
        return _("At least %(amount)s a year", amount=_money(revenue.high))
    if revenue.low == revenue.high:
        return _("About %(amount)s a year", amount=_money(revenue.high))
    return _(
        "Between %(low)s and %(high)s a year",
        low=format_decimal(round(revenue.low), format="#,##0"),
        high=_money(revenue.high),
    )


def _sales(found: CostOfGivingUp) -> str:
    """`about 13 to 21 sales`, `about 10 sales`, `up to 2 sales`, `less than one sale`."""
    low, high = int(found.sales.low), int(found.sales.high)
    if found.capped_by_target:
        return ngettext("at least %(num)d sale", "at least %(num)d sales", high)
    if high == 0:
        return _("less than one sale")
    if low == high:
        return ngettext("about %(num)d sale", "about %(num)d sales", high)
    if low == 0:
        return ngettext("up to %(num)d sale", "up to %(num)d sales", high)
    return ngettext(
        "about %(low)s to %(num)d sale", "about %(low)s to %(num)d sales", high, low=low
    )


def _rate_sentence(found: CostOfGivingUp) -> str:
    rate = _percent(found.win_rate)
    if found.rate_measured:
        return _("Computed with your own measured conversion rate: %(rate)s.", rate=rate)
    return _(
        "Computed at %(rate)s conversion, a common assumption: measuring your own rate would "
        "make this figure more accurate.",
        rate=rate,
    )


def _target_sentence(found: CostOfGivingUp) -> str:
    if found.new_customers_target is None:
        return ""
    target = found.new_customers_target
    if found.capped_by_target:
        return ngettext(
            "That covers your whole target of %(num)d new customer: following up to the 7th "
            "contact would be enough to reach it, so the estimate stops there.",
            "That covers your whole target of %(num)d new customers: following up to the 7th "
            "contact would be enough to reach it, so the estimate stops there.",
            int(target),
        )
    return ngettext(
        "To compare with your target of %(num)d new customer this year.",
        "To compare with your target of %(num)d new customers this year.",
        int(target),
    )


def _money(amount: float) -> str:
    return format_decimal(round(amount), format="#,##0") + "\u00a0€"


def _percent(share: float) -> str:
    """`20 %` in French, `20%` in English; a measured 12.5 % keeps its decimal."""
    return format_percent(share, format=None if (share * 100).is_integer() else "#,##0.#%")


def _count(value: float | None) -> str:
    return "" if value is None else format_decimal(value, format="#,##0")
