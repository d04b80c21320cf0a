"""The leads list: its filters as given in the URL, the query they build, one page of it.

The list reads only the `leads` table (scores and the cadence summary are copied
there at completion and at each touch), so a page costs two indexed queries
whatever the number of leads. The CSV export runs the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from assess.contact import COMPANY_SIZES, SECTORS
from assess.extensions import db
from assess.models import Lead, User, utcnow
from assess.questionnaire import Questionnaire

STATUSES = ("new", "contacted", "meeting_booked", "proposal_sent", "won", "lost")
SORTS = {"date", "score", "company", "next_touch"}


@dataclass(frozen=True)
class LeadFilters:
    """The list's filters, sorting and page, as given in the URL."""

    status: str | None = None
    level: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    weakest: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sector: str | None = None
    size: str | None = None
    source: str | None = None
    campaign: str | None = None
    owner: str | None = None  # a user id, or "none"
    followup: str | None = None  # "due" (today or overdue) or "overdue"
    q: str | None = None
    sort: str = "date"
    direction: str = "desc"
    page: int = 1

    def with_page(self, page: int) -> LeadFilters:
        """The same view at another page."""
        return replace(self, page=page)


@dataclass
class ParsedFilters:
    """Filters read from a query string, and the values that were refused."""

    filters: LeadFilters
    errors: dict[str, str] = field(default_factory=dict)


def parse_filters(args: Any, q: Questionnaire) -> ParsedFilters:
    """Read filters from request arguments; a malformed value is refused, never fatal."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def text(
        name: str, allowed: set[str] | tuple[str, ...] | None = None, limit: int = 200
    ) -> None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return
        if len(raw) > limit or (allowed is not None and raw not in allowed):
            errors[name] = "unknown value"
            return
        values[name] = raw

    def number(name: str, low: float, high: float) -> None:
        raw = (args.get(name) or "").strip().replace(",", ".")
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            errors[name] = "not a number"
            return
        if not low <= value <= high:
            errors[name] = f"between {low:g} and {high:g}"
            return
        values[name] = value

    def day(name: str) -> None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = "not a date (YYYY-MM-DD)"

    text("status", STATUSES)
    text("level", {level.id for level in q.levels})
    number("score_min", 0, 100)
    number("score_max", 0, 100)
    text("weakest", set(q.categories_by_id))
    day("date_from")
    day("date_to")
    text("sector", SECTORS)
    text("size", COMPANY_SIZES)
    text("source")
    text("campaign")
    owner = (args.get("owner") or "").strip()
    if owner:
        if owner == "none" or (owner.isdigit() and len(owner) < 10):
            values["owner"] = owner
        else:
            errors["owner"] = "unknown value"
    text("followup", {"due", "overdue"})
    text("q", limit=100)
    text("sort", SORTS)
    text("direction", {"asc", "desc"})
    page = (args.get("page") or "1").strip()
    if page.isdigit() and 0 < int(page) < 1_000_000:
        values["page"] = int(page)
    else:
        errors["page"] = "not a page number"
    return ParsedFilters(LeadFilters(**values), errors)


def filtered_leads(filters: LeadFilters, now: datetime) -> Select[Any]:
    """The leads the filters keep, unordered (the list, its count and the export start here)."""
    query = select(Lead)
    conditions = []
    if filters.status:
        conditions.append(Lead.status == filters.status)
    if filters.level:
        conditions.append(Lead.level == filters.level)
    if filters.score_min is not None:
        conditions.append(Lead.overall_score >= filters.score_min)
    if filters.score_max is not None:
        conditions.append(Lead.overall_score <= filters.score_max)
    if filters.weakest:
        conditions.append(Lead.weakest_category == filters.weakest)
    if filters.date_from:
        conditions.append(
            Lead.completed_at >= datetime.combine(filters.date_from, time.min, now.tzinfo)
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, now.tzinfo)
        conditions.append(Lead.completed_at < end)
    if filters.sector:
        conditions.append(Lead.sector == filters.sector)
    if filters.size:
        conditions.append(Lead.company_size == filters.size)
    if filters.source:
        conditions.append(Lead.utm_source == filters.source)
    if filters.campaign:
        conditions.append(Lead.utm_campaign == filters.campaign)
    if filters.owner == "none":
        conditions.append(Lead.owner_id.is_(None))
    elif filters.owner:
        conditions.append(Lead.owner_id == int(filters.owner))
    if filters.followup == "overdue":
        start_of_day = datetime.combine(now.date(), time.min, now.tzinfo)
        conditions.append(Lead.next_touch_at < start_of_day)
    elif filters.followup == "due":
        end_of_day = datetime.combine(now.date() + timedelta(days=1), time.min, now.tzinfo)
        conditions.append(Lead.next_touch_at < end_of_day)
    if filters.q:
        pattern = "%" + filters.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        conditions.append(Lead.search_text.like(pattern))
    return query.where(and_(*conditions)) if conditions else query


def sorted_leads(filters: LeadFilters, now: datetime) -> Select[Any]:
    """The leads the filters keep, in the order the list shows them."""
    query = filtered_leads(filters, now)
    column = {
        "date": Lead.completed_at,
        "score": Lead.overall_score,
        "company": Lead.company,
        "next_touch": Lead.next_touch_at,
    }[filters.sort]
    # Leads without a value (no score yet, no touch planned) come last either way; written
    # as NULLS LAST (not "IS NULL" first) so an index on the column can serve the order.
    if filters.direction == "asc":
        return query.order_by(column.asc().nulls_last(), Lead.id.asc())
    return query.order_by(column.desc().nulls_last(), Lead.id.desc())


@dataclass(frozen=True)
class LeadPage:
    """One page of the list: rows with their owner's name, the total, the page count."""

    rows: list[tuple[Lead, str | None]]
    total: int
    page: int
    pages: int


def list_leads(filters: LeadFilters, per_page: int, now: datetime | None = None) -> LeadPage:
    """The leads matching the filters, sorted, one page of them (two queries)."""
    now = now or utcnow()
    base = filtered_leads(filters, now)
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    pages = max(1, -(-int(total) // per_page))
    page = min(filters.page, pages)
    owner = aliased(User)
    query = sorted_leads(filters, now).add_columns(func.coalesce(owner.name, owner.email))
    query = query.outerjoin(owner, owner.id == Lead.owner_id)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return LeadPage([(row[0], row[1]) for row in rows], int(total), page, pages)


def filter_choices() -> dict[str, list[str]]:
    """The sources and campaigns seen, for the filter menus."""
    sources = db.session.execute(
        select(Lead.utm_source).where(Lead.utm_source.is_not(None)).distinct().limit(100)
    ).scalars()
    campaigns = db.session.execute(
        select(Lead.utm_campaign).where(Lead.utm_campaign.is_not(None)).distinct().limit(100)
    ).scalars()
    return {
        "sources": sorted(value for value in sources if value),
        "campaigns": sorted(value for value in campaigns if value),
    }
