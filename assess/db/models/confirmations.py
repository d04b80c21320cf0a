"""Confirming an address typed in the wizard, and the addresses that want no invitation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db.models.respondents import Lead, Submission, utcnow
from assess.extensions import db


class AddressConfirmation(db.Model):  # type: ignore[name-defined]
    """One confirmation e-mail sent to an address a respondent typed; its link confirms it.

    The link names the row by `token`, a random secret; the rows of the last day count
    against the limits per address and per client.
    """

    __tablename__ = "address_confirmations"
    __table_args__ = (
        Index("ix_address_confirmations_email_created", "email", "created_at"),
        Index("ix_address_confirmations_client_created", "client_key", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    # A keyed hash of the client's address (never the address itself), for the daily limit.
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lead: Mapped[Lead] = relationship()
    submission: Mapped[Submission] = relationship()


class InvitationOptOut(db.Model):  # type: ignore[name-defined]
    """An address whose owner reported an invitation as unwanted: no invitation goes to it.

    Kept as the SHA-256 of the address in lower case, not the address.
    """

    __tablename__ = "invitation_opt_outs"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
