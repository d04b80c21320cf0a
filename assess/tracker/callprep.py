"""The call-prep brief: who the lead is, where they scored low, how to open the call, objections.

Plain data built from the lead's latest completed submission and the questionnaire
it was answered with; nothing here names a question of a particular questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from assess.core.contact import COMPANY_SIZES
from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.db.models import Lead, Submission
from assess.db.questionnaire_store import questionnaire_for
from assess.extensions import db
from assess.report.content import describe_answer, score_text
from assess.report.plan import LEAD_VOICE, priority_label, reasons
from assess.tracker.cadence import recommendation_title

# Three ways to open the conversation on an answer, so the questions do not all sound alike.
OPENERS = (
    _l("They answered “%(answer)s” to “%(question)s”. How does that work for you today?"),
    _l("On “%(question)s” they said “%(answer)s”. What has kept it that way so far?"),
    _l("About “%(question)s” (“%(answer)s”): if it changed within six months, what would differ?"),
)
# The two smallest size bands (under 50 people): time and budget are the first worry.
SMALL_COMPANIES = COMPANY_SIZES[:2]
LARGE_COMPANIES = COMPANY_SIZES[-1:]
QUOTE_LENGTH = 400


@dataclass(frozen=True)
class AreaScore:
    """A scoring area, its score out of 100 and its level's label."""

    id: str
    label: str
    score: float
    level: str


@dataclass(frozen=True)
class Opener:
    """An open question built around an answer that lost points."""

    question: str
    answer: str
    area: str
    points_lost: float
    ask: str


@dataclass(frozen=True)
class Objection:
    """What the lead may say, what in their answers suggests it, how to answer."""

    said: str
    why: str
    reply: str


@dataclass(frozen=True)
class Quote:
    """A free-text answer, in their words."""

    question: str
    text: str


@dataclass(frozen=True)
class FiredRecommendation:
    """A recommendation that fired, why in plain words, and its rule as stored (for admins)."""

    title: str
    priority: str
    reasons: list[str]
    condition: str
    values: dict[str, Any]


@dataclass(frozen=True)
class CallBrief:
    """Everything the printable brief shows."""

    lead_id: int
    contact: dict[str, str]
    company_size: str
    sector: str
    source: str
    completed_at: datetime | None
    touches_done: int
    next_touch_at: datetime | None
    overall: float | None = None
    level: str = ""
    weakest: list[AreaScore] = field(default_factory=list)
    openers: list[Opener] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    @property
    def has_result(self) -> bool:
        """Whether the lead completed the diagnostic."""
        return self.overall is not None or bool(self.weakest)


def build_brief(lead: Lead, locale: str) -> CallBrief:
    """The brief of a lead from its latest completed submission, texts in `locale`."""
    source = " / ".join(
        part or "–" for part in (lead.utm_source, lead.utm_medium, lead.utm_campaign)
    )
    if lead.referrer:
        source += f" · {lead.referrer}"
    base: dict[str, Any] = {
        "lead_id": lead.id,
        "contact": {
            "name": lead.full_name,
            "job_title": lead.job_title,
            "company": lead.company,
            "email": lead.email,
            "phone": lead.phone or "",
        },
        "company_size": lead.company_size,
        "sector": lead.sector,
        "source": source,
        "completed_at": lead.completed_at,
        "touches_done": lead.touches_done or 0,
        "next_touch_at": lead.next_touch_at,
    }
    submission = (
        db.session.get(Submission, lead.latest_submission_id) if lead.latest_submission_id else None
    )
    if submission is None or not submission.result:
        return CallBrief(**base)
    q = questionnaire_for(submission.questionnaire_hash)
    result = StoredResult.from_json(submission.result)
    areas = area_scores(q, result, locale)
    level = q.levels_by_id.get(result.level) if result.level is not None else None
    return CallBrief(
        **base,
        overall=result.overall,
        level=q.text(level.label, locale) if level else str(result.level or ""),
        weakest=areas[:3],
        openers=openers(q, result, areas, locale),
        objections=objections(q, result, lead.company_size, areas, locale),
        quotes=quotes(q, submission.answers or {}, locale),
        advice=advice(result, locale),
    )


def area_scores(q: Questionnaire, result: StoredResult, locale: str) -> list[AreaScore]:
    """The scored areas of the questionnaire, weakest first (ties in the questionnaire's order)."""
    found = []
    for area in result.weakest():
        category = q.categories_by_id.get(area.id)
        if category is None:
            continue
        level = q.levels_by_id.get(area.level or "")
        label = q.text(level.label, locale) if level else ""
        found.append(AreaScore(area.id, q.text(category.label, locale), float(area.score), label))
    return found


