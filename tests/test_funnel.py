"""Counting landing page views: one upsert per view, safe under concurrency, never fatal."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from assess.db import funnel
from assess.db.models import FunnelCount
from assess.extensions import db


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context, for calling the counter directly."""
    with app.app_context():
        yield
        db.session.remove()


def test_each_visitors_landing_view_adds_one_to_todays_count(ctx):
    funnel.record_landing_view({})
    funnel.record_landing_view({})
    seen: dict[str, str] = {}
    funnel.record_landing_view(seen)
    funnel.record_landing_view(seen)  # the same visitor again: not counted
    funnel.count_view("landing", date(2025, 1, 1))
    rows = {
        (row.day, row.step): row.count for row in db.session.execute(select(FunnelCount)).scalars()
    }
    assert rows == {(datetime.now(UTC).date(), "landing"): 3, (date(2025, 1, 1), "landing"): 1}


def test_concurrent_landing_views_are_all_counted(app):
    threads, views = 8, 15
    errors: list[BaseException] = []

    def visit() -> None:
        try:
            with app.app_context():
                for _ in range(views):
                    funnel.count_view("landing", date(2025, 6, 1))
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=visit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with app.app_context():
        total = db.session.execute(select(FunnelCount.count)).scalar_one()
    assert total == threads * views


def test_a_database_error_never_fails_the_landing_page(ctx, monkeypatch, caplog):
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "execute", broken)
    with caplog.at_level(logging.ERROR, logger="assess.db.funnel"):
        funnel.record_landing_view({})  # no exception
    assert "could not count a landing page view" in caplog.text
    monkeypatch.undo()
    assert db.session.execute(select(FunnelCount)).first() is None


def test_a_visitor_reloading_the_landing_page_is_counted_once(app):
    visitor, other = app.test_client(), app.test_client()
    for _ in range(5):
        assert visitor.get("/").status_code == 200
    assert other.get("/").status_code == 200
    with app.app_context():
        counts = db.session.execute(select(FunnelCount.count)).scalars().all()
    assert counts == [2]
