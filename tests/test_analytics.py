"""The analytics figures against known data: weeks, scores, sources, pipeline, touches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from assess.core.questionnaire import Questionnaire
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import analytics
from tests.helpers.analytics_records import add_lead, add_submission, at, fresh_app, today


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    """The shipped diagnostic, without rate limits."""
    yield from fresh_app(make_app)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context, for calling the use cases directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def q(app: Flask) -> Questionnaire:
    with app.app_context():
        return current_questionnaire()


def test_parse_since():
    assert analytics.parse_since(None) is None
    assert analytics.parse_since("") is None
    assert analytics.parse_since("2025-03-04") == date(2025, 3, 4)
    with pytest.raises(analytics.InvalidPeriod):
        analytics.parse_since("04/03/2025")


# --- completions per week


def test_completions_are_counted_per_week_over_the_last_twelve_weeks(ctx):
    today = date(2025, 5, 14)  # a Wednesday; its week starts on Monday 12 May
    monday = date(2025, 5, 12)
    first = monday - timedelta(weeks=11)
    completed = {
        at(monday, 0): 1,  # the first instant of this week
        at(today): 1,
        at(monday - timedelta(days=1), 23): 1,  # Sunday night: the week before
        at(first): 1,  # the oldest week shown
        at(first - timedelta(days=1)): 1,  # too old
    }
    for moment in completed:
        add_submission(status="completed", completed_at=moment, created_at=moment)
    add_submission(status="draft", created_at=at(today))  # a draft is not a completion
    weeks = analytics.completed_per_week(today)
    assert [week.start for week in weeks] == [first + timedelta(weeks=i) for i in range(12)]
    assert all(week.start.weekday() == 0 for week in weeks)
    counts = [week.count for week in weeks]
    assert counts == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
    # From a start date: the weeks from its week on, counting only from that day.
    since = monday - timedelta(days=1)
    weeks = analytics.completed_per_week(today, since)
    assert [(w.start, w.count) for w in weeks] == [(monday - timedelta(weeks=1), 1), (monday, 2)]
    assert analytics.completed_per_week(today, today + timedelta(days=30)) == []
    # A start date years back shows a year of weeks at most.
    assert len(analytics.completed_per_week(today, date(2000, 1, 1))) == analytics.MAX_WEEKS


def test_no_completion_gives_twelve_empty_weeks(ctx):
    weeks = analytics.completed_per_week(date(2025, 1, 1))
    assert len(weeks) == 12
    assert {week.count for week in weeks} == {0}


# --- scores and levels


def test_average_scores_per_category_and_the_spread_of_levels(ctx, q):
    results = [
        (30, "debutant", {"strategie": 20.0, "digital": 50.0, "equipe": None}),
        (70, "structure", {"strategie": 60.0, "digital": 100.0, "equipe": 40.0}),
        (65.5, "structure", {"strategie": 55.0, "equipe": 10.0, "ancienne": 90.0}),
        (90, "expert", {}),
    ]
    for overall, level, categories in results:
        add_lead(
            completed_at=datetime.now(UTC),
            overall_score=overall,
            level=level,
            category_scores=categories,
        )
    add_lead(overall_score=None, category_scores=None)  # no diagnostic completed: not counted
    found = analytics.scores(q)
    averages = {c.id: (c.average, c.count) for c in found.categories}
    assert [c.id for c in found.categories] == [c.id for c in q.categories]
    assert averages["strategie"] == (45.0, 3)
    assert averages["digital"] == (75.0, 2)
    assert averages["equipe"] == (25.0, 2)
    assert averages["conversion"] == (None, 0)
    assert found.overall == pytest.approx(63.9)
    assert found.scored == 4
    levels = {level.id: level.count for level in found.levels}
    assert list(levels) == [*(level.id for level in q.levels), "expert"]
    assert levels == {
        "debutant": 1,
        "en_progression": 0,
        "structure": 2,
        "performant": 0,
        "expert": 1,
    }
    assert found.levels[-1].label is None  # a level of an older questionnaire keeps its id
    assert analytics.scores(q, today() + timedelta(days=1)).scored == 0


# --- sources and campaigns


def test_leads_by_source_and_campaign_with_the_deals_won(ctx, monkeypatch):
    rows = [
        ("linkedin", "printemps", "won"),
        ("linkedin", "printemps", "new"),
        ("linkedin", None, "won"),
        ("newsletter", "printemps", "lost"),
        (None, None, "won"),
        ("", "", "contacted"),
        ("salon", "automne", "new"),
    ]
    for source, campaign, status in rows:
        add_lead(utm_source=source, utm_campaign=campaign, status=status)
    board = analytics.dashboard(current_questionnaire(), today())
    sources = [(s.name, s.leads, s.won, s.won_rate, s.other) for s in board.sources]
    assert sources == [
        ("linkedin", 3, 2, pytest.approx(66.7), False),
        (None, 2, 1, 50.0, False),  # direct: no source, or an empty one
        ("newsletter", 1, 0, 0.0, False),
        ("salon", 1, 0, 0.0, False),
    ]
    campaigns = [(s.name, s.leads, s.won) for s in board.campaigns]
    assert campaigns == [(None, 3, 2), ("printemps", 3, 1), ("automne", 1, 0)]
    # Past the largest sources, the rest is one row.
    monkeypatch.setattr(analytics, "TOP_SOURCES", 2)
    board = analytics.dashboard(current_questionnaire(), today())
    assert [(s.name, s.leads, s.won, s.other) for s in board.sources] == [
        ("linkedin", 3, 2, False),
        (None, 2, 1, False),
        (None, 2, 0, True),
    ]


# --- the pipeline


def test_the_pipeline_counts_each_status_and_the_conversion(ctx):
    statuses = {
        "new": 4,
        "contacted": 3,
        "meeting_booked": 2,
        "proposal_sent": 1,
        "won": 2,
        "lost": 3,
    }
    for status, count in statuses.items():
        for _ in range(count):
            add_lead(status=status)
    pipe = analytics.pipeline()
    assert pipe.counts == statuses
    assert list(pipe.counts) == [
        "new",
        "contacted",
        "meeting_booked",
        "proposal_sent",
        "won",
        "lost",
    ]
    assert pipe.total == 15
    assert pipe.reached == {
        "new": 12,
        "contacted": 8,
        "meeting_booked": 5,
        "proposal_sent": 3,
        "won": 2,
    }
    assert pipe.meeting_rate == pytest.approx(33.3)  # 5 of 15
    assert pipe.won_rate == pytest.approx(13.3)  # 2 of 15
    empty = analytics.pipeline(today() + timedelta(days=1))
    assert empty.total == 0
    assert empty.meeting_rate is None and empty.won_rate is None


# --- touches


def test_touches_per_lead_against_the_seven_of_the_cadence(ctx):
    now = datetime.now(UTC)
    later = now + timedelta(days=3)
    leads = [
        (0, later, "new"),  # follow-up under way
        (1, None, "lost"),  # given up after 1 touch
        (2, None, "contacted"),  # given up after 2
        (3, None, "new"),  # given up after 3
        (3, None, "meeting_booked"),  # stopped because a meeting was booked: not given up
        (3, later, "contacted"),  # still going
        (4, None, "lost"),  # stopped after 4: not counted as given up early
        (7, None, "lost"),
        (7, None, "won"),
    ]
    for done, next_touch, status in leads:
        add_lead(completed_at=now, touches_done=done, next_touch_at=next_touch, status=status)
    add_lead(touches_done=0)  # no diagnostic completed, no cadence
    found = analytics.touches()
    assert found.distribution == [1, 1, 1, 3, 1, 0, 0, 2]
    assert found.leads == 9
    assert found.given_up == 3
    assert found.given_up_share == pytest.approx(33.3)
    assert analytics.touches(today() + timedelta(days=1)).given_up_share is None
