"""Team members invited to answer the team sections of a completed submission."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.db.models.respondents import NEVER_REUSED_IDS, utcnow
from assess.extensions import db


class TeamInvitation(db.Model):  # type: ignore[name-defined]
    """One invited address; its answers once given (never shown on their own)."""

    __tablename__ = "team_invitations"
    __table_args__ = (
        UniqueConstraint("submission_id", "email", name="uq_team_invitations_submission_email"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    # The member's link: unguessable, single-purpose.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
