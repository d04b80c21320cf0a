"""The analytics page: access, the start date, its figures, its queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from assess.db import funnel
from tests.helpers.analytics_records import (
    add_lead,
    add_submission,
    counted_queries,
    fresh_app,
)
from tests.helpers.backoffice_client import log_in


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    """The shipped diagnostic, without rate limits."""
    yield from fresh_app(make_app)


# --- access


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    answer = client.get("/backoffice/analytics")
    assert answer.status_code == 302
    assert "/backoffice/login" in answer.location
    assert "next=" in answer.location and answer.location.endswith("analytics")
    assert client.get("/backoffice/analytics?since=2025-01-01").status_code == 302


def test_a_logged_in_consultant_sees_every_chart_with_its_table(app, client):
    log_in(app, client, language="en")
    page = client.get("/backoffice/analytics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # No lead yet: the source and campaign charts say so instead of drawing nothing.
    assert html.count('role="img"') == 6
    for chart in ("weeks", "funnel", "categories", "levels", "pipeline", "touches"):
        assert f'<title id="chart-{chart}-title">' in html
    assert html.count("<table") == 8
    assert "No lead in this period." in html
    assert "style=" not in html
    assert "<script" not in html
    assert 'aria-current="page"' in html


# --- the date filter


def test_a_malformed_start_date_is_refused_with_a_message(app, client):
    log_in(app, client, language="en")
    for since in ("yesterday", "2025-13-01", "2025-02-30", "2025-1-5", "20250105", "2025-W01-1"):
        page = client.get("/backoffice/analytics", query_string={"since": since})
        assert page.status_code == 400, since
        html = page.get_data(as_text=True)
        assert "YYYY-MM-DD" in html
        assert 'role="alert"' in html
        assert f'value="{since}"' in html  # given back, to correct
    page = client.get("/backoffice/analytics", query_string={"since": "<b>" + "x" * 5000})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "x" * 41 not in html  # cut short
    assert "<b>x" not in html


def test_any_calendar_date_is_accepted(app, client):
    log_in(app, client, language="en")
    for since in ("0001-01-01", "9999-12-31", "2025-02-28", " 2025-02-28 "):
        page = client.get("/backoffice/analytics", query_string={"since": since})
        assert page.status_code == 200, since
    assert 'value="2025-02-28"' in page.get_data(as_text=True)


# --- the page, against known data


def test_the_page_shows_the_figures(app, client):
    log_in(app, client, language="en")
    with app.app_context():
        now = datetime.now(UTC)
        for status in ("won", "won", "meeting_booked", "new"):
            lead = add_lead(
                utm_source="linkedin",
                utm_campaign="printemps",
                status=status,
                completed_at=now,
                overall_score=50,
                level="structure",
                category_scores={"strategie": 40.0},
                touches_done=2,
            )
            add_submission(status="completed", completed_at=now, lead_id=lead.id)
        funnel.count_view("landing", now.date())
    html = client.get("/backoffice/analytics").get_data(as_text=True)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)
    assert "linkedin" in cells
    row = cells.index("linkedin")
    assert cells[row + 1 : row + 4] == ["4", "2", "50.0 %"]
    assert "75.0 %" in html  # leads to meetings: 3 of 4
    assert "40.0" in cells  # strategie's average
    assert "Diagnostics completed" in html


def test_the_number_of_queries_does_not_grow_with_the_rows(app, client):
    log_in(app, client, language="en")

    def fill(count: int) -> None:
        with app.app_context():
            now = datetime.now(UTC)
            for i in range(count):
                lead = add_lead(
                    utm_source=f"source{i % 7}",
                    utm_campaign=f"campaign{i % 3}",
                    status=["new", "won", "lost"][i % 3],
                    completed_at=now - timedelta(days=i),
                    overall_score=i % 100,
                    level="structure",
                    category_scores={"strategie": i},
                    touches_done=i % 8,
                )
                add_submission(
                    status="completed",
                    lead_id=lead.id,
                    steps_done=["entreprise"],
                    completed_at=now - timedelta(days=i),
                )
                funnel.count_view("landing", (now - timedelta(days=i)).date())

    def queries() -> int:
        with counted_queries(app) as statements:
            assert client.get("/backoffice/analytics").status_code == 200
        return len(statements)

    fill(5)
    few = queries()
    fill(45)
    many = queries()
    assert few == many
    assert many <= 16
