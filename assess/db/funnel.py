"""Counting landing page views per day: the top of the completion funnel.

Each visitor counts once a day, however often the page is reloaded: a flag in the
visitor's session says the day it was counted.

One row per day and step, incremented in place by an upsert (INSERT ... ON
CONFLICT DO UPDATE), so concurrent views never lose a count and never collide on
the primary key, on SQLite (inside BEGIN IMMEDIATE) as on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from assess.db.database import dialect_insert, write_transaction
from assess.db.models import FunnelCount
from assess.extensions import db

LANDING_STEP = "landing"
# The visitor's session key holding the day (ISO) their landing view was counted.
COUNTED_KEY = "landing_counted"

log = logging.getLogger(__name__)


def _upsert(step: str, day: date) -> sqlite.Insert | postgresql.Insert:
    statement = dialect_insert(FunnelCount).values(day=day, step=step, count=1)
    return statement.on_conflict_do_update(
        index_elements=[FunnelCount.day, FunnelCount.step],
        set_={"count": FunnelCount.count + 1},
    )


def count_view(step: str, day: date) -> None:
    """Add one view of `step` on `day`, in a write transaction of its own (raises on error)."""
    with write_transaction():
        db.session.execute(_upsert(step, day))


def record_landing_view(visitor: MutableMapping[str, Any]) -> None:
    """Count this visitor's first landing page view today (UTC), marking `visitor` (their
    session) as counted; a database error is logged, never raised."""
    today = datetime.now(UTC).date()
    if visitor.get(COUNTED_KEY) == today.isoformat():
        return
    try:
        count_view(LANDING_STEP, today)
    except SQLAlchemyError:
        # Losing a count is better than losing the visitor: the page still shows.
        log.exception("could not count a landing page view")
        return
    visitor[COUNTED_KEY] = today.isoformat()
