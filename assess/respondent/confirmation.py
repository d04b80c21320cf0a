"""Confirming the address a respondent typed before anything goes to it on their behalf.

A completed submission whose address is not confirmed (`Submission.pending_email`: a new
lead, or an address typed from a re-assessment link that differs from the lead's confirmed
one) gets, instead of its report, one fixed e-mail with a link; its team invitations wait
too. The link names the confirmation by a random secret and expires after
CONFIRM_LINK_DAYS. Confirming sets the lead's address (a new one replaces the old only
then) and queues the report and the invitations; confirming again changes nothing.
Confirmation e-mails are limited per address and per client over 24 hours (a client is an
IPv4 address or an IPv6 /64 network: assess/core/client_networks.py), so the app cannot be
made to mail strangers in bulk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select

from assess.core.client_networks import client_network
from assess.core.contact import normalise_email
from assess.db.database import serialise, write_transaction
from assess.db.models import (
    AddressConfirmation,
    Delivery,
    Lead,
    LeadEvent,
    Submission,
    aware,
    utcnow,
)
from assess.extensions import db
from assess.outbox import webhooks
from assess.outbox.delivery import REPORT, ensure_report
from assess.outbox.messages import CONFIRM_KIND, queue_delivery
from assess.outbox.rows import Attempt
from assess.outbox.tasks import RENDER_REPORT, task
from assess.respondent.team_invitations import invitation_deliveries

DAY = timedelta(days=1)


class ConfirmationUnknown(LookupError):
    """No confirmation behind this link (mistyped, or its lead was deleted)."""


class ConfirmationExpired(Exception):
    """The link is genuine but older than CONFIRM_LINK_DAYS; another one can be sent."""

    def __init__(self, results_token: str | None):
        super().__init__(results_token)
        self.results_token = results_token


class Resent(Enum):
    """What became of a request to send the confirmation link again."""

    SENT = "sent"
    LIMITED = "limited"  # over the address's daily limit: nothing sent
    LIMITED_NETWORK = "limited_network"  # over the client network's daily limit: nothing sent
    CONFIRMED = "confirmed"  # nothing to confirm any more


@dataclass(frozen=True)
class Waiting:
    """A submission whose address waits for confirmation: the address, whether a link was
    sent to it, and when none was, the daily limit that stopped it ("address" or "network")."""

    address: str
    link_sent: bool
    held_by: str | None = None


@dataclass(frozen=True)
class Confirmed:
    """A confirmed link: the results it was for, and whether this click confirmed it."""

    results_token: str | None
    now: bool


def address_to_confirm(lead: Lead, typed: str, established: bool) -> str | None:
    """The address a submission must have confirmed before anything is sent for it, or None.

    `established`: the lead completed a diagnostic before. Only an established lead whose
    confirmed address was typed again is sent its report at once.
    """
    typed = normalise_email(typed)
    if established and normalise_email(lead.email) == typed and lead.email_confirmed_at is not None:
        return None
    return typed


def waits_for_confirmation(submission: Submission) -> bool:
    """Whether a submission being completed must have its address confirmed first. A lead
    whose address was never confirmed (its contact step skipped, as a re-assessment with the
    contact asked first does) has that address asked for."""
    lead = submission.lead
    if submission.pending_email is None and lead is not None and lead.email_confirmed_at is None:
        submission.pending_email = lead.email
    return submission.pending_email is not None


def waiting(submission: Submission) -> Waiting | None:
    """The address this submission waits to have confirmed, if any (the results page)."""
    address = submission.pending_email
    if address is None:
        return None
    sent = db.session.execute(
        select(
            exists().where(
                AddressConfirmation.submission_id == submission.id,
                AddressConfirmation.email == address,
            )
        )
    ).scalar_one()
    if sent:
        return Waiting(address, True)
    # No link was sent: the address's limit held, or else the client network's did.
    full = _sent_since(AddressConfirmation.email, address) >= _limits()[0]
    return Waiting(address, False, "address" if full else "network")


def _client_key(client: str) -> str | None:
    """A keyed hash of the client (its IPv4 address, or its IPv6 /64 network): the daily
    limit counts it, nobody can read it."""
    if not client:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, client_network(client).encode(), hashlib.sha256).hexdigest()


def _limits() -> tuple[int, int]:
    config = current_app.config
    return config["CONFIRM_PER_ADDRESS_DAY"], config["CONFIRM_PER_CLIENT_DAY"]


def _sent_since(column: Any, value: str) -> int:
    count = db.session.execute(
        select(func.count())
        .select_from(AddressConfirmation)
        .where(column == value, AddressConfirmation.created_at >= utcnow() - DAY)
    ).scalar_one()
    return int(count)


def request_confirmation(submission: Submission, client: str) -> Delivery | None:
    """The confirmation e-mail of a submission's pending address (in the caller's write
    transaction), or None when the address or the client reached its daily limit."""
    found = _requested(submission, client)
    return found if isinstance(found, Delivery) else None


def _requested(submission: Submission, client: str) -> Delivery | Resent:
    """The confirmation e-mail, or the daily limit that held it back."""
    address = submission.pending_email
    lead_id = submission.lead_id
    if address is None or lead_id is None:
        return Resent.CONFIRMED
    per_address, per_client = _limits()
    serialise("address-confirmations")
    if _sent_since(AddressConfirmation.email, address) >= per_address:
        return Resent.LIMITED
    key = _client_key(client)
    if key is not None and _sent_since(AddressConfirmation.client_key, key) >= per_client:
        return Resent.LIMITED_NETWORK
    row = AddressConfirmation(
        token=secrets.token_urlsafe(32),
        lead_id=lead_id,
        submission_id=submission.id,
        email=address,
        client_key=key,
    )
    db.session.add(row)
    db.session.flush()
    return queue_delivery(submission.id, f"{CONFIRM_KIND}{row.id}", address)


def send_again(results_token: str, client: str) -> Resent:
    """Send the confirmation link of a completed submission again (LookupError if none)."""
    with write_transaction():
        submission = db.session.execute(
            select(Submission)
            .where(Submission.public_token == results_token, Submission.status == "completed")
            .with_for_update()
        ).scalar_one_or_none()
        if submission is None:
            raise LookupError(results_token)
        if submission.pending_email is None:
            return Resent.CONFIRMED
        found = _requested(submission, client)
        if not isinstance(found, Delivery):
            return found
    return Resent.SENT


def find(token: str) -> AddressConfirmation | None:
    """The confirmation behind a link, if any."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        select(AddressConfirmation).where(AddressConfirmation.token == token)
    ).scalar_one_or_none()


