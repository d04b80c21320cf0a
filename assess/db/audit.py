"""The audit log of consultant actions: who, what, when. Ids only, never personal data."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from assess.db.models import AuditEntry
from assess.extensions import db


def record(
    action: str, target: str = "", details: dict[str, Any] | None = None, user_id: int | None = None
) -> None:
    """Add an entry to the current transaction (the caller commits)."""
    if user_id is None and has_request_context() and current_user and current_user.is_authenticated:
        user_id = current_user.id
    db.session.add(AuditEntry(user_id=user_id, action=action, target=target, details=details or {}))


def recent_entries(page: int = 1, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """A page of the log, newest first, and the total count."""
    from sqlalchemy import func

    total = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    entries = db.session.execute(
        select(AuditEntry)
        .order_by(AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).scalars()
    return list(entries), int(total)
