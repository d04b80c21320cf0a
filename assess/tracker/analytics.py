"""The analytics dashboard's figures, as plain data, each from an aggregate query.

Every figure is counted by the database (GROUP BY, SUM, AVG): the number of
queries and the rows read back stay the same whether there are 10 leads or
100,000. Days are UTC; weeks start on Monday and are folded from days in Python,
so the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, case, cast, func, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from assess.core.questionnaire import LocalizedText, Questionnaire
from assess.db.models import Lead, Submission
from assess.extensions import db
from assess.tracker.funnel_figures import FunnelStage, completion_funnel, day_start, percentage
from assess.tracker.lead_list import STATUSES

WEEKS_SHOWN = 12
# With a start date further back, the weekly chart stops at a year of columns.
MAX_WEEKS = 52
CADENCE_TOUCHES = 7
# 80% of salespeople give up after the 3rd contact, while a sale closes on
# average at the 7th: a follow-up stopped at 3 touches or fewer, without a
# meeting, is a lead given up too early.
GIVEN_UP_AT = 3
# Statuses at or past a booked meeting (lost leads are counted apart).
MEETING_OR_LATER = ("meeting_booked", "proposal_sent", "won")
TOP_SOURCES = 15
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidPeriod(ValueError):
    """A start date that is not a calendar date written YYYY-MM-DD."""


def parse_since(raw: str | None) -> date | None:
    """The dashboard's start date from the URL; None when absent, InvalidPeriod when malformed."""
    text = (raw or "").strip()
    if not text:
        return None
    if not _ISO_DAY.fullmatch(text):
        raise InvalidPeriod(text[:40])
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidPeriod(text) from error


class UtcDay(FunctionElement[date]):
    """The UTC calendar day of a timestamp column, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True


@compiles(UtcDay)
def _utc_day_sqlite(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores the UTC timestamps as text; date() keeps their day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UtcDay, "postgresql")
def _utc_day_postgresql(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekCount:
    """Submissions completed in the week starting on `start` (a Monday)."""

    start: date
    count: int


def completed_per_week(today: date, since: date | None = None) -> list[WeekCount]:
    """Completions per week: the last 12 weeks, or from the week of `since` (a year at most)."""
    current = week_start(today)
    first = current - timedelta(weeks=WEEKS_SHOWN - 1)
    if since is not None:
        first = max(week_start(since), current - timedelta(weeks=MAX_WEEKS - 1))
    if first > current:
        return []
    start = max(first, since) if since is not None else first
    day = UtcDay(Submission.completed_at)
    rows = db.session.execute(
        select(day, func.count())
        .where(Submission.status == "completed", Submission.completed_at >= day_start(start))
        .group_by(day)
    ).all()
    weeks = {first + timedelta(weeks=i): 0 for i in range((current - first).days // 7 + 1)}
    for found, count in rows:
        monday = week_start(found)
        if monday in weeks:
            weeks[monday] += count
    return [WeekCount(monday, count) for monday, count in weeks.items()]


@dataclass(frozen=True)
class CategoryAverage:
    """A category's average score (0-100) over the leads scored on it."""

    id: str
    label: LocalizedText
    average: float | None
    count: int


@dataclass(frozen=True)
class LevelCount:
    """How many leads reached a level (unknown ids come from older questionnaires)."""

    id: str
    label: LocalizedText | None
    count: int


@dataclass(frozen=True)
class Scores:
    """Average scores per category and overall, and the spread of levels."""

    categories: list[CategoryAverage]
    overall: float | None
    scored: int
    levels: list[LevelCount]


def _completed_leads(since: date | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Lead.completed_at.is_not(None)]
    if since is not None:
        where.append(Lead.completed_at >= day_start(since))
    return where


def _category_scores(where: list[ColumnElement[bool]]) -> dict[str, tuple[Any, int]]:
    """Average and count of each key of the leads' `category_scores` (each JSON read once)."""
    if db.engine.dialect.name == "postgresql":
        pairs = func.json_each_text(Lead.category_scores)
        where = [*where, func.json_typeof(Lead.category_scores) == "object"]
    else:
        pairs = func.json_each(Lead.category_scores)
    pair = pairs.table_valued("key", "value", joins_implicitly=True)
    value = cast(pair.c.value, Float)
    rows = db.session.execute(
        select(pair.c.key, func.avg(value), func.count(value))
        .select_from(Lead)
        .join(pair, true())
        .where(*where)
        .group_by(pair.c.key)
    ).all()
    return {str(key): (average, int(count)) for key, average, count in rows}


