"""A lead's cadence as stored: its touches, and a snapshot of what a touch log may change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from assess.db.models import AuditEntry, Lead, LeadEvent, Touch
from assess.extensions import db


def touches_of(lead_id: int) -> list[Touch]:
    """A lead's touches in order (inside an app context)."""
    return list(
        db.session.execute(
            select(Touch).where(Touch.lead_id == lead_id).order_by(Touch.number)
        ).scalars()
    )


def snapshot(lead_id: int) -> dict[str, Any]:
    """Everything a touch log may change, to prove a refusal changed nothing."""
    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    assert lead is not None
    return {
        "lead": (lead.status, lead.touches_done, lead.next_touch_at, lead.lost_reason),
        "touches": [(t.status, t.outcome, t.note, t.done_at) for t in touches_of(lead_id)],
        "events": db.session.execute(select(func.count(LeadEvent.id))).scalar_one(),
        "audit": db.session.execute(select(func.count(AuditEntry.id))).scalar_one(),
    }
