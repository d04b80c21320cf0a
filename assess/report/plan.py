"""The report's recommendations: the few to act on first in full, the rest in one table, and
why each one fired.

A report that printed every recommendation in full ran to 25 pages for a struggling
company (27 recommendations, 38 actions): more than an executive acts on, and 2 s to
render. The consultancy's method is a plan of actions, owners and deadlines that the team
can follow, so the most urgent few come in full (text and action plan) and the others keep
their actions, owners and deadlines in one table; the appendix says why each one fired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.report.plain_answers import describe_answer

# How many recommendations the report prints in full, most urgent first: a plan of more
# than about five priorities at once is not followed.
PRIORITIES_IN_FULL = 5


def localized(value: dict[str, str] | None, locale: str) -> str:
    """A stored {locale: text} in the report's language, else the first one given."""
    if not value:
        return ""
    return value.get(locale) or next(iter(value.values()), "")


def priority_label(priority: int) -> str:
    """Urgent, important, to plan: the word for a rule's priority."""
    labels = {1: _("Urgent"), 2: _("Important"), 3: _("To plan")}
    return labels.get(priority, _("Priority %(number)d", number=priority))


def recommendations(
    q: Questionnaire,
    result: StoredResult,
    area_labels: dict[str, str],
    locale: str,
    score_text: Callable[[float | None], str],
) -> list[dict[str, Any]]:
    """Every recommendation that fired, most urgent first, with its actions and its reasons."""
    found = []
    for rank, stored in enumerate(result.explanation["recommendations"], start=1):
        category = stored.get("category")
        found.append(
            {
                "id": stored["id"],
                "rank": rank,
                "in_full": rank <= PRIORITIES_IN_FULL,
                "priority": stored["priority"],
                "priority_label": priority_label(stored["priority"]),
                "category": category,
                "area": area_labels.get(category or "", _("All areas")),
                "title": localized(stored.get("title"), locale),
                "text": localized(stored.get("text"), locale),
                "actions": [
                    {
                        "what": localized(a.get("what"), locale),
                        "who": localized(a.get("who"), locale),
                        "when": localized(a.get("when"), locale),
                    }
                    for a in stored.get("actions", [])
                ],
                "reasons": _reasons(q, stored.get("values", {}), result, locale, score_text),
            }
        )
    return found


def _reasons(
    q: Questionnaire,
    values: dict[str, Any],
    result: StoredResult,
    locale: str,
    score_text: Callable[[float | None], str],
) -> list[str]:
    """Why a rule fired, in plain words: each answer, score or level its condition read."""
    reasons = []
    for name, value in values.items():
        root, _dot, key = name.partition(".")
        if root == "answers":
            question = q.questions_by_id.get(key)
            label = q.text(question.label, locale) if question else key
            reasons.append(f"{label} — {describe_answer(q, question, value, locale)}")
        elif root in {"scores", "levels"}:
            category = q.categories_by_id.get(key)
            label = q.text(category.label, locale) if category else key
            reasons.append(
                _(
                    "Your score in %(area)s: %(score)s",
                    area=label,
                    score=score_text(result.score_of(key)),
                )
            )
        elif root in {"overall", "level"}:
            reasons.append(_("Your overall score: %(score)s", score=score_text(result.overall)))
        elif root == "contact":
            reasons.append(_("Your company profile (%(field)s)", field=key))
    return list(dict.fromkeys(reasons))
