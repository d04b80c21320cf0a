"""Webhooks: a signed JSON POST to every configured address when a submission is completed,
when a lead confirms its e-mail address, when a lead moves in the pipeline and when a lead
is deleted.

The event is written as one row per address in the transaction of the change it reports;
once that transaction commits, the rows go to the job queue. The worker posts each with an
HMAC-SHA256 signature, retries with backoff (connection errors, timeouts, 429, 5xx) and
records the outcome; the sweeper re-enqueues rows left behind. The payloads are documented
in docs/integrations.md ("Webhooks").
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from assess.core.result import StoredResult
from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import Booking, Lead, Submission, WebhookDelivery, aware, utcnow
from assess.extensions import db
from assess.outbox.links import public_url
from assess.outbox.rows import (
    CLAIMED,
    Attempt,
    claim,
    due_ids,
    record_failure,
    record_sent,
    requeue,
)
from assess.outbox.tasks import DELIVER_WEBHOOK, enqueue_after_commit, task
from assess.outbox.webhook_transport import (
    EVENT_HEADER,
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookError,
    check_target,
    is_http_address,
    post,
    signature,
)

SUBMISSION_COMPLETED = "submission.completed"
LEAD_STATUS_CHANGED = "lead.status_changed"
# The owner of the lead's address clicked its confirmation link: only then may another tool
# write to that address on the respondent's behalf.
LEAD_EMAIL_CONFIRMED = "lead.email_confirmed"
# A lead erased (on request or by the retention purge): its id and the time, nothing else.
LEAD_DELETED = "lead.deleted"
# The lead stopped the follow-up e-mails by their one-click link: the consultancy's other
# tools must stop e-mailing them too.
LEAD_UNSUBSCRIBED = "lead.unsubscribed"
# The executive booked a call with a consultant from the results page.
MEETING_BOOKED = "meeting.booked"
# The executive cancelled it by the link of their invitation.
MEETING_CANCELLED = "meeting.cancelled"
# They moved it to another time by the link of their invitation.
MEETING_RESCHEDULED = "meeting.rescheduled"
EVENTS = (
    SUBMISSION_COMPLETED,
    LEAD_EMAIL_CONFIRMED,
    LEAD_STATUS_CHANGED,
    LEAD_DELETED,
    LEAD_UNSUBSCRIBED,
    MEETING_BOOKED,
    MEETING_CANCELLED,
    MEETING_RESCHEDULED,
)


def configured_urls(config: Any) -> list[str]:
    """The addresses in WEBHOOK_URLS (space or comma separated)."""
    return [url for url in config["WEBHOOK_URLS"].replace(",", " ").split() if url]


def check_configuration(config: Any) -> list[str]:
    """What is wrong with the webhook settings (the app refuses to start with any)."""
    urls = configured_urls(config)
    problems = []
    if urls and not config.get("WEBHOOK_SECRET"):
        problems.append("WEBHOOK_URLS is set but WEBHOOK_SECRET is empty: posts must be signed")
    for url in urls:
        if not is_http_address(url):
            problems.append(f"WEBHOOK_URLS: {url!r} is not an http(s) address")
    return problems


def queue_event(name: str, data: dict[str, Any], lead_id: int | None) -> list[int]:
    """Write the event for every configured address in the current transaction; the rows are
    enqueued once it commits (nothing is sent for a change that is rolled back)."""
    if name not in EVENTS:
        raise ValueError(f"unknown webhook event {name!r}")
    urls = configured_urls(current_app.config)
    if not urls:
        return []
    payload = {"event": name, "occurred_at": utcnow().isoformat(), "data": data}
    rows = [WebhookDelivery(event=name, url=url, lead_id=lead_id, payload=payload) for url in urls]
    db.session.add_all(rows)
    db.session.flush()
    ids = [row.id for row in rows]
    enqueue_after_commit(DELIVER_WEBHOOK, ids)
    return ids


def init_app(app: Flask, on_error: Callable[[str], None]) -> None:
    """Check the settings (`on_error` gets every problem)."""
    problems = check_configuration(app.config)
    if problems:
        on_error("\n".join(f"configuration: {problem}" for problem in problems))


def due_webhook_ids(limit: int = 500) -> list[int]:
    """Webhook rows the sweeper hands to the workers."""
    return due_ids(WebhookDelivery, limit)


@task(DELIVER_WEBHOOK, due=due_webhook_ids)
def deliver_webhook(row_id: int) -> Attempt:
    """One attempt at posting a webhook row; every failure is recorded on the row, which ends
    "failed" once permanent or out of attempts (never left "sending")."""
    config = current_app.config
    max_attempts = config["WEBHOOK_MAX_ATTEMPTS"]
    claimed = claim(WebhookDelivery, row_id, max_attempts)
    if claimed != CLAIMED:
        return Attempt(claimed)
    row = db.session.get(WebhookDelivery, row_id)
    if row is None:  # the lead was deleted meanwhile
        return Attempt("skipped")
    body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
    url, name = row.url, row.event
    db.session.rollback()  # no transaction stays open during the POST
    try:
        target = check_target(url, config["WEBHOOK_ALLOW_PRIVATE"])
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "webleads-tracker-webhooks/1",
            EVENT_HEADER: name,
            ID_HEADER: str(row_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(config["WEBHOOK_SECRET"], timestamp, body),
        }
        status = post(target, body, headers, config["WEBHOOK_TIMEOUT"])
    except WebhookError as error:
        return record_failure(
            WebhookDelivery,
            row_id,
            str(error),
            error.permanent,
            max_attempts,
            last_status_code=error.status,
        )
    except Exception as error:  # a bug or a bad row: recorded and retried like the rest
        current_app.logger.exception("webhook %s failed", row_id)
        message = f"{type(error).__name__}: {error}"
        return record_failure(WebhookDelivery, row_id, message, False, max_attempts)
    record_sent(WebhookDelivery, row_id, last_status_code=status)
    return Attempt("sent")


def resend_webhook(row_id: int) -> bool:
    """Put a webhook row back in the queue (after a failure, or to post it again), recorded in
    the audit log; False when there is no such row."""
    with write_transaction():
        row = db.session.get(WebhookDelivery, row_id)
        if row is None:
            return False
        requeue(row)
        enqueue_after_commit(DELIVER_WEBHOOK, [row_id])
        record("webhook.resend", f"webhook:{row_id}", {"event": row.event, "url": row.url})
    return True


def recent_webhooks(limit: int = 50) -> list[WebhookDelivery]:
    """The latest webhook rows, newest first."""
    return list(
        db.session.execute(
            select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
        ).scalars()
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _links(lead: Lead, submission: Submission | None = None) -> dict[str, str]:
    links = {"backoffice": public_url("backoffice.lead", lead_id=lead.id)}
    if submission is not None and submission.public_token:
        links["results"] = public_url("results.show", token=submission.public_token)
    return links


def lead_data(lead: Lead) -> dict[str, Any]:
    """The lead as every payload shows it; `email_confirmed` says whether its owner confirmed
    the address (an unconfirmed one was typed by whoever took the diagnostic)."""
    return {
        "id": lead.id,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "email_confirmed": lead.email_confirmed_at is not None,
        "phone": lead.phone,
        "company": lead.company,
        "job_title": lead.job_title,
        "company_size": lead.company_size,
        "sector": lead.sector,
        "locale": lead.locale,
        "marketing_opt_in": lead.marketing_opt_in,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "status": lead.status,
        "created_at": _iso(lead.created_at),
    }


def submission_completed(submission: Submission, lead: Lead) -> list[int]:
    """Queue the completed-submission event."""
    result = StoredResult.from_json(submission.result)
    data = {
        "submission": {
            "id": submission.id,
            "completed_at": _iso(submission.completed_at),
            "locale": submission.locale,
            "questionnaire": {
                "id": submission.questionnaire_id,
                "version": submission.questionnaire_version,
            },
            "overall_score": result.overall,
            "level": result.level,
            "categories": {
                cid: {"score": found.score, "level": found.level}
                for cid, found in result.categories.items()
            },
            "recommendations": list(result.recommendations),
        },
        "lead": lead_data(lead),
        "links": _links(lead, submission),
    }
    return queue_event(SUBMISSION_COMPLETED, data, lead.id)


def lead_email_confirmed(lead: Lead, submission: Submission, changed: bool) -> list[int]:
    """Queue the confirmed-address event: the lead (its address now confirmed), the
    submission whose link was clicked, and whether the address replaced another."""
    data = {
        "confirmation": {
            "confirmed_at": _iso(lead.email_confirmed_at),
            "email_changed": changed,
            "submission_id": submission.id,
        },
        "lead": lead_data(lead),
        "links": _links(lead, submission),
    }
    return queue_event(LEAD_EMAIL_CONFIRMED, data, lead.id)


def lead_status_changed(
    lead: Lead, previous: str, changed_by: str | None, source: str = "backoffice"
) -> list[int]:
    """Queue the pipeline-change event: `changed_by` is the consultant's address (none when
    nobody signed in moved the lead), `source` where the change came from."""
    data = {
        "change": {
            "from": previous,
            "to": lead.status,
            "lost_reason": lead.lost_reason,
            "changed_at": _iso(lead.status_changed_at),
            "changed_by": changed_by,
            "source": source,
        },
        "lead": lead_data(lead),
        "links": _links(lead),
    }
    return queue_event(LEAD_STATUS_CHANGED, data, lead.id)


def lead_deleted(lead_id: int) -> list[int]:
    """Queue the erasure event (inside the deletion's transaction, after the lead's rows are
    gone): the lead's id and the time only, so the other tools can erase their copy."""
    data = {"lead": {"id": lead_id}, "deleted_at": utcnow().isoformat()}
    return queue_event(LEAD_DELETED, data, None)


