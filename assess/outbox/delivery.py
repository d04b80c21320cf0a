"""Delivering a completed submission: the report to the lead, the news to the consultant.

The outbox: completing a submission writes one row per message in the same
transaction; the worker claims a row, renders the PDF if needed, sends, and
records the outcome. Connection errors, timeouts and 4xx replies are retried
with exponential backoff; 5xx replies fail at once. A sweeper re-enqueues rows
left pending or stuck "sending", so a lost enqueue or a dead worker delays a
message but never loses it. A worker killed between the send and the record
may send one duplicate: that is the price of never losing one.
"""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from assess.core.team import team_sections
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Delivery, ReportFile, Submission, TeamInvitation, utcnow
from assess.db.opt_outs import opted_out
from assess.db.peer_stats import peer_comparison
from assess.db.previous_results import progress_of
from assess.db.questionnaire_store import questionnaire_for
from assess.extensions import db
from assess.outbox import meetings
from assess.outbox.follow_ups import FOLLOW_UP_KIND, follow_up_message, is_follow_up
from assess.outbox.links import booking_page_url
from assess.outbox.mail import DeliveryError, compose, send, settings_from_config
from assess.outbox.meetings import is_meeting, meeting_message
from assess.outbox.messages import (
    CONFIRM_KIND,
    TEAM_KIND,
    confirmation_message,
    new_lead_message,
    queue_delivery,
    report_message,
    row_of_kind,
    team_invitation_message,
)
from assess.outbox.rows import (
    CLAIMED,
    Attempt,
    claim,
    due_ids,
    record_failure,
    record_sent,
    requeue,
)
from assess.outbox.tasks import DELIVER, enqueue_after_commit, task
from assess.report.content import ReportInput, render_report_pdf

REPORT = "report"
NEW_LEAD = "new_lead"
# What the back office calls each kind of message ("team-<id>", "confirm-<id>" by prefix).
KIND_LABELS = {
    REPORT: _l("Report to the lead"),
    NEW_LEAD: _l("New lead notice to the consultant"),
    TEAM_KIND: _l("Team invitation"),
    CONFIRM_KIND: _l("Address confirmation"),
    meetings.MEETING_KIND: _l("Meeting invitation to the lead"),
    meetings.MEETING_CONSULTANT_KIND: _l("Meeting invitation to the consultant"),
    meetings.CANCEL_KIND: _l("Meeting cancellation to the lead"),
    meetings.CANCEL_CONSULTANT_KIND: _l("Meeting cancellation to the consultant"),
    meetings.MOVED_KIND: _l("Meeting moved, to the lead"),
    meetings.MOVED_CONSULTANT_KIND: _l("Meeting moved, to the consultant"),
    meetings.REMINDER_KIND: _l("Meeting reminder to the lead"),
    FOLLOW_UP_KIND: _l("Follow-up e-mail to the lead"),
}
# The kinds that name their message by a prefix and an id ("team-12", "meet-3").
PREFIXED_KINDS = sorted(
    (kind for kind in KIND_LABELS if kind != REPORT and kind != NEW_LEAD), key=len, reverse=True
)


def kind_label(kind: str) -> str:
    """A delivery's kind in the consultant's words ("Message" for a kind no longer sent)."""
    label = KIND_LABELS.get(kind)
    if label is None:
        prefix = next((p for p in PREFIXED_KINDS if kind.startswith(p)), None)
        label = KIND_LABELS[prefix] if prefix else _l("Message")
    return str(label)


class ReportRenderError(Exception):
    """The PDF could not be rendered; the error is recorded on the submission's report."""


