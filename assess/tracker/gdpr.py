"""Erasure and retention: deleting a lead with everything about it, purging what is kept too long.

What remains of a deleted lead is an audit entry holding its id, never its data, and a
`lead.deleted` webhook with that id and the time. The deletion runs as set-based statements
on a batch of leads, so the retention purge deletes thousands of leads with the same code as
the "delete" button. Afterwards no copy stays in the database's files (`flush_deleted_data`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from assess.db.audit import record
from assess.db.database import flush_deleted_data, write_transaction
from assess.db.models import (
    AuditEntry,
    Booking,
    Delivery,
    Lead,
    LeadEvent,
    Note,
    ReportFile,
    Submission,
    TeamInvitation,
    Touch,
    WebhookDelivery,
    utcnow,
)
from assess.extensions import db
from assess.outbox import webhooks
from assess.tracker.lead_list import forget_deleted_search_text

# Leads deleted per transaction by the purge: short write locks, bounded IN lists.
PURGE_BATCH = 500
_SPACES = re.compile(r"\s+")


def confirms(company: str, typed: str) -> bool:
    """Whether the consultant typed the lead's company name (case and spacing aside)."""
    expected = _SPACES.sub(" ", company or "").strip().casefold()
    given = _SPACES.sub(" ", typed or "").strip().casefold()
    return bool(given) and given == expected


def delete_lead(lead_id: int, user_id: int | None = None) -> bool:
    """Delete one lead and everything about it; False when there is no such lead."""
    with write_transaction():
        found = db.session.execute(
            select(Lead.id).where(Lead.id == lead_id).with_for_update()
        ).scalar_one_or_none()
        if found is None:
            return False
        message_ids = _delete_leads([lead_id])
        forget_deleted_search_text()
        record("lead.delete", f"lead:{lead_id}", {"reason": "request"}, user_id=user_id)
        webhooks.lead_deleted(lead_id)
    _forget_outbox_copies(message_ids)
    _flush()
    return True


def _flush() -> None:
    if not flush_deleted_data():
        current_app.logger.warning(
            "a reader held the database during the erasure: the write-ahead log keeps the "
            "deleted rows until the next checkpoint"
        )


def _delete_leads(lead_ids: Sequence[int]) -> list[str]:
    """Delete these leads and every row about them (inside the caller's transaction).

    Returns the Message-IDs of the deleted deliveries, to remove their outbox copies.
    """
    ids = list(lead_ids)
    submissions = select(Submission.id).where(Submission.lead_id.in_(ids)).scalar_subquery()
    message_ids = list(
        db.session.execute(
            select(Delivery.message_id).where(Delivery.submission_id.in_(submissions))
        ).scalars()
    )
    quiet = {"synchronize_session": False}
    # leads.latest_submission_id and submissions.lead_id point at each other: cut one side first.
    db.session.execute(
        update(Lead).where(Lead.id.in_(ids)).values(latest_submission_id=None),
        execution_options=quiet,
    )
    for statement in (
        delete(Delivery).where(Delivery.submission_id.in_(submissions)),
        delete(ReportFile).where(ReportFile.submission_id.in_(submissions)),
        delete(TeamInvitation).where(TeamInvitation.submission_id.in_(submissions)),
        delete(Submission).where(Submission.lead_id.in_(ids)),
        delete(Note).where(Note.lead_id.in_(ids)),
        delete(WebhookDelivery).where(WebhookDelivery.lead_id.in_(ids)),
        delete(Touch).where(Touch.lead_id.in_(ids)),
        delete(LeadEvent).where(LeadEvent.lead_id.in_(ids)),
        delete(Booking).where(Booking.lead_id.in_(ids)),
        delete(Lead).where(Lead.id.in_(ids)),
    ):
        db.session.execute(statement, execution_options=quiet)
    return message_ids


def _forget_outbox_copies(message_ids: Sequence[str]) -> None:
    """Remove the .eml copies written to the outbox folder when no SMTP server is set (dev)."""
    if not message_ids or current_app.config.get("SMTP_HOST"):
        return
    folder = Path(
        current_app.config.get("OUTBOX_FOLDER") or Path(current_app.instance_path) / "outbox"
    )
    for message_id in message_ids:
        # The name the mail adapter gives the file (assess.outbox.mail._write_to_outbox).
        name = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>"))
        (folder / f"{name}.eml").unlink(missing_ok=True)


@dataclass(frozen=True)
class PurgeCounts:
    """What the retention purge deleted (or would delete, in a dry run)."""

    drafts: int
    leads: int
    draft_cutoff: datetime
    lead_cutoff: datetime


def retention_cutoffs(
    now: datetime, draft_days: int, lead_months: int
) -> tuple[datetime, datetime]:
    """The dates before which drafts and leads expire (a month counted as 30.44 days)."""
    return now - timedelta(days=draft_days), now - timedelta(days=round(lead_months * 30.44))


def purge_expired(
    now: datetime | None = None,
    draft_days: int | None = None,
    lead_months: int | None = None,
    dry_run: bool = False,
) -> PurgeCounts:
    """Delete drafts abandoned longer than RETENTION_DRAFT_DAYS and leads older than
    RETENTION_LEAD_MONTHS (from their latest completion, else their creation)."""
    config = current_app.config
    draft_cutoff, lead_cutoff = retention_cutoffs(
        now or utcnow(),
        config["RETENTION_DRAFT_DAYS"] if draft_days is None else draft_days,
        config["RETENTION_LEAD_MONTHS"] if lead_months is None else lead_months,
    )
    stale_drafts = (Submission.status == "draft") & (Submission.updated_at < draft_cutoff)
    # A lead counts from its latest completion; one that never completed, from its creation.
    stale_leads = func.coalesce(Lead.completed_at, Lead.created_at) < lead_cutoff
    if dry_run:
        drafts = db.session.execute(
            select(func.count()).select_from(Submission).where(stale_drafts)
        ).scalar_one()
        leads = db.session.execute(
            select(func.count()).select_from(Lead).where(stale_leads)
        ).scalar_one()
        db.session.rollback()
        return PurgeCounts(int(drafts), int(leads), draft_cutoff, lead_cutoff)
    leads = 0
    while True:
        with write_transaction():
            batch = list(
                db.session.execute(
                    select(Lead.id).where(stale_leads).order_by(Lead.id).limit(PURGE_BATCH)
                ).scalars()
            )
            if batch:
                message_ids = _delete_leads(batch)
                for lead_id in batch:
                    webhooks.lead_deleted(lead_id)
                # One entry per lead, its id only, as a deletion by hand leaves.
                db.session.execute(
                    insert(AuditEntry),
                    [
                        {
                            "action": "lead.delete",
                            "target": f"lead:{lead_id}",
                            "details": {"reason": "retention"},
                            "at": utcnow(),
                        }
                        for lead_id in batch
                    ],
                )
        if not batch:
            break
        _forget_outbox_copies(message_ids)
        leads += len(batch)
    with write_transaction():
        if leads:
            forget_deleted_search_text()
        # A draft holds no delivery nor report (those come with completion): one statement.
        drafts = db.session.execute(
            delete(Submission).where(stale_drafts), execution_options={"synchronize_session": False}
        ).rowcount  # type: ignore[attr-defined]
        record(
            "retention.purge",
            "",
            {
                "drafts": int(drafts),
                "leads": leads,
                "draft_cutoff": draft_cutoff.isoformat(),
                "lead_cutoff": lead_cutoff.isoformat(),
            },
        )
    if leads or drafts:
        _flush()
    return PurgeCounts(int(drafts), leads, draft_cutoff, lead_cutoff)
