"""Leads whose follow-up e-mails can go: reached by their report, with touches coming due."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from assess.db.database import write_transaction
from assess.db.models import Delivery, Submission, Touch, aware
from assess.extensions import db
from assess.outbox.delivery import REPORT
from assess.outbox.follow_ups import FOLLOW_UP_KIND
from assess.outbox.messages import queue_delivery
from tests.helpers.cadence_records import touches_of
from tests.helpers.wizard_driver import complete_lead

ALWAYS = {"FOLLOW_UP_HOURS": "mon-sun 00:00-24:00", "FOLLOW_UP_SKIP_PUBLIC_HOLIDAYS": False}
OPT_IN = {"marketing_opt_in": "y"}


def reached_lead(app: Flask, contact: dict[str, Any] | None = None) -> int:
    """A lead who completed the diagnostic and whose report e-mail was sent."""
    submission = complete_lead(app, "artisan_tpe", contact=contact)
    with app.app_context(), write_transaction():
        report = db.session.execute(
            select(Delivery).where(Delivery.submission_id == submission.id, Delivery.kind == REPORT)
        ).scalar_one_or_none()
        if report is None:
            report = queue_delivery(submission.id, REPORT, "claire.dubois@example.com")
        report.status = "sent"
    return int(submission.lead_id)


def email_touch(lead_id: int, number: int = 5) -> Touch:
    [touch] = [t for t in touches_of(lead_id) if t.number == number]
    assert touch.channel == "email"
    return touch


def after(touch: Touch, hours: int = 1) -> datetime:
    return aware(touch.due_at) + timedelta(hours=hours)


def follow_ups(lead_id: int) -> list[Delivery]:
    return list(
        db.session.execute(
            select(Delivery)
            .join(Submission, Submission.id == Delivery.submission_id)
            .where(Submission.lead_id == lead_id, Delivery.kind.startswith(FOLLOW_UP_KIND))
        ).scalars()
    )
