"""The consultant's side: accounts, notes, the follow-up cadence, the timeline, the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.db.models.respondents import NEVER_REUSED_IDS, utcnow
from assess.extensions import db


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A consultant or an admin of the back office."""

    __tablename__ = "users"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(150), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    # "admin" manages accounts and reads the audit log; "consultant" works leads.
    role: Mapped[str] = mapped_column(String(20), default="consultant")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The secret part of this consultant's iCalendar feed address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot log in."""
        return bool(self.active)

    @property
    def is_admin(self) -> bool:
        """Whether the account manages the others."""
        return self.role == "admin"

    def get_id(self) -> str:
        """The account's id (the session itself is named by a BackofficeSession row)."""
        return str(self.id)


class BackofficeSession(db.Model):  # type: ignore[name-defined]
    """A back-office session; deleting the row ends it, whatever copies of the cookie exist.

    The cookie carries a random id; the table keeps only its SHA-256 digest, so reading the
    table does not give anyone a session.
    """

    __tablename__ = "backoffice_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Note(db.Model):  # type: ignore[name-defined]
    """A consultant's note on a lead."""

    __tablename__ = "notes"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Touch(db.Model):  # type: ignore[name-defined]
    """One step of the 7-touch follow-up cadence: planned, done or cancelled.

    A sale closes on average at the 7th contact, while 80% of salespeople give
    up after the 3rd: every lead gets seven touches planned.
    """

    __tablename__ = "touches"
    __table_args__ = (Index("ix_touches_status_due", "status", "due_at"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    channel: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    talking_point: Mapped[str] = mapped_column(Text, default="")
    # planned, done, cancelled
    status: Mapped[str] = mapped_column(String(20), default="planned")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LeadEvent(db.Model):  # type: ignore[name-defined]
    """Something that happened to a lead, for its timeline."""

    __tablename__ = "lead_events"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what, when, in the back office. Holds ids, never personal data."""

    __tablename__ = "audit_entries"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(60), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FunnelCount(db.Model):  # type: ignore[name-defined]
    """Landing page views per day: the top of the completion funnel."""

    __tablename__ = "funnel_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
