"""The messages about a submission: the report to the lead, the consultant's news, the team
invitations, and the confirmation of the address a respondent typed.

Subjects are fixed texts: they may name the consultancy (BRAND_NAME) or a computed score,
never anything a respondent typed. Nothing but a confirmation goes to an address before its
owner confirms it (assess/confirmation.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_decimal

from assess.core.action_plan import focus_of
from assess.core.questionnaire import Questionnaire
from assess.core.result import StoredResult
from assess.db.models import AddressConfirmation, Delivery, Submission, utcnow
from assess.db.previous_results import previous_submission
from assess.extensions import db
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS, format_day
from assess.outbox.links import booking_page_url, link_url, public_url
from assess.outbox.mail import Attachment, DeliveryError, Outgoing
from assess.outbox.tasks import DELIVER, enqueue_after_commit
from assess.report.content import branding_from_config
from assess.report.plan import localized
from assess.report.publication import call_to_action

# How many of the weakest areas the consultant's notification lists.
WEAKEST_AREAS = 3
# Delivery kind of a confirmation e-mail: "confirm-<address confirmation id>".
CONFIRM_KIND = "confirm-"
# Delivery kind of a team invitation: "team-<invitation id>".
TEAM_KIND = "team-"


def message_id(delivery: Delivery, sender: str) -> str:
    """A Message-ID fixed for a delivery row, so a resent or retried message is recognisable."""
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    digest = hashlib.sha256(f"{delivery.submission_id}:{delivery.kind}".encode()).hexdigest()[:12]
    return f"<{delivery.kind}.{delivery.submission_id}.{digest}@{domain}>"


def queue_delivery(submission_id: int, kind: str, recipient: str) -> Delivery:
    """An outbox row due now, with its fixed Message-ID, written in the current transaction
    and handed to the worker once it commits."""
    row = Delivery(
        submission_id=submission_id,
        kind=kind,
        recipient=recipient,
        status="pending",
        message_id="",
        next_attempt_at=utcnow(),
    )
    row.message_id = message_id(row, current_app.config["MAIL_FROM"])
    db.session.add(row)
    db.session.flush()
    enqueue_after_commit(DELIVER, [row.id])
    return row


def row_of_kind(model: Any, kind: str, prefix: str) -> Any:
    """The row a "<prefix><id>" delivery kind names (a confirmation, an invitation), if any."""
    raw = kind.removeprefix(prefix)
    return db.session.get(model, int(raw)) if raw.isascii() and raw.isdigit() else None


def _locale_of(q: Questionnaire, submission: Submission) -> str:
    """The respondent's language, when the questionnaire speaks it."""
    return submission.locale if submission.locale in q.locales else q.locale


def _score(value: float | None) -> str:
    return "–" if value is None else f"{format_decimal(value, format='0.0')} / 100"


def _urls(submission: Submission) -> dict[str, str]:
    return {
        "results_url": public_url("results.show", token=submission.public_token),
        "report_url": public_url("results.report_pdf", token=submission.public_token),
        "lead_url": public_url("backoffice.lead", lead_id=submission.lead_id),
        "again_url": link_url(submission.lead) if submission.lead else "",
    }


def report_message(q: Questionnaire, delivery: Delivery, pdf: bytes) -> Outgoing:
    """To the lead, in their language: a note, the PDF, the results link, the call to action."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = _locale_of(q, submission)
    with force_locale(locale):
        level = q.levels_by_id.get(submission.level or "")
        result = StoredResult.from_json(submission.result)
        context: dict[str, Any] = {
            "first_name": lead.first_name,
            "company": lead.company,
            "title": q.text(q.title, locale),
            "overall": _score(submission.overall_score),
            "level": q.text(level.label, locale) if level else "",
            "call_to_action": call_to_action(
                q,
                current_app.config["CALL_TO_ACTION_URL"],
                lambda label: q.text(label, locale),
                booking_page_url(submission),
            ),
            "weakest": focus_area(q, result, locale),
            "priorities": priorities_of(result, locale),
            "sender": sender_of(locale),
            **_urls(submission),
        }
        filename = f"diagnostic-{_slug(lead.company)}.pdf"
        return Outgoing(
            template="report",
            to_address=lead.email,
            to_name=lead.full_name,
            message_id=delivery.message_id,
            context=context,
            locale=locale,
            attachments=[Attachment(filename, pdf)],
            reply_to=current_app.config["CONSULTANT_EMAIL"] or None,
        )


# How many priorities the report e-mail names, each with its first action.
PRIORITIES = 3


def _areas(q: Questionnaire, result: StoredResult, n: int, locale: str) -> list[dict[str, str]]:
    """The n weakest scored areas, labelled in `locale`, with their scores."""
    return [
        {
            "label": q.text(q.categories_by_id[area.id].label, locale)
            if area.id in q.categories_by_id
            else area.id,
            "score": _score(area.score),
        }
        for area in result.weakest(n)
    ]


def focus_area(q: Questionnaire, result: StoredResult, locale: str) -> dict[str, str] | None:
    """The area the plan starts with, labelled, with its score (what the call is about)."""
    focus = focus_of(q, result)
    if focus is None or focus not in q.categories_by_id:
        return None
    return {
        "label": q.text(q.categories_by_id[focus].label, locale),
        "score": _score(result.score_of(focus)),
    }


def priorities_of(result: StoredResult, locale: str) -> list[dict[str, str]]:
    """The first recommendations of the plan, most urgent first, each with its first action."""
    found = []
    for fired in result.explanation.get("recommendations", [])[:PRIORITIES]:
        actions = fired.get("actions") or []
        first = localized(actions[0].get("what"), locale) if actions else ""
        found.append({"title": localized(fired.get("title"), locale), "first_action": first})
    return found


def sender_of(locale: str) -> dict[str, str]:
    """Who signs the respondent's e-mails: the consultant when named, and the consultancy."""
    branding = branding_from_config(current_app.config)
    return {
        "name": branding.consultant_name,
        "credentials": branding.consultant_credentials.get(locale, ""),
        "brand": branding.name,
        "contact_line": branding.contact_line,
    }


