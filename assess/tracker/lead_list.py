"""The leads list: its filters as given in the URL, the query they build, one page of it.

The list reads only the `leads` table (scores and the cadence summary are copied
there at completion and at each touch), so a page costs two indexed queries
whatever the number of leads. The CSV export runs the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, column, func, select, table
from sqlalchemy import text as sql_text
from sqlalchemy.orm import aliased

from assess.core.contact import COMPANY_SIZES, SECTORS
from assess.core.questionnaire import Questionnaire
from assess.db.models import Lead, User, utcnow
from assess.extensions import db

STATUSES = ("new", "contacted", "meeting_booked", "proposal_sent", "won", "lost")
# What the back office calls each status (tests/test_labels.py: every status has one).
STATUS_LABELS = {
    "new": _l("New"),
    "contacted": _l("Contacted"),
    "meeting_booked": _l("Meeting booked"),
    "proposal_sent": _l("Proposal sent"),
    "won": _l("Won"),
    "lost": _l("Lost"),
}
SORTS = {"date", "score", "company", "next_touch"}
# The list counts its leads up to this many, then says "more than".
COUNT_LIMIT = 10_000
# At most this many values in the source and the campaign menus.
MAX_CHOICES = 100
# SQLite's search index (FTS5, trigram tokenizer), a table made by the migration.
_SQLITE_SEARCH = table("leads_search", column("rowid"), column("search_text"))


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


@dataclass
class ParsedFilters:
    """Filters read from a query string, and the values that were refused."""

    filters: LeadFilters
    errors: dict[str, str] = field(default_factory=dict)


# The query parameters the list reads (the page aside): its links carry these and no others.
QUERY_PARAMETERS = tuple(f.name for f in fields(LeadFilters) if f.name != "page")


def link_arguments(args: Any, refused: dict[str, str]) -> dict[str, str]:
    """The list's own parameters from a query string, to build its links with.

    Only the names the list reads: any other (`separator`, `endpoint`, `_external`,
    `_scheme`...) would reach `url_for` as one of its own arguments. A refused value is
    left out, so the links do not repeat the mistake.
    """
    return {
        name: args.get(name) for name in QUERY_PARAMETERS if name not in refused and args.get(name)
    }


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
        try:  # the date field sends 2026-01-31; typed by hand, 31/01/2026 as in French
            values[name] = date.fromisoformat(raw)
        except ValueError:
            try:
                values[name] = datetime.strptime(raw, "%d/%m/%Y").date()
            except ValueError:
                errors[name] = "not a date"

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
        if owner == "none" or (owner.isascii() and owner.isdigit() and len(owner) < 10):
            values["owner"] = owner
        else:
            errors["owner"] = "unknown value"
    text("followup", {"due", "overdue"})
    text("q", limit=100)
    text("sort", SORTS)
    text("direction", {"asc", "desc"})
    page = (args.get("page") or "1").strip()
    if page.isascii() and page.isdigit() and 0 < int(page) < 1_000_000:
        values["page"] = int(page)
    else:
        errors["page"] = "not a page number"
    return ParsedFilters(LeadFilters(**values), errors)


def filtered_leads(
    filters: LeadFilters, now: datetime, search_by_scan: bool = False
) -> Select[Any]:
    """The leads the filters keep, unordered (the list, its count and the export start here).

    `search_by_scan` checks the search on each lead read instead of asking the search
    index: the same leads, a better plan when most leads match.
    """
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
        conditions.append(search_condition(filters.q, by_index=not search_by_scan))
    return query.where(and_(*conditions)) if conditions else query


def search_condition(text: str, by_index: bool = True) -> ColumnElement[bool]:
    """Leads whose company, names or e-mail contain the text (any case), from the search index.

    SQLite answers from its FTS5 trigram table, PostgreSQL from a trigram index on the
    column (both made by the migration): a plain LIKE '%...%' reads every lead.
    """
    if by_index and _on_sqlite():
        return Lead.id.in_(_sqlite_search_matches(text))
    return Lead.search_text.like(_search_pattern(text))


def _search_pattern(text: str) -> str:
    # The column is in lower case; wildcards typed in the box are searched as nothing.
    return "%" + text.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"


def _sqlite_search_matches(text: str) -> Select[Any]:
    return select(_SQLITE_SEARCH.c.rowid).where(
        _SQLITE_SEARCH.c.search_text.like(_search_pattern(text))
    )


def forget_deleted_search_text() -> None:
    """Erase what SQLite's search index still holds of deleted leads (in the caller's transaction).

    FTS5 marks a deleted row's entries as deleted but keeps pieces of its text in older
    segments until they are merged: merging them all erases them (about 0.3 s at 100,000
    leads). PostgreSQL's index forgets them at the next VACUUM, with the rows themselves.
    """
    if _on_sqlite():
        db.session.execute(sql_text("INSERT INTO leads_search(leads_search) VALUES ('optimize')"))


def _order(filters: LeadFilters) -> list[ColumnElement[Any]]:
    column, nullable = {
        "date": (Lead.completed_at, True),
        "score": (Lead.overall_score, True),
        "company": (Lead.company, False),
        "next_touch": (Lead.next_touch_at, True),
    }[filters.sort]
    # Leads without a value (no score yet, no touch planned) come last either way; written
    # as NULLS LAST (not "IS NULL" first) so an index on the column serves the order. Only
    # on columns that can be null: PostgreSQL would not read an index for it otherwise.
    if filters.direction == "asc":
        first = column.asc().nulls_last() if nullable else column.asc()
        return [first, Lead.id.asc()]
    first = column.desc().nulls_last() if nullable else column.desc()
    return [first, Lead.id.desc()]


def _on_sqlite() -> bool:
    return bool(db.session.get_bind().dialect.name == "sqlite")


def sorted_leads(filters: LeadFilters, now: datetime, search_by_scan: bool = False) -> Select[Any]:
    """The leads the filters keep, in the order the list shows them."""
    return filtered_leads(filters, now, search_by_scan).order_by(*_order(filters))


@dataclass(frozen=True)
class LeadPage:
    """One page of the list: rows with their owner's name, the total, the page count.

    Past `COUNT_LIMIT` leads the count stops: `total` is then a floor, `more` is true
    and the list says "more than" (counting 100,000 leads at each page costs more
    than the page).
    """

    rows: list[tuple[Lead, str | None]]
    total: int
    page: int
    pages: int
    more: bool = False

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages or self.more


def list_leads(filters: LeadFilters, per_page: int, now: datetime | None = None) -> LeadPage:
    """The leads matching the filters, sorted, one page of them (two queries)."""
    now = now or utcnow()
    # Counted up to the page asked for, and at least COUNT_LIMIT: the page always exists.
    limit = max(COUNT_LIMIT, filters.page * per_page) + 1
    counted = _count(filters, now, limit)
    more = counted == limit
    total = counted - 1 if more else counted
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    # The page's ids first, from the indexes alone where they can; then those rows only,
    # so a far page does not read every row before it.
    # When the count reached its limit the matches are dense: reading the leads in order
    # and checking the search on each finds a page sooner than gathering every match
    # from SQLite's search index first (PostgreSQL's planner makes that choice itself).
    ids = (
        sorted_leads(filters, now, search_by_scan=more)
        .with_only_columns(Lead.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    owner = aliased(User)
    query = (
        select(Lead, func.coalesce(owner.name, owner.email))
        .join(ids, ids.c.id == Lead.id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .order_by(*_order(filters))
    )
    rows = db.session.execute(query).all()
    return LeadPage([(row[0], row[1]) for row in rows], total, page, pages, more)


def _count(filters: LeadFilters, now: datetime, limit: int) -> int:
    """How many leads match, counting no further than `limit`."""
    if (
        filters.q
        and _on_sqlite()
        and filtered_leads(replace(filters, q=None), now).whereclause is None
    ):
        # A search alone: counted in SQLite's search index, which stops at the limit (the
        # leads' own query would gather every match before counting them).
        matching = _sqlite_search_matches(filters.q)
    else:
        matching = filtered_leads(filters, now).with_only_columns(Lead.id)
    query = select(func.count()).select_from(matching.limit(limit).subquery())
    return int(db.session.execute(query).scalar_one())


def filter_choices() -> dict[str, list[str]]:
    """The sources and campaigns seen, for the filter menus (one query, a few index reads).

    Each distinct value is found by jumping to the next one in the column's index (a
    recursive query), so it costs as many index reads as there are values, not leads.
    """
    found: dict[str, list[str]] = {"sources": [], "campaigns": []}
    for menu, value in db.session.execute(_DISTINCT_SOURCES_AND_CAMPAIGNS, {"most": MAX_CHOICES}):
        found[menu].append(value)
    return {menu: sorted(values) for menu, values in found.items()}


# Each menu's values, by jumping from one to the next in the column's index.
_DISTINCT_SOURCES_AND_CAMPAIGNS = sql_text(
    """
    WITH RECURSIVE
    sources(n, value) AS (
        SELECT 1, (SELECT min(utm_source) FROM leads)
        UNION ALL
        SELECT n + 1, (SELECT min(utm_source) FROM leads WHERE utm_source > sources.value)
        FROM sources WHERE sources.value IS NOT NULL AND n < :most
    ),
    campaigns(n, value) AS (
        SELECT 1, (SELECT min(utm_campaign) FROM leads)
        UNION ALL
        SELECT n + 1, (SELECT min(utm_campaign) FROM leads WHERE utm_campaign > campaigns.value)
        FROM campaigns WHERE campaigns.value IS NOT NULL AND n < :most
    )
    SELECT 'sources', value FROM sources WHERE value IS NOT NULL AND value <> ''
    UNION ALL
    SELECT 'campaigns', value FROM campaigns WHERE value IS NOT NULL AND value <> ''
    """
)
