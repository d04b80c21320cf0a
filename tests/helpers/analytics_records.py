"""Analytics test helpers: records with known values, a query counter."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import event

from assess.db.models import Lead, Submission
from assess.extensions import db

_serial = itertools.count()


def fresh_app(make_app: Any) -> Iterator[Flask]:
    """The shipped diagnostic without rate limits (logins and starts add up); emptied after."""
    application = make_app(RATELIMIT_ENABLED=False)
    yield application
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def today() -> date:
    """Today in UTC, as the dashboard counts days."""
    return datetime.now(UTC).date()


def at(day: date, hour: int = 12) -> datetime:
    """An instant of that day, in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add_lead(**values: Any) -> Lead:
    """A lead with known values, committed."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "email": f"lead{n}@example.com",
        "first_name": "Claire",
        "last_name": f"Dubois {n}",
        "company": f"Société {n}",
        "job_title": "Dirigeante",
        "company_size": "pe",
        "sector": "industrie",
        "locale": "fr",
        "consent_at": datetime.now(UTC),
        "consent_text_version": "v1",
        **values,
    }
    lead = Lead(**fields)
    db.session.add(lead)
    db.session.commit()
    return lead


def add_submission(**values: Any) -> Submission:
    """A submission with known values, committed."""
    fields: dict[str, Any] = {
        "draft_key": f"key-{next(_serial)}",
        "status": "draft",
        "questionnaire_id": "diag",
        "questionnaire_version": "1",
        "questionnaire_hash": "h",
        "locale": "fr",
        "answers": {},
        "steps_done": [],
        **values,
    }
    submission = Submission(**fields)
    db.session.add(submission)
    db.session.commit()
    return submission


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
