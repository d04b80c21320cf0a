"""The report's recommendations: the three priorities in full, the rest of the plan in one
table, and why each one fired.

The plan itself (which rules, in which order, how many actions, whose) is decided when
scoring (`assess.core.action_plan`), so that the stored result, the results page, the report
and the e-mail agree. The consultancy's method is a plan of actions, owners and deadlines
that the team can follow: the priorities come in full (text and action plan), the others
keep their actions, owners and deadlines in one table; the appendix says why each one fired.
A result stored before the plan was cut is cut here the same way, so no report prints more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from assess.core.action_plan import MAX_ACTIONS, MAX_RECOMMENDATIONS, PRIORITIES
from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS
from assess.report.plain_answers import describe_answer

# How many recommendations the report prints in full, first of the plan: its priorities.
PRIORITIES_IN_FULL = PRIORITIES
# Who reads why a rule fired: the respondent in their report ("Your sector: ..."), or a
# consultant on the lead page, reading about the lead ("Answered “...” to “...”").
REPORT_VOICE = "report"
LEAD_VOICE = "lead"


def localized(value: dict[str, str] | None, locale: str) -> str:
    """A stored {locale: text} in the report's language, else the first one given."""
    if not value:
        return ""
    return value.get(locale) or next(iter(value.values()), "")


def priority_label(priority: int, rank: int = 1) -> str:
    """Urgent, important, to plan: the word for a rule's priority at its rank in the plan.

    Only the priorities (the first PRIORITIES_IN_FULL) are called urgent: a priority-1 rule
    further down the plan reads "Important", so that a report never has more than three
    urgent things to do.
    """
    if priority == 1 and rank > PRIORITIES_IN_FULL:
        priority = 2
    labels = {1: _("Urgent"), 2: _("Important"), 3: _("To plan")}
    return labels.get(priority, _("Priority %(number)d", number=priority))


def recommendations(
    q: Questionnaire,
    result: StoredResult,
    area_labels: dict[str, str],
    locale: str,
    score_text: Callable[[float | None], str],
) -> list[dict[str, Any]]:
    """The plan's recommendations, in its order, with their actions and their reasons."""
    found = []
    plan = result.explanation["recommendations"][:MAX_RECOMMENDATIONS]
    for rank, stored in enumerate(plan, start=1):
        category = stored.get("category")
        found.append(
            {
                "id": stored["id"],
                "rank": rank,
                "in_full": rank <= PRIORITIES_IN_FULL,
                "priority": stored["priority"],
                "priority_label": priority_label(stored["priority"], rank),
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
                    for a in stored.get("actions", [])[:MAX_ACTIONS]
                ],
                "reasons": reasons(q, stored.get("values", {}), result, locale, score_text),
            }
        )
    return found


def reasons(
    q: Questionnaire,
    values: dict[str, Any],
    result: StoredResult,
    locale: str,
    score_text: Callable[[float | None], str],
    voice: str = REPORT_VOICE,
) -> list[str]:
    """Why a rule fired, in plain words: each answer, score or level its condition read (its
    stored `values`), told to the respondent or, in LEAD_VOICE, to a consultant."""
    lead = voice == LEAD_VOICE
    found = []
    # A condition such as "rate below 80 or estimate above 20 %" reads both questions; the one
    # this respondent was not asked is no reason, unless nothing else is left to say.
    unasked = {n for n, v in values.items() if n.startswith("answers.") and v is None}
    if unasked != set(values):
        values = {n: v for n, v in values.items() if n not in unasked}
    for name, value in values.items():
        root, _dot, key = name.partition(".")
        if root == "answers":
            question = q.questions_by_id.get(key)
            label = q.text(question.label, locale) if question else key
            answer = describe_answer(q, question, value, locale)
            if lead:
                found.append(
                    _("Answered “%(answer)s” to “%(question)s”", answer=answer, question=label)
                )
            else:
                found.append(f"{label} — {answer}")
        elif root in {"scores", "levels"}:
            category = q.categories_by_id.get(key)
            label = q.text(category.label, locale) if category else key
            score = score_text(result.score_of(key))
            if lead:
                found.append(_("Their score in %(area)s: %(score)s", area=label, score=score))
            else:
                found.append(_("Your score in %(area)s: %(score)s", area=label, score=score))
        elif root in {"overall", "level"}:
            score = score_text(result.overall)
            if lead:
                found.append(_("Their overall score: %(score)s", score=score))
            else:
                found.append(_("Your overall score: %(score)s", score=score))
        elif root == "contact":
            found.append(_contact_reason(key, value, lead))
    return list(dict.fromkeys(found))


def _contact_reason(field: str, value: Any, lead: bool) -> str:
    """A size or sector the rule read, as the contact form names it."""
    if field == "sector" and value in SECTOR_LABELS:
        sector = str(SECTOR_LABELS[value])
        return (
            _("Their sector: %(sector)s", sector=sector)
            if lead
            else _("Your sector: %(sector)s", sector=sector)
        )
    if field == "company_size" and value in COMPANY_SIZE_LABELS:
        size = str(COMPANY_SIZE_LABELS[value])
        if lead:
            return _("Their company's size: %(size)s", size=size)
        return _("Your company's size: %(size)s", size=size)
    if lead:
        return _("Their company profile (%(field)s)", field=field)
    return _("Your company profile (%(field)s)", field=field)