def lead_unsubscribed(lead: Lead) -> list[int]:
    """Queue the unsubscribe event (inside its transaction): the lead and when."""
    data = {
        "lead": lead_data(lead),
        "links": _links(lead),
        "unsubscribed_at": _iso(lead.follow_up_stopped_at),
    }
    return queue_event(LEAD_UNSUBSCRIBED, data, lead.id)


def meeting_booked(booking: Booking) -> list[int]:
    """Queue the booked-meeting event: the meeting (UTC times, its iCalendar UID), the
    consultant it is with, the lead."""
    return queue_event(MEETING_BOOKED, _meeting_data(booking), booking.lead_id)


def meeting_cancelled(booking: Booking) -> list[int]:
    """Queue the cancelled-meeting event (the same data, status "cancelled")."""
    return queue_event(MEETING_CANCELLED, _meeting_data(booking), booking.lead_id)


def meeting_rescheduled(booking: Booking) -> list[int]:
    """Queue the moved-meeting event (the meeting at its new time, SEQUENCE raised)."""
    return queue_event(MEETING_RESCHEDULED, _meeting_data(booking), booking.lead_id)


def _meeting_data(booking: Booking) -> dict[str, Any]:
    lead = booking.lead
    return {
        "meeting": {
            "id": booking.id,
            "uid": booking.uid,
            "starts_at": _iso(aware(booking.starts_at)),
            "ends_at": _iso(aware(booking.ends_at)),
            "status": booking.status,
            "booked_at": _iso(aware(booking.created_at)),
            "cancelled_at": _iso(aware(booking.cancelled_at)) if booking.cancelled_at else None,
            "sequence": booking.sequence,
        },
        "consultant": {"id": booking.consultant.id, "email": booking.consultant.email},
        "lead": lead_data(lead),
        "links": _links(lead),
    }
