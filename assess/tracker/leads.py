"""Use cases of the leads tracker: owners, notes, a lead's activity.

The list itself (filters, sorting, pages) is in `assess.tracker.lead_list`; status changes
in `assess.tracker.pipeline`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from assess.core.result import StoredResult
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Lead, LeadEvent, Note, Submission, Touch, User
from assess.extensions import db
from assess.tracker.pipeline import LeadError, locked_lead

MAX_NOTE = 5000


def record_completion(lead: Lead, submission: Submission, result: dict[str, Any]) -> None:
    """Copy the latest result onto the lead, add it to the timeline (completion's transaction)."""
    stored = StoredResult.from_json(result)
    weakest = stored.weakest(1)
    lead.latest_submission_id = submission.id
    lead.completed_at = submission.completed_at
    lead.overall_score = stored.overall
    lead.level = stored.level
    lead.weakest_category = weakest[0].id if weakest else None
    lead.category_scores = {cid: c.score for cid, c in stored.categories.items()}
    lead.refresh_search_text()
    db.session.add(
        LeadEvent(
            lead_id=lead.id,
            kind="submission.completed",
            data={"submission_id": submission.id, "overall": stored.overall},
        )
    )


def get_lead(lead_id: int) -> Lead | None:
    """A lead by id."""
    return db.session.get(Lead, lead_id)


def assign_owner(lead_id: int, owner_id: int | None, user_id: int) -> Lead:
    """Give the lead to a consultant (or to nobody)."""
    with write_transaction():
        if owner_id is not None:
            owner = db.session.get(User, owner_id)
            if owner is None or not owner.active:
                raise LeadError("unknown consultant")
        lead = locked_lead(lead_id)
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
        lead = locked_lead(lead_id)
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
