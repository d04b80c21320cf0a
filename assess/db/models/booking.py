"""Meetings with the consultant: when each consultant takes them, and the meetings booked."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db.models.backoffice import User
from assess.db.models.respondents import NEVER_REUSED_IDS, Lead, utcnow
from assess.extensions import db

# Only a booked meeting holds its slot: a cancelled one frees it.
# A meeting still on (the other status is "cancelled").
BOOKED = "booked"
ACTIVE = text(f"status = '{BOOKED}'")


def new_uid() -> str:
    """The iCalendar UID of a meeting: random, fixed for its whole life (RFC 5545 3.8.4.7)."""
    return secrets.token_hex(16)


class ConsultantAvailability(db.Model):  # type: ignore[name-defined]
    """When one consultant takes meetings: weekly hours in Paris wall time and the rules."""

    __tablename__ = "consultant_availabilities"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # {"0": [["09:00", "12:00"], ["14:00", "17:30"]], ...}: Monday is "0", Sunday "6".
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # ["2026-12-24", ...]: local dates without any meeting.
    days_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    meeting_minutes: Mapped[int] = mapped_column(default=30)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    notice_hours: Mapped[int] = mapped_column(default=12)
    horizon_days: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Booking(db.Model):  # type: ignore[name-defined]
    """A meeting an executive booked with a consultant.

    A slot is never booked twice: the database refuses a second active booking of one
    consultant at one start (every start lies on the consultant's grid, so meetings that do
    not start together do not overlap), and a second active booking of one lead.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_bookings_active_slot",
            "consultant_id",
            "starts_at",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        Index(
            "uq_bookings_active_lead",
            "lead_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        Index("ix_bookings_consultant_starts", "consultant_id", "starts_at"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # booked, cancelled
    status: Mapped[str] = mapped_column(String(20), default="booked")
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    # RFC 5546: raised by every change sent after the first invitation (a cancellation).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The lead's pipeline status when the meeting was booked: where a cancellation puts it back.
    status_before: Mapped[str] = mapped_column(String(20), default="new")

    consultant: Mapped[User] = relationship()
    lead: Mapped[Lead] = relationship()

    @property
    def minutes(self) -> int:
        """The meeting's length in minutes."""
        return round((self.ends_at - self.starts_at).total_seconds() / 60)