def new_lead_message(q: Questionnaire, delivery: Delivery) -> Outgoing:
    """To the consultant: who, how they scored, their weakest areas, where to work the lead."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = current_app.config["LANGUAGES"][0]
    with force_locale(locale):
        result = StoredResult.from_json(submission.result)
        weakest = _areas(q, result, WEAKEST_AREAS, locale)
        level = q.levels_by_id.get(submission.level or "")
        previous = previous_submission(submission)
        context = {
            "lead": {
                "name": lead.full_name,
                "email": submission.pending_email or lead.email,
                "email_confirmed": submission.pending_email is None,
                "phone": lead.phone or "",
                "job_title": lead.job_title,
                "company": lead.company,
                "size": str(COMPANY_SIZE_LABELS.get(lead.company_size, lead.company_size)),
                "sector": str(SECTOR_LABELS.get(lead.sector, lead.sector)),
                "source": " / ".join(
                    v for v in (lead.utm_source, lead.utm_medium, lead.utm_campaign) if v
                ),
            },
            "overall": _score(submission.overall_score),
            "level": q.text(level.label, locale) if level else "",
            "weakest": weakest,
            "brand": current_app.config["BRAND_NAME"],
            # A returning lead (one person, one lead): when they last answered.
            "answered_before": format_day(previous.completed_at) if previous else "",
            **_urls(submission),
        }
        return Outgoing(
            template="new_lead",
            to_address=delivery.recipient,
            to_name=current_app.config["BRAND_NAME"],
            message_id=delivery.message_id,
            context=context,
            locale=locale,
        )


def team_invitation_message(
    q: Questionnaire, delivery: Delivery, invitation_token: str, questions: int
) -> Outgoing:
    """To a team member, in the executive's language: who asks (their confirmed address), what,
    how long, the link, and how to report an invitation they did not expect."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = _locale_of(q, submission)
    with force_locale(locale):
        # Who asked is the executive's confirmed address: invitations are sent only once it is
        # confirmed, and nothing they typed (name, company) reaches a stranger's mailbox.
        context = {
            "asker": lead.email,
            "title": q.text(q.title, locale),
            "questions": questions,
            "minutes": max(1, round(questions * 0.4)),
            "answer_url": public_url("team.answer", token=invitation_token),
            "unwanted_url": public_url("confirmation.unwanted", token=invitation_token),
            "brand": current_app.config["BRAND_NAME"],
        }
        return Outgoing(
            template="team_invitation",
            to_address=delivery.recipient,
            to_name="",
            message_id=delivery.message_id,
            context=context,
            locale=locale,
        )


def confirmation_message(q: Questionnaire, delivery: Delivery) -> Outgoing:
    """To an address typed in the wizard: a fixed text and the link that confirms it."""
    found = row_of_kind(AddressConfirmation, delivery.kind, CONFIRM_KIND)
    if found is None:
        raise DeliveryError("the confirmation was withdrawn", permanent=True)
    submission = delivery.submission
    locale = _locale_of(q, submission)
    with force_locale(locale):
        return Outgoing(
            template="confirm_address",
            to_address=delivery.recipient,
            to_name="",
            message_id=delivery.message_id,
            context={
                "confirm_url": public_url("confirmation.ask", token=found.token),
                "days": current_app.config["CONFIRM_LINK_DAYS"],
                "brand": current_app.config["BRAND_NAME"],
            },
            locale=locale,
        )


def _slug(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text or "")
    return "-".join(part for part in cleaned.split("-") if part)[:40] or "rapport"
