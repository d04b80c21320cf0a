"""Signed JSON posts to the consultancy's other tools, kept until they are delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.db.models.respondents import NEVER_REUSED_IDS, utcnow
from assess.extensions import db


class WebhookDelivery(db.Model):  # type: ignore[name-defined]
    """One event for one configured address: written in the transaction of the change it
    reports, posted by the worker, retried with backoff, its outcome recorded."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "submission.completed", "lead.status_changed" or "lead.deleted" (outbox.webhooks.EVENTS)
    event: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(String(2000))
    # The lead the event is about: deleting the lead deletes its webhook rows (a "lead.deleted"
    # row names no lead: it outlives the deletion it reports).
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, sending, sent, failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
