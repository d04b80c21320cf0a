"""The tables: leads and their submissions (a draft until completed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Lead(db.Model):  # type: ignore[name-defined]
    """A person who gave their contact details, with where they came from and their consent."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200), index=True)
    job_title: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(String(40))
    company_size: Mapped[str] = mapped_column(String(20))
    sector: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_text_version: Mapped[str] = mapped_column(String(40))
    marketing_opt_in: Mapped[bool] = mapped_column(default=False)
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    referrer: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    submissions: Mapped[list[Submission]] = relationship(back_populates="lead")

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def expression_contact(self) -> dict[str, Any]:
        """The fields expressions may read."""
        return {"company_size": self.company_size, "sector": self.sector}


class Submission(db.Model):  # type: ignore[name-defined]
    """One run through the diagnostic: a draft saved step by step, then completed and scored.

    A completed submission keeps the questionnaire's id, version and file hash with
    its answers and result, so later edits of the file never change it.
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_status_completed", "status", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The session cookie holds this key only; the resume link is signed around it.
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The results page's unguessable address, set at completion.
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[str] = mapped_column(String(50))
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The step the respondent last reached (a section id, or "contact").
    current_step: Mapped[str | None] = mapped_column(String(100))
    # Steps posted, in order, for the completion funnel.
    steps_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    overall_score: Mapped[float | None] = mapped_column(index=True)
    level: Mapped[str | None] = mapped_column(String(50), index=True)
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    referrer: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lead: Mapped[Lead | None] = relationship(back_populates="submissions")

    @property
    def is_completed(self) -> bool:
        """Whether the respondent finished and the result is stored."""
        return self.status == "completed"


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


class QuestionnaireVersion(db.Model):  # type: ignore[name-defined]
    """A questionnaire file as it was when a submission was completed, by the hash of its bytes.

    Old submissions show and report with the texts they were answered with, even
    after questions.yaml changed, on any app server.
    """

    __tablename__ = "questionnaire_versions"

    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    source: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