def openers(
    q: Questionnaire, result: StoredResult, areas: list[AreaScore], locale: str, count: int = 3
) -> list[Opener]:
    """Open questions around the answers that lost the most points, one area each when possible."""
    rank = {area.id: index for index, area in enumerate(areas)}
    order = {question.id: index for index, question in enumerate(q.questions)}
    candidates = []
    for item in result.explanation.get("questions") or []:
        question = q.questions_by_id.get(item.get("id"))
        possible = item.get("possible") or 0
        if question is None or not item.get("shown") or possible <= 0:
            continue
        lost = float(possible) - float(item.get("earned") or 0)
        if lost > 0:
            candidates.append((lost, item, question))
    # Most points lost first; between equals, the weaker area, then the questionnaire's order.
    candidates.sort(
        key=lambda c: (-c[0], rank.get(c[1].get("category"), len(rank)), order.get(c[2].id, 0))
    )
    picked: list[tuple[float, dict[str, Any], Any]] = []
    seen: set[Any] = set()
    for candidate in candidates:  # three different areas make three different conversations
        if candidate[1].get("category") not in seen:
            picked.append(candidate)
            seen.add(candidate[1].get("category"))
        if len(picked) == count:
            break
    picked += [c for c in candidates if c not in picked][: count - len(picked)]
    labels = {area.id: area.label for area in areas}
    found = []
    for index, (lost, item, question) in enumerate(picked):
        label = q.text(question.label, locale)
        answer = describe_answer(q, question, item.get("answer"), locale)
        ask = str(OPENERS[index % len(OPENERS)]) % {"answer": answer, "question": label}
        area = labels.get(str(item.get("category")), "")
        found.append(Opener(label, answer, area, lost, ask))
    return found


def objections(
    q: Questionnaire,
    result: StoredResult,
    company_size: str,
    areas: list[AreaScore],
    locale: str,
) -> list[Objection]:
    """Objections their answers make likely, from their size, their scores and their level."""
    found = []
    if company_size in SMALL_COMPANIES:
        found.append(
            Objection(
                str(_l("We do not have the time or the budget for this.")),
                str(_l("A small company: every hour and every euro spent on sales is weighed.")),
                str(_l("Start small: one area, one quick win, measured within a month.")),
            )
        )
    elif company_size in LARGE_COMPANIES:
        found.append(
            Objection(
                str(_l("We already have people in-house for this.")),
                str(_l("A large company: sales management already has owners and habits.")),
                str(_l("Offer an outside view on one weak area, to support their team.")),
            )
        )
    skipped = [
        q.text(c.label, locale)
        for c in q.categories
        if c.id in result.categories and result.score_of(c.id) is None
    ]
    if skipped:
        found.append(
            Objection(
                str(_l("That is not for a company like ours.")),
                str(_l("No score in %(areas)s: those questions did not apply to them."))
                % {"areas": ", ".join(skipped)},
                str(_l("Start from how they work today, not from a model built for bigger teams.")),
            )
        )
    lowest_level = q.levels[0].id if q.levels else None
    if areas and result.level_of(areas[0].id) == lowest_level:
        found.append(
            Objection(
                str(_l("It has always worked like this for us.")),
                str(_l("%(area)s scored %(score)s/100."))
                % {"area": areas[0].label, "score": round(areas[0].score)},
                str(_l("Ask what it costs them today (deals missed, time lost) before proposing.")),
            )
        )
    overall = result.overall
    if len(q.levels) > 1 and result.level == q.levels[-1].id:
        found.append(
            Objection(
                str(_l("We are already well organised.")),
                str(_l("Overall score %(score)s/100.")) % {"score": round(overall or 0)},
                str(_l("Agree, then point to their weakest area: the gains are in the details.")),
            )
        )
    elif len(q.levels) > 1 and result.level == lowest_level:
        found.append(
            Objection(
                str(_l("We would not know where to start.")),
                str(_l("Overall score %(score)s/100.")) % {"score": round(overall or 0)},
                str(_l("Propose one first step in their weakest area, with a date.")),
            )
        )
    return found


def quotes(q: Questionnaire, answers: dict[str, Any], locale: str) -> list[Quote]:
    """Their free-text answers, in their words."""
    found = []
    for question in q.questions:
        value = answers.get(question.id)
        if question.type == "text" and isinstance(value, str) and value.strip():
            text = value.strip()
            if len(text) > QUOTE_LENGTH:
                text = text[: QUOTE_LENGTH - 1] + "…"
            found.append(Quote(q.text(question.label, locale), text))
    return found


def advice(result: StoredResult, locale: str, count: int = 3) -> list[str]:
    """The titles of the recommendations that fired, most important first."""
    fired = sorted(
        result.explanation.get("recommendations") or [],
        key=lambda rec: rec.get("priority") or 99,
    )
    return [recommendation_title(rec, locale) for rec in fired[:count]]


def fired_recommendations(
    q: Questionnaire, result: StoredResult, locale: str
) -> list[FiredRecommendation]:
    """Every recommendation that fired, in the plan's order, each with why: the answers,
    scores and profile its rule read, told to a consultant (the report's own reasons)."""
    found = []
    for rank, rec in enumerate(result.explanation.get("recommendations") or [], start=1):
        values = rec.get("values") or {}
        found.append(
            FiredRecommendation(
                recommendation_title(rec, locale),
                priority_label(int(rec.get("priority") or 3), rank),
                reasons(q, values, result, locale, score_text, voice=LEAD_VOICE),
                str(rec.get("when") or ""),
                values,
            )
        )
    return found
