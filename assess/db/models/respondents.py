"""Respondents: leads, their submissions (a draft until completed), questionnaire versions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite gives it back without a timezone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def new_link_key() -> str:
    """A random secret that names one record in its links (never derived from its id)."""
    return secrets.token_urlsafe(24)


# SQLite gives the id of the newest row deleted to the next one unless the table says
# AUTOINCREMENT; ids that leave the database (links, webhooks, e-mails, the audit log) must
# never name two records. (A PostgreSQL sequence never hands out a value twice.)
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class Lead(db.Model):  # type: ignore[name-defined]
    """A person who gave their contact details, with where they came from and their consent."""

    __tablename__ = "leads"
    # The list's sorts, each with its tie-break by id, so a page is read in index order.
    __table_args__ = (
        Index("ix_leads_completed_at_id", "completed_at", "id"),
        Index("ix_leads_overall_score_id", "overall_score", "id"),
        Index("ix_leads_next_touch_at_id", "next_touch_at", "id"),
        Index("ix_leads_company_id", "company", "id"),
        # the weakest area and a score range, side by side in the filters
        Index("ix_leads_weakest_score", "weakest_category", "overall_score"),
        # level and company size, the list's usual segment ("beginners in small firms")
        Index("ix_leads_level_size", "level", "company_size"),
        # the Today page's due leads, ranked and counted from the index alone
        Index(
            "ix_leads_today_due",
            "next_touch_at",
            "status",
            "owner_id",
            "level",
            "company_size",
            "completed_at",
            "touches_done",
            "id",
        ),
        # One lead per person: no two leads that completed a diagnostic share an address
        # (stored normalised); a lead still at its contact step has not claimed it yet.
        Index(
            "uq_leads_completed_email",
            "email",
            unique=True,
            sqlite_where=text("completed_at IS NOT NULL"),
            postgresql_where=text("completed_at IS NOT NULL"),
        ),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Names the lead in its re-assessment link: a secret, where an id could name the next lead.
    link_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_key)
    email: Mapped[str] = mapped_column(String(254), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(String(40))
    company_size: Mapped[str] = mapped_column(String(20), index=True)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the owner of `email` clicked its confirmation link; none: never confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_text_version: Mapped[str] = mapped_column(String(40))
    marketing_opt_in: Mapped[bool] = mapped_column(default=False)
    utm_source: Mapped[str | None] = mapped_column(String(200), index=True)
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200), index=True)
    referrer: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    # The consultant's pipeline: new, contacted, meeting_booked, proposal_sent, won, lost.
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Copied from the latest completed submission, so the leads list sorts and
    # filters 100,000 leads on indexed columns without reading submissions.
    latest_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL", use_alter=True), index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overall_score: Mapped[float | None] = mapped_column()
    level: Mapped[str | None] = mapped_column(String(50))
    weakest_category: Mapped[str | None] = mapped_column(String(100))
    category_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The follow-up cadence, summarised: touches done and when the next one is due.
    touches_done: Mapped[int] = mapped_column(default=0)
    next_touch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why the worker no longer sends the cadence's e-mails: "paused" or "replied" (the
    # consultant's call, which they can undo) or "unsubscribed" (the lead's, for good);
    # None while they go out.
    follow_up_stop: Mapped[str | None] = mapped_column(String(20))
    follow_up_stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # company, names and e-mail in lower case: what the search box looks in.
    search_text: Mapped[str] = mapped_column(String(700), default="")

    submissions: Mapped[list[Submission]] = relationship(
        back_populates="lead", foreign_keys="Submission.lead_id", passive_deletes=True
    )

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def expression_contact(self) -> dict[str, Any]:
        """The fields expressions may read."""
        return {"company_size": self.company_size, "sector": self.sector}

    def refresh_search_text(self) -> None:
        """Keep the search column in step with the contact fields."""
        parts = (self.company, self.first_name, self.last_name, self.email)
        self.search_text = " ".join(p for p in parts if p).lower()[:700]


# PostgreSQL's index for the search box (a piece of text anywhere in the column); SQLite's
# is an FTS5 table, made by the migration.
Index(
    "ix_leads_search_text_trgm",
    Lead.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")

# PostgreSQL puts nulls first when it reads an ascending index backwards; the list shows
# leads without a value last in both directions. (SQLite reads its ascending indexes
# backwards with nulls last already.)
for _column in (Lead.completed_at, Lead.overall_score, Lead.next_touch_at):
    Index(f"ix_leads_{_column.key}_id_desc", _column.desc().nulls_last(), Lead.id.desc()).ddl_if(
        dialect="postgresql"
    )


class Submission(db.Model):  # type: ignore[name-defined]
    """One run through the diagnostic: a draft saved step by step, then completed and scored.

    A completed submission keeps the questionnaire's id, version and file hash with
    its answers and result, so later edits of the file never change it.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_status_completed", "status", "completed_at"),
        # a lead's completed submissions, latest first (the lead page), whatever the
        # planner's statistics say
        Index("ix_submissions_lead_status_completed", "lead_id", "status", "completed_at"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The session cookie holds this key only; the resume link is signed around it.
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The results page's unguessable address, set at completion.
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Whose browser holds the draft key, which decides what the contact step prefills and
    # whether the completion shows the results (see assess/drafts.py).
    holder: Mapped[str] = mapped_column(
        String(20), default="respondent", server_default="respondent"
    )
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
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
    # Set by every change: a step saved without a lock tells the row changed since it was read.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The address typed at the contact step while its owner has not confirmed it: nothing is
    # sent to it on the respondent's behalf (report, invitations) until then. None: confirmed.
    pending_email: Mapped[str | None] = mapped_column(String(254))

    lead: Mapped[Lead | None] = relationship(back_populates="submissions", foreign_keys=[lead_id])

    @property
    def is_completed(self) -> bool:
        """Whether the respondent finished and the result is stored."""
        return self.status == "completed"


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