def scores(q: Questionnaire, since: date | None = None) -> Scores:
    """Averages from each lead's latest result (one lead, one vote), and leads per level."""
    where = _completed_leads(since)
    overall, scored = db.session.execute(
        select(func.avg(Lead.overall_score), func.count(Lead.overall_score)).where(*where)
    ).one()
    found_categories = _category_scores(where)
    categories = []
    for category in q.categories:
        average, count = found_categories.get(category.id, (None, 0))
        categories.append(CategoryAverage(category.id, category.label, _rounded(average), count))
    found = dict(
        db.session.execute(
            select(Lead.level, func.count()).where(*where).group_by(Lead.level)
        ).all()
    )
    levels = [LevelCount(level.id, level.label, found.pop(level.id, 0)) for level in q.levels]
    levels += [LevelCount(str(lid), None, n) for lid, n in sorted(found.items()) if lid]
    return Scores(categories, _rounded(overall), int(scored), levels)


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass(frozen=True)
class SourceCount:
    """Leads from one source or campaign (None: direct, or none given), and how many were won."""

    name: str | None
    leads: int
    won: int
    won_rate: float | None
    other: bool = False


def _created_since(since: date | None) -> list[ColumnElement[bool]]:
    return [] if since is None else [Lead.created_at >= day_start(since)]


def _sources(column: Any, since: date | None, total: int, won_total: int) -> list[SourceCount]:
    """Leads and wins per value of `column`, the largest first; the rest summed as one row."""
    name = func.nullif(column, "")
    leads = func.count().label("leads")
    won = func.coalesce(func.sum(case((Lead.status == "won", 1), else_=0)), 0)
    rows = db.session.execute(
        select(name, leads, won)
        .where(*_created_since(since))
        .group_by(name)
        .order_by(leads.desc(), func.coalesce(name, ""))
        .limit(TOP_SOURCES)
    ).all()
    found = [SourceCount(n, c, int(w), percentage(int(w), c)) for n, c, w in rows]
    rest, rest_won = total - sum(s.leads for s in found), won_total - sum(s.won for s in found)
    if rest > 0:
        found.append(SourceCount(None, rest, rest_won, percentage(rest_won, rest), other=True))
    return found


@dataclass(frozen=True)
class Pipeline:
    """Leads per status, and the conversion from leads to meetings and to won deals."""

    counts: dict[str, int]
    total: int
    reached: dict[str, int]
    meeting_rate: float | None
    won_rate: float | None


def pipeline(since: date | None = None) -> Pipeline:
    """Leads per status (lost apart) and how many reached each stage or went beyond."""
    rows = dict(
        db.session.execute(
            select(Lead.status, func.count()).where(*_created_since(since)).group_by(Lead.status)
        ).all()
    )
    counts = {status: int(rows.get(status, 0)) for status in STATUSES}
    total = sum(int(n) for n in rows.values())
    # Without the history of each lead, a status counts as having passed the earlier ones.
    ladder = [s for s in STATUSES if s != "lost"]
    reached = {s: sum(counts[later] for later in ladder[i:]) for i, s in enumerate(ladder)}
    meetings = sum(counts[s] for s in MEETING_OR_LATER)
    return Pipeline(
        counts, total, reached, percentage(meetings, total), percentage(counts["won"], total)
    )


@dataclass(frozen=True)
class Touches:
    """Touches done per lead against the 7 of the cadence, and the leads given up too early."""

    distribution: list[int]
    leads: int
    given_up: int
    given_up_share: float | None


def touches(since: date | None = None) -> Touches:
    """How many completed leads had 0..7 touches; those stopped at 3 or fewer without a meeting."""
    no_next_touch = Lead.next_touch_at.is_(None)
    early = (Lead.touches_done <= GIVEN_UP_AT) & Lead.status.not_in(MEETING_OR_LATER)
    stopped = case((no_next_touch & early, 1), else_=0)
    rows = db.session.execute(
        select(Lead.touches_done, func.count(), func.coalesce(func.sum(stopped), 0))
        .where(*_completed_leads(since))
        .group_by(Lead.touches_done)
    ).all()
    distribution = [0] * (CADENCE_TOUCHES + 1)
    given_up = 0
    for done, count, stopped_count in rows:
        distribution[min(max(int(done or 0), 0), CADENCE_TOUCHES)] += count
        given_up += int(stopped_count)
    leads = sum(distribution)
    return Touches(distribution, leads, given_up, percentage(given_up, leads))


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the analytics page."""

    since: date | None
    weeks: list[WeekCount]
    funnel: list[FunnelStage]
    scores: Scores
    sources: list[SourceCount]
    campaigns: list[SourceCount]
    pipeline: Pipeline
    touches: Touches


def dashboard(q: Questionnaire, today: date, since: date | None = None) -> Dashboard:
    """All the figures, from about ten aggregate queries whatever the number of rows."""
    pipe = pipeline(since)
    won = pipe.counts["won"]
    return Dashboard(
        since=since,
        weeks=completed_per_week(today, since),
        funnel=completion_funnel(q, since),
        scores=scores(q, since),
        sources=_sources(Lead.utm_source, since, pipe.total, won),
        campaigns=_sources(Lead.utm_campaign, since, pipe.total, won),
        pipeline=pipe,
        touches=touches(since),
    )