def is_expired(row: AddressConfirmation) -> bool:
    """Whether the link is older than CONFIRM_LINK_DAYS."""
    days = current_app.config["CONFIRM_LINK_DAYS"]
    return aware(row.created_at) + timedelta(days=days) < utcnow()


def confirm(token: str) -> Confirmed:
    """Confirm the address behind a link: the lead takes it, the report and the invitations
    waiting for it are queued. A second click changes nothing."""
    if not token or len(token) > 64:
        raise ConfirmationUnknown(token)
    with write_transaction():
        row = db.session.execute(
            select(AddressConfirmation).where(AddressConfirmation.token == token).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise ConfirmationUnknown(token)
        submission = db.session.execute(
            select(Submission).where(Submission.id == row.submission_id).with_for_update()
        ).scalar_one()
        results = submission.public_token
        if row.confirmed_at is not None or submission.pending_email != row.email:
            return Confirmed(results, now=False)
        if is_expired(row):
            raise ConfirmationExpired(results)
        lead = db.session.execute(
            select(Lead).where(Lead.id == row.lead_id).with_for_update()
        ).scalar_one()
        now = utcnow()
        row.confirmed_at = now
        changed = normalise_email(lead.email) != normalise_email(row.email)
        if changed:
            lead.email = normalise_email(row.email)
            lead.refresh_search_text()
        lead.email_confirmed_at = now
        submission.pending_email = None
        db.session.add(
            LeadEvent(lead_id=lead.id, kind="email.confirmed", data={"changed": changed})
        )
        webhooks.lead_email_confirmed(lead, submission, changed)
        _release(submission, lead)
    return Confirmed(results, now=True)


def _release(submission: Submission, lead: Lead) -> None:
    """Queue the messages that waited for the confirmation: the report, then the invitations."""
    has_report = db.session.execute(
        select(exists().where(Delivery.submission_id == submission.id, Delivery.kind == REPORT))
    ).scalar_one()
    if submission.is_completed and not has_report:
        queue_delivery(submission.id, REPORT, lead.email)
    invitation_deliveries(submission.id)


@task(RENDER_REPORT)
def render_ahead(submission_id: int) -> Attempt | None:
    """Render a report before its address is confirmed (worker only), so the results page
    offers the PDF at once; a failure is recorded and retried when the report is sent."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or not submission.is_completed:
        return None
    try:
        ensure_report(submission)
    except Exception:  # recorded on the report row by ensure_report; the delivery retries
        current_app.logger.warning("report %s not rendered ahead", submission_id, exc_info=True)
    return None
