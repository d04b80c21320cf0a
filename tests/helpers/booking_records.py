"""Consultants who take meetings, and leads ready to book, written straight to the database."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask

from assess.core.booking_slots import Availability, Hours
from assess.db.models import Submission, utcnow
from assess.extensions import db
from assess.tracker.booking import save_availability
from tests.helpers.backoffice_client import make_user
from tests.helpers.lead_records import make_lead

WORKING_HOURS = (Hours(time(9), time(12)), Hours(time(14), time(17)))
# A Monday morning in winter, before the week's first slot (09:00 in Paris is 08:00 UTC).
MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
TUESDAY_NINE = MONDAY + timedelta(days=1, hours=2)  # 09:00 in Paris, 08:00 UTC


def consultant_with_hours(
    app: Flask,
    email: str = "consultant@example.com",
    days_off: frozenset[date] = frozenset(),
    **fields: int,
) -> int:
    """An account taking 30-minute meetings Monday to Friday, 9-12 and 14-17 in Paris."""
    user_id = make_user(app, email)
    availability = Availability(
        weekly={day: WORKING_HOURS for day in range(5)},
        days_off=days_off,
        notice_hours=fields.pop("notice_hours", 12),
        **fields,  # type: ignore[arg-type]
    )
    with app.app_context():
        save_availability(user_id, availability)
    return user_id


def lead_with_submission(
    app: Flask, email: str = "anne.petit@example.com", **fields: object
) -> str:
    """A lead and a completed submission; the results token."""
    lead_id = make_lead(app, email=email, **fields)
    token = secrets.token_urlsafe(24)
    with app.app_context():
        db.session.add(
            Submission(
                draft_key=secrets.token_urlsafe(24),
                public_token=token,
                status="completed",
                lead_id=lead_id,
                questionnaire_id="diagnostic",
                questionnaire_version="1",
                questionnaire_hash="0" * 64,
                locale="fr",
                answers={},
                result={},
                completed_at=utcnow(),
            )
        )
        db.session.commit()
    return token