def create_deliveries(submission: Submission, report: bool = True) -> list[Delivery]:
    """The outbox rows of a submission just completed (call inside its transaction); without
    `report`, the report waits for its address to be confirmed (assess/confirmation.py)."""
    config = current_app.config
    if submission.lead is None:
        raise ValueError("a completed submission has a lead")
    recipients = [(REPORT, submission.lead.email)] if report else []
    if config.get("CONSULTANT_EMAIL"):
        recipients.append((NEW_LEAD, config["CONSULTANT_EMAIL"]))
    db.session.add(ReportFile(submission_id=submission.id))
    return [queue_delivery(submission.id, kind, recipient) for kind, recipient in recipients]


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Rows the sweeper hands to the workers: pending and due, or stuck "sending"."""
    return due_ids(Delivery, limit)


@task(DELIVER, due=due_delivery_ids)
def deliver(delivery_id: int) -> Attempt:
    """One attempt at sending a delivery row; every failure is recorded on the row, which ends
    "failed" once permanent or out of attempts (never left "sending")."""
    max_attempts = current_app.config["DELIVERY_MAX_ATTEMPTS"]
    claimed = claim(Delivery, delivery_id, max_attempts)
    if claimed != CLAIMED:
        return Attempt(claimed)
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:  # deleted (GDPR) between the claim and now
        return Attempt("skipped")
    settings = settings_from_config(current_app.config, current_app.instance_path)
    try:
        _check_address(delivery.recipient)
        q = questionnaire_for(delivery.submission.questionnaire_hash)
        if is_meeting(delivery):
            outgoing = meeting_message(delivery)
        elif is_follow_up(delivery):
            outgoing = follow_up_message(q, delivery)
        elif delivery.kind == REPORT:
            outgoing = report_message(q, delivery, ensure_report(delivery.submission))
        elif delivery.kind.startswith(TEAM_KIND):
            outgoing = _team_invitation(q, delivery)
        elif delivery.kind.startswith(CONFIRM_KIND):
            outgoing = confirmation_message(q, delivery)
        else:
            outgoing = new_lead_message(q, delivery)
        message = compose(outgoing, settings.sender)
        db.session.rollback()  # no transaction stays open while SMTP talks
        send(message, settings)
    except DeliveryError as error:
        return _record_failure(delivery_id, str(error), error.permanent)
    except ReportRenderError as error:
        return _record_failure(delivery_id, f"report render failed: {error}", permanent=False)
    except Exception as error:  # a bad row (e.g. a header the mail library refuses), a bug
        current_app.logger.exception("delivery %s failed", delivery_id)
        return _record_failure(delivery_id, f"{type(error).__name__}: {error}", permanent=False)
    record_sent(Delivery, delivery_id)
    return Attempt("sent")


def _team_invitation(q: Any, delivery: Delivery) -> Any:
    invitation = _invitation_of(delivery)
    if invitation is None:
        raise DeliveryError("the invitation was withdrawn", permanent=True)
    questions = sum(len(section.questions) for section in team_sections(q))
    return team_invitation_message(q, delivery, invitation.token, questions)


def _invitation_of(delivery: Delivery) -> TeamInvitation | None:
    """The invitation a "team-<id>" delivery row sends; None when it was withdrawn or its
    address opted out since."""
    invitation = row_of_kind(TeamInvitation, delivery.kind, TEAM_KIND)
    if invitation is None or opted_out([invitation.email]):
        return None
    return invitation


def _check_address(address: str) -> None:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise DeliveryError(f"invalid address: {error}", permanent=True) from None


def _record_failure(delivery_id: int, error: str, permanent: bool) -> Attempt:
    max_attempts = current_app.config["DELIVERY_MAX_ATTEMPTS"]
    return record_failure(Delivery, delivery_id, error, permanent, max_attempts)


def report_input(submission: Submission) -> ReportInput:
    """A completed submission as the report reads it: plain data."""
    lead = submission.lead
    contact: dict[str, Any] = {}
    if lead is not None:
        contact = {
            name: getattr(lead, name)
            for name in (
                "first_name",
                "last_name",
                "email",
                "company",
                "job_title",
                "phone",
                "company_size",
                "sector",
            )
        }
    if submission.completed_at is None or submission.result is None:
        raise ReportRenderError("the submission is not completed")
    return ReportInput(
        answers=dict(submission.answers),
        result=submission.result,
        contact=contact,
        locale=submission.locale,
        completed_at=submission.completed_at,
        reference=f"#{submission.id}",
        progress=progress_of(submission),
        peers=peer_comparison(submission),
        booking_page=booking_page_url(submission),
    )


def ensure_report(submission: Submission) -> bytes:
    """The submission's PDF, rendered and stored first if it is not yet (worker only)."""
    stored = db.session.get(ReportFile, submission.id)
    if stored is not None and stored.pdf:
        return stored.pdf
    data = report_input(submission)
    db.session.rollback()
    try:
        pdf = render_report_pdf(questionnaire_for(submission.questionnaire_hash), data)
    except Exception as error:  # any failure of the renderer is recorded, then retried
        message = f"{type(error).__name__}: {error}"
        with write_transaction():
            row = db.session.get(ReportFile, submission.id) or ReportFile(
                submission_id=submission.id
            )
            row.attempts = (row.attempts or 0) + 1
            row.last_error = message[:2000]
            db.session.add(row)
        raise ReportRenderError(message) from error
    with write_transaction():
        row = db.session.get(ReportFile, submission.id) or ReportFile(submission_id=submission.id)
        row.pdf = pdf
        row.rendered_at = utcnow()
        row.attempts = (row.attempts or 0) + 1
        row.last_error = None
        db.session.add(row)
    return pdf


def report_ready(submission_id: int) -> bool:
    """Whether the PDF of a submission is rendered (without loading it)."""
    rendered = db.session.execute(
        select(ReportFile.rendered_at).where(ReportFile.submission_id == submission_id)
    ).scalar_one_or_none()
    return rendered is not None


def stored_report(submission_id: int) -> bytes | None:
    """The rendered PDF of a submission, if any."""
    return db.session.execute(
        select(ReportFile.pdf).where(ReportFile.submission_id == submission_id)
    ).scalar_one_or_none()


def resend(delivery_id: int, lead_id: int | None = None) -> bool:
    """Put a delivery back in the queue (after a failure, or to send it again) and record it in
    the audit log. With `lead_id`, only a delivery about that lead: False for another's."""
    with write_transaction():
        delivery = db.session.get(Delivery, delivery_id)
        if delivery is None:
            return False
        owner = delivery.submission.lead_id
        if lead_id is not None and owner != lead_id:
            return False
        requeue(delivery)
        enqueue_after_commit(DELIVER, [delivery_id])
        record("delivery.resend", f"delivery:{delivery_id}", {"lead": owner})
    return True


def deliveries_of(submission_id: int) -> list[Delivery]:
    """The delivery rows of a submission."""
    return list(
        db.session.execute(
            select(Delivery).where(Delivery.submission_id == submission_id).order_by(Delivery.id)
        ).scalars()
    )


def recent_deliveries(limit: int = 50) -> list[Delivery]:
    """The latest delivery rows, newest first."""
    return list(
        db.session.execute(select(Delivery).order_by(Delivery.id.desc()).limit(limit)).scalars()
    )
