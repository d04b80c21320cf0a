"""A draft's row, read and written with single Core statements: the wizard's hot path.

Every step page and every step post reads its draft. Loading it as a model (the
identity map, the unit of work, a second query for the lead) cost more than the
rest of the request, so the steps read one row, joined to the two lead fields
that expressions see, and write back only the columns a step changes. The
contact step and the completion still work on the models.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.engine import Connection

from assess.db.database import PreparedStatement, read_one, run_in, write_one
from assess.db.models import Lead, Submission, utcnow

# Who holds a draft. The browser that gave the contact details, or will: the contact step
# shows them again, the completion shows the results.
RESPONDENT = "respondent"
# A re-assessment link, sent to the lead's address: the contact step shows the e-mail only.
REASSESSMENT = "reassessment"
# A resume link moved the draft to this browser after the contact details were given: it is
# shown none of them, nor the results (the e-mail carries them), until it gives its own.
MOVED = "moved"

_submissions = Submission.__table__
_leads = Lead.__table__
_SELECT = (
    select(
        _submissions.c.id,
        _submissions.c.draft_key,
        _submissions.c.status,
        _submissions.c.holder,
        _submissions.c.public_token,
        _submissions.c.lead_id,
        _submissions.c.answers,
        _submissions.c.steps_done,
        _submissions.c.current_step,
        _submissions.c.updated_at,
        _leads.c.company_size,
        _leads.c.sector,
    )
    .select_from(_submissions.outerjoin(_leads, _leads.c.id == _submissions.c.lead_id))
    .where(_submissions.c.draft_key == bindparam("key"))
)
_READ = PreparedStatement(_SELECT)
# PostgreSQL: the draft's row stays locked until the write transaction ends.
_LOCK = PreparedStatement(_SELECT.with_for_update(of=_submissions))
_PROGRESS: dict[str, Any] = {
    "answers": bindparam("answers"),
    "steps_done": bindparam("steps_done"),
    "current_step": bindparam("current_step"),
    "updated_at": bindparam("updated_at"),
}
_WRITE = PreparedStatement(
    update(_submissions).where(_submissions.c.id == bindparam("draft_id")).values(**_PROGRESS)
)
# Written only if the draft is as it was read: every change to a draft sets updated_at.
_WRITE_IF_UNCHANGED = PreparedStatement(
    update(_submissions)
    .where(
        _submissions.c.id == bindparam("draft_id"),
        _submissions.c.status == "draft",
        _submissions.c.updated_at == bindparam("seen_updated_at"),
    )
    .values(**_PROGRESS)
)
# A new key for a draft still in progress; its holder becomes MOVED once it has contact details.
_MOVE = PreparedStatement(
    update(_submissions)
    .where(_submissions.c.draft_key == bindparam("key"), _submissions.c.status == "draft")
    .values(
        draft_key=bindparam("new_key"),
        holder=case(
            (_submissions.c.lead_id.is_(None), _submissions.c.holder),
            else_=bindparam("moved"),
        ),
        updated_at=bindparam("updated_at"),
    )
)


@dataclass(frozen=True)
class DraftState:
    """A draft as the wizard reads it: its row, and the lead's fields expressions see."""

    id: int
    key: str
    status: str
    # RESPONDENT, REASSESSMENT or MOVED
    holder: str
    public_token: str | None
    lead_id: int | None
    answers: dict[str, Any]
    steps_done: list[str]
    current_step: str | None
    # When the row last changed: a write that read it checks it is still the same.
    updated_at: datetime | None
    # The lead as expressions see it (company size and sector), None before the contact step.
    contact: dict[str, Any] | None

    @property
    def is_completed(self) -> bool:
        """Whether the respondent finished and the result is stored."""
        return self.status == "completed"

    @property
    def shows_results(self) -> bool:
        """Whether the browser holding the draft may be shown its results: not one that a
        resume link moved it to after someone else gave the contact details."""
        return self.holder != MOVED

    def contact_prefill(self, lead_fields: Mapping[str, Any]) -> dict[str, Any]:
        """What the contact step fills in, of the lead's fields, for the browser holding the
        draft: all of them for the one that typed them, the e-mail for a re-assessment link
        (sent to that address), nothing for a browser the draft was moved to."""
        if self.holder == RESPONDENT:
            return dict(lead_fields)
        if self.holder == REASSESSMENT and "email" in lead_fields:
            return {"email": lead_fields["email"]}
        return {}


def read_draft(key: str | None) -> DraftState | None:
    """The draft or completed submission with this key, if any (one query)."""
    if not key:
        return None
    return _state(read_one(_READ, {"key": key}))


def take_over(key: str, held_key: str | None) -> DraftState | None:
    """The draft a resume link names, for the browser opening it: as it is when that browser
    holds it already, or is completed (never moved); otherwise under a new key, so that the
    browser that sent the link holds it no longer. None when no draft has this key (deleted,
    or moved already by another opening of the link)."""
    if held_key != key:
        draft = read_draft(key)
        if draft is None or draft.is_completed:
            return draft
        new_key = secrets.token_urlsafe(32)
        moved = write_one(
            _MOVE, {"key": key, "new_key": new_key, "moved": MOVED, "updated_at": utcnow()}
        )
        # Not moved: completed or moved in between; read below under the old key.
        if moved == 1:
            key = new_key
    return read_draft(key)


def lock_draft(transaction: Connection, key: str) -> DraftState | None:
    """The draft with this key, its row locked until the write transaction ends."""
    return _state(run_in(transaction, _LOCK, {"key": key}))


def save_progress(
    transaction: Connection,
    draft_id: int,
    answers: dict[str, Any],
    steps_done: list[str],
    current_step: str | None,
) -> None:
    """Write a draft's answers, steps done and current step (in the write transaction)."""
    run_in(
        transaction,
        _WRITE,
        {
            "draft_id": draft_id,
            "answers": answers,
            "steps_done": steps_done,
            "current_step": current_step,
            "updated_at": utcnow(),
        },
    )


def save_progress_if_unchanged(
    draft: DraftState, answers: dict[str, Any], steps_done: list[str], current_step: str | None
) -> bool:
    """Write a draft's progress in a transaction of its own, unless the row changed (or was
    completed or deleted) since `draft` was read: False then, and nothing is written."""
    changed = write_one(
        _WRITE_IF_UNCHANGED,
        {
            "draft_id": draft.id,
            "seen_updated_at": draft.updated_at,
            "answers": answers,
            "steps_done": steps_done,
            "current_step": current_step,
            "updated_at": utcnow(),
        },
    )
    return changed == 1


def _state(row: dict[str, Any] | None) -> DraftState | None:
    if row is None:
        return None
    has_lead = row["lead_id"] is not None
    return DraftState(
        id=row["id"],
        key=row["draft_key"],
        status=row["status"],
        holder=row["holder"],
        public_token=row["public_token"],
        lead_id=row["lead_id"],
        answers=dict(row["answers"] or {}),
        steps_done=list(row["steps_done"] or []),
        current_step=row["current_step"],
        updated_at=row["updated_at"],
        contact={"company_size": row["company_size"], "sector": row["sector"]}
        if has_lead
        else None,
    )
