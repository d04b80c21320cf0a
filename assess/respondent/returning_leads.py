"""One lead per person: a diagnostic completed with the address of a known lead joins it.

Leads store their address normalised (`core/contact.normalise_email`), and no two leads
that completed a diagnostic share one: a unique index on the address of completed leads
holds it (migration `17a1ead5e11f`). A lead made at the contact step is the draft's until
completion; then it claims its address, or, when a lead holds it already (a returning
executive, or a completion of the same address that committed meanwhile), the submission
joins that lead as a re-assessment does and the placeholder goes. The joined lead keeps its
one cadence; the contact details typed replace its own as a re-assessment's contact step
does (the results page and report show what this respondent typed, never a stranger's), and
its address is not taken as confirmed: the report waits for the click as for a new lead.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from assess.core.contact import normalise_email
from assess.db.models import (
    AddressConfirmation,
    AuditEntry,
    Lead,
    LeadEvent,
    Note,
    Submission,
    Touch,
    WebhookDelivery,
)
from assess.extensions import db

# What the contact step sets on a lead, besides the address.
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "job_title",
    "phone",
    "company_size",
    "sector",
    "marketing_opt_in",
    "locale",
    "consent_at",
    "consent_text_version",
)
# Rows that name a lead, moved when a lead joins another.
LEAD_ROWS = (Submission, Touch, Note, LeadEvent, AddressConfirmation, WebhookDelivery)


def lead_for_completion(draft: Submission) -> Lead:
    """The lead a completing draft belongs to, in the completion's transaction: its own,
    which claims its address, or the known lead holding that address, which it joins."""
    lead = draft.lead
    if lead is None:
        raise RuntimeError("the contact step comes before completion")
    if lead.completed_at is not None:  # a lead known already (a re-assessment)
        return lead
    lead.email = normalise_email(lead.email)
    db.session.flush()  # everything but the claim stays when the claim is refused
    try:
        with db.session.begin_nested():
            lead.completed_at = draft.completed_at
            db.session.flush()
        return lead
    except IntegrityError:
        pass  # a lead holds this address: this submission joins it
    known = db.session.execute(
        select(Lead)
        .where(Lead.email == lead.email, Lead.completed_at.is_not(None), Lead.id != lead.id)
        .with_for_update()
    ).scalar_one()
    join_lead(lead, known)
    return known


def join_lead(placeholder: Lead, known: Lead) -> None:
    """Move everything of a lead that never completed onto the known lead, its typed contact
    details included, and delete it (in the caller's transaction)."""
    for name in CONTACT_FIELDS:
        setattr(known, name, getattr(placeholder, name))
    known.refresh_search_text()
    for submission in list(placeholder.submissions):
        submission.lead = known
    db.session.flush()
    for model in LEAD_ROWS:
        db.session.execute(
            update(model).where(model.lead_id == placeholder.id).values(lead_id=known.id)
        )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.target == f"lead:{placeholder.id}")
        .values(target=f"lead:{known.id}")
    )
    placeholder_id = placeholder.id
    db.session.expunge(placeholder)
    db.session.execute(delete(Lead).where(Lead.id == placeholder_id))
