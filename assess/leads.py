"""Use cases of the leads tracker: the filtered list, the pipeline, owners, notes.

The list reads only the `leads` table (scores and the cadence summary are copied
there at completion and at each touch), so a page costs two indexed queries
whatever the number of leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from assess import webhooks
from assess.audit import record
from assess.contact import COMPANY_SIZES, SECTORS
from assess.database import write_transaction
from assess.extensions import db
from assess.models import Lead, LeadEvent, Note, Submission, Touch, User, utcnow
from assess.questionnaire import Questionnaire

STATUSES = ("new", "contacted", "meeting_booked", "proposal_sent", "won", "lost")
# Once a meeting is booked, or the lead is won or lost, the cadence stops by itself.
CADENCE_STOPS = {"meeting_booked", "proposal_sent", "won", "lost"}
SORTS = {"date", "score", "company", "next_touch"}
MAX_NOTE = 5000
MAX_REASON = 500


class LeadError(ValueError):
    """A refused change to a lead, with a message for the consultant."""


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


def _filtered(filters: LeadFilters, now: datetime) -> Select[Any]:
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


def _ordered(query: Select[Any], filters: LeadFilters) -> Select[Any]:
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
    base = _filtered(filters, now)
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    pages = max(1, -(-int(total) // per_page))
    page = min(filters.page, pages)
    owner = aliased(User)
    query = _ordered(base, filters).add_columns(func.coalesce(owner.name, owner.email))
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


def record_completion(lead: Lead, submission: Submission, result: dict[str, Any]) -> None:
    """Copy the latest result onto the lead, add it to the timeline (completion's transaction)."""
    categories = result.get("categories", {})
    scored = [(cid, c["score"]) for cid, c in categories.items() if c.get("score") is not None]
    lead.latest_submission_id = submission.id
    lead.completed_at = submission.completed_at
    lead.overall_score = result.get("overall")
    lead.level = result.get("level")
    lead.weakest_category = min(scored, key=lambda pair: pair[1])[0] if scored else None
    lead.category_scores = {cid: c.get("score") for cid, c in categories.items()}
    lead.refresh_search_text()
    db.session.add(
        LeadEvent(
            lead_id=lead.id,
            kind="submission.completed",
            data={"submission_id": submission.id, "overall": result.get("overall")},
        )
    )


def get_lead(lead_id: int) -> Lead | None:
    """A lead by id."""
    return db.session.get(Lead, lead_id)


def _locked_lead(lead_id: int) -> Lead:
    lead = db.session.execute(
        select(Lead).where(Lead.id == lead_id).with_for_update()
    ).scalar_one_or_none()
    if lead is None:
        raise LookupError(lead_id)
    return lead


def change_status(lead_id: int, status: str, reason: str, user_id: int) -> Lead:
    """Move a lead in the pipeline; a lost lead needs a reason; the cadence stops when it should."""
    if status not in STATUSES:
        raise LeadError("unknown status")
    reason = (reason or "").strip()
    if status == "lost" and not reason:
        raise LeadError("reason required")
    if len(reason) > MAX_REASON:
        raise LeadError("reason too long")
    with write_transaction():
        lead = _locked_lead(lead_id)
        previous = lead.status
        lead.status = status
        lead.lost_reason = reason if status == "lost" else None
        lead.status_changed_at = utcnow()
        if status in CADENCE_STOPS:
            stop_cadence(lead)
        db.session.add(
            LeadEvent(
                lead_id=lead.id,
                kind="status",
                user_id=user_id,
                data={"from": previous, "to": status, "reason": lead.lost_reason},
            )
        )
        record("lead.status", f"lead:{lead.id}", {"from": previous, "to": status}, user_id=user_id)
        if previous != status:
            user = db.session.get(User, user_id)
            webhooks.lead_status_changed(lead, previous, user.email if user else None)
    return lead


def stop_cadence(lead: Lead) -> None:
    """Cancel the touches still planned (inside the caller's transaction)."""
    for touch in db.session.execute(
        select(Touch).where(Touch.lead_id == lead.id, Touch.status == "planned")
    ).scalars():
        touch.status = "cancelled"
    lead.next_touch_at = None


def assign_owner(lead_id: int, owner_id: int | None, user_id: int) -> Lead:
    """Give the lead to a consultant (or to nobody)."""
    with write_transaction():
        if owner_id is not None:
            owner = db.session.get(User, owner_id)
            if owner is None or not owner.active:
                raise LeadError("unknown consultant")
        lead = _locked_lead(lead_id)
        lead.owner_id = owner_id
        db.session.add(
            LeadEvent(lead_id=lead.id, kind="owner", user_id=user_id, data={"owner_id": owner_id})
        )
        record("lead.owner", f"lead:{lead.id}", {"owner_id": owner_id}, user_id=user_id)
    return lead


def add_note(lead_id: int, body: str, user_id: int) -> Note:
    """A note on the lead."""
    body = (body or "").strip()
    if not body:
        raise LeadError("empty note")
    if len(body) > MAX_NOTE:
        raise LeadError("note too long")
    with write_transaction():
        lead = _locked_lead(lead_id)
        note = Note(lead_id=lead.id, author_id=user_id, body=body)
        db.session.add(note)
        db.session.flush()
        db.session.add(
            LeadEvent(lead_id=lead.id, kind="note", user_id=user_id, data={"note_id": note.id})
        )
        record("lead.note", f"lead:{lead.id}", {"note_id": note.id}, user_id=user_id)
    return note


def lead_activity(lead: Lead) -> dict[str, Any]:
    """Notes, touches, timeline and submissions of a lead (one query each)."""
    notes = db.session.execute(
        select(Note, User.name, User.email)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.lead_id == lead.id)
        .order_by(Note.id.desc())
    ).all()
    touches = list(
        db.session.execute(
            select(Touch).where(Touch.lead_id == lead.id).order_by(Touch.number)
        ).scalars()
    )
    events = db.session.execute(
        select(LeadEvent, User.name, User.email)
        .outerjoin(User, User.id == LeadEvent.user_id)
        .where(LeadEvent.lead_id == lead.id)
        .order_by(LeadEvent.at.desc(), LeadEvent.id.desc())
    ).all()
    submissions = list(
        db.session.execute(
            select(Submission)
            .where(Submission.lead_id == lead.id, Submission.status == "completed")
            .order_by(Submission.completed_at.desc())
        ).scalars()
    )
    return {"notes": notes, "touches": touches, "events": events, "submissions": submissions}


def active_consultants() -> list[User]:
    """Accounts a lead can be given to."""
    return list(
        db.session.execute(select(User).where(User.active.is_(True)).order_by(User.email)).scalars()
    )


def owned_or_open(user_id: int) -> Any:
    """A condition: leads of this consultant, or of nobody."""
    return or_(Lead.owner_id == user_id, Lead.owner_id.is_(None))
