"""The report's action plan as a 90-day calendar, and the QR code of its call to action.

`assess.core.ninety_days` decides the month of each action; this module dates and words
the months in the report's language and gathers each month's actions, soonest first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import segno
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from assess.core.action_plan import MAX_ACTIONS
from assess.core.ninety_days import due_date, due_in_days, month_of, months
from assess.core.questionnaire import Questionnaire
from assess.report.plan import PRIORITIES_IN_FULL


def calendar(
    q: Questionnaire, plan: list[dict[str, Any]], start: date
) -> dict[str, list[dict[str, Any]]] | None:
    """The plan's actions month by month (and those due after the 90 days); None without any
    action. `plan` is the report's recommendations, in their order."""
    rules = {rule.id: rule for rule in q.recommendations}
    slots: dict[int | None, list[tuple[int, int, dict[str, Any]]]] = {}
    for rec in plan:
        declared = rules[rec["id"]].actions if rec["id"] in rules else ()
        for index, action in enumerate(rec["actions"][: actions_in_calendar(rec)]):
            days = declared[index].within_days if index < len(declared) else None
            month = month_of(days, rec["rank"], PRIORITIES_IN_FULL)
            due = due_date(start, days, rec["rank"], PRIORITIES_IN_FULL)
            entry = {
                **action,
                "rank": rec["rank"],
                "title": rec["title"],
                "urgent": rec["in_full"],
                "due": format_date(due, format="d MMM") if due else "",
            }
            soon = due_in_days(days, rec["rank"], PRIORITIES_IN_FULL) or 0
            slots.setdefault(month, []).append((soon, rec["rank"], entry))
    if not slots:
        return None
    return {
        "months": [
            {
                "title": _("Month %(number)d", number=month.number),
                "dates": _(
                    "%(start)s to %(end)s",
                    start=format_date(month.starts, format="d MMMM"),
                    end=format_date(month.ends, format="d MMMM y"),
                ),
                "actions": [entry for *_, entry in sorted(slots.get(month.number, []), key=_order)],
            }
            for month in months(start)
        ],
        "later": [entry for *_, entry in sorted(slots.get(None, []), key=_order)],
    }


def actions_in_calendar(rec: dict[str, Any]) -> int:
    """How many of a recommendation's actions the calendar dates: every one of a priority, the
    first step of the others (their next steps are for the call with the consultant)."""
    return MAX_ACTIONS if rec["in_full"] else 1


def _order(slot: tuple[int, int, dict[str, Any]]) -> tuple[int, int]:
    return slot[0], slot[1]


def qr_code(url: str, label: str) -> Markup:
    """The address as an inline SVG QR code, named for assistive technology."""
    svg = segno.make(url, micro=False).svg_inline(
        scale=1, border=2, svgclass="qr", lineclass=None, omitsize=True
    )
    named = f'<svg role="img" aria-label="{escape(label)}" '
    return Markup(svg.replace("<svg ", named, 1))  # noqa: S704 - segno's own SVG, label escaped
