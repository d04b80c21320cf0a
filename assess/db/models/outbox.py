"""The outbox of a completed submission: its rendered report and the messages to send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db.models.respondents import NEVER_REUSED_IDS, Submission, utcnow
from assess.extensions import db


class ReportFile(db.Model):  # type: ignore[name-defined]
    """The PDF report of a submission, rendered by the worker and kept in the database.

    App servers keep nothing on local disk: any of them can serve the file.
    """

    __tablename__ = "report_files"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Delivery(db.Model):  # type: ignore[name-defined]
    """One message to send about a submission (the outbox): at most one per submission and kind.

    Written in the same transaction as the completed submission; the worker sends
    it, retrying with backoff, and a sweeper re-enqueues rows left behind.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("submission_id", "kind", name="uq_deliveries_submission_kind"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
        # The daily limits on team invitations count the last day's team deliveries.
        Index("ix_deliveries_created_kind", "created_at", "kind"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    # "report" (the PDF to the lead) or "new_lead" (the notification to the consultant)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    # pending, sending, sent, failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship()
