"""The two messages of a completed submission: the report to the lead, the consultant's news."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_decimal

from assess.forms import COMPANY_SIZE_LABELS, SECTOR_LABELS
from assess.mail import Attachment, DeliveryError, Outgoing
from assess.models import Delivery, Submission
from assess.questionnaire import Questionnaire
from assess.reassessment import link_url

# How many of the weakest areas the consultant's notification lists.
WEAKEST_AREAS = 3


def message_id(delivery: Delivery, sender: str) -> str:
    """A Message-ID fixed for a delivery row, so a resent or retried message is recognisable."""
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    digest = hashlib.sha256(f"{delivery.submission_id}:{delivery.kind}".encode()).hexdigest()[:12]
    return f"<{delivery.kind}.{delivery.submission_id}.{digest}@{domain}>"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{format_decimal(value, format='0.0')} / 100"


def _urls(submission: Submission) -> dict[str, str]:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return {
        "results_url": f"{base}/results/{submission.public_token}",
        "report_url": f"{base}/results/{submission.public_token}/report.pdf",
        "lead_url": f"{base}/backoffice/leads/{submission.lead_id}",
        "again_url": link_url(current_app.config, submission.lead) if submission.lead else "",
    }


def report_message(q: Questionnaire, delivery: Delivery, pdf: bytes) -> Outgoing:
    """To the lead, in their language: a note, the PDF, the results link, the call to action."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = submission.locale if submission.locale in q.locales else q.locale
    with force_locale(locale):
        level = next((lv for lv in q.levels if lv.id == submission.level), None)
        action = q.report.call_to_action
        context: dict[str, Any] = {
            "first_name": lead.first_name,
            "company": lead.company,
            "title": q.text(q.title, locale),
            "overall": _score(submission.overall_score),
            "level": q.text(level.label, locale) if level else "",
            "call_to_action": {"label": q.text(action.label, locale), "url": action.url}
            if action
            else None,
            "brand": current_app.config["BRAND_NAME"],
            "contact_line": current_app.config.get("BRAND_CONTACT", ""),
            **_urls(submission),
        }
        filename = f"diagnostic-{_slug(lead.company)}.pdf"
        return Outgoing(
            template="report",
            to_address=lead.email,
            to_name=lead.full_name,
            message_id=delivery.message_id,
            context=context,
            attachments=[Attachment(filename, pdf)],
        )


def new_lead_message(q: Questionnaire, delivery: Delivery) -> Outgoing:
    """To the consultant: who, how they scored, their weakest areas, where to work the lead."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = current_app.config["LANGUAGES"][0]
    with force_locale(locale):
        categories = (submission.result or {}).get("categories", {})
        scored = sorted(
            ((cid, c["score"]) for cid, c in categories.items() if c.get("score") is not None),
            key=lambda pair: pair[1],
        )
        weakest = [
            {
                "label": q.text(q.categories_by_id[cid].label, locale)
                if cid in q.categories_by_id
                else cid,
                "score": _score(score),
            }
            for cid, score in scored[:WEAKEST_AREAS]
        ]
        level = next((lv for lv in q.levels if lv.id == submission.level), None)
        context = {
            "lead": {
                "name": lead.full_name,
                "email": lead.email,
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
            **_urls(submission),
        }
        return Outgoing(
            template="new_lead",
            to_address=delivery.recipient,
            to_name=current_app.config["BRAND_NAME"],
            message_id=delivery.message_id,
            context=context,
        )


def team_invitation_message(
    q: Questionnaire, delivery: Delivery, invitation_token: str, questions: int
) -> Outgoing:
    """To a team member, in the executive's language: who asks, what, how long, the link."""
    submission = delivery.submission
    lead = submission.lead
    if lead is None:
        raise DeliveryError("the submission has no lead", permanent=True)
    locale = submission.locale if submission.locale in q.locales else q.locale
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with force_locale(locale):
        context = {
            "executive": lead.full_name,
            "company": lead.company,
            "title": q.text(q.title, locale),
            "questions": questions,
            "minutes": max(1, round(questions * 0.4)),
            "answer_url": f"{base}/team/{invitation_token}",
            "brand": current_app.config["BRAND_NAME"],
        }
        return Outgoing(
            template="team_invitation",
            to_address=delivery.recipient,
            to_name="",
            message_id=delivery.message_id,
            context=context,
        )


def _slug(text: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in text or "")
    return "-".join(part for part in cleaned.split("-") if part)[:40] or "rapport"
