"""The leads list at scale: search index, capped count, filter menus, queries per page."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, event, select, text, update

from assess.db.database import refresh_statistics
from assess.db.models import Lead, LeadEvent, Touch
from assess.extensions import db
from assess.tracker import lead_list
from assess.tracker.lead_list import LeadFilters, filter_choices, list_leads
from assess.tracker.leads import add_note, assign_owner
from tests.helpers.backoffice_client import log_in, make_user
from tests.helpers.lead_records import make_lead
from tests.helpers.source_scan import trees
from tests.helpers.wizard_driver import complete_lead

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def found(app: Flask, text: str, **filters: object) -> list[str]:
    """The companies a search finds, newest first."""
    with app.app_context():
        page = list_leads(LeadFilters(q=text, **filters), per_page=50, now=NOW)  # type: ignore[arg-type]
        return [lead.company for lead, _ in page.rows]


def three_leads(app: Flask) -> None:
    make_lead(app, company="Petit Négoce", email="anne.petit@example.com")
    make_lead(
        app,
        company="Zorglub Équipements",
        first_name="Zéphyrine",
        last_name="Quenouille",
        email="zq@example.org",
        completed_at=datetime(2026, 10, 2, tzinfo=UTC),
    )
    make_lead(
        app,
        company="Martin SAS",
        first_name="Paul",
        last_name="Martin",
        email="paul.martin@example.net",
        completed_at=datetime(2026, 10, 3, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("négoce", ["Petit Négoce"]),  # a piece of the company, accents kept
        ("ÉQUIPEMENTS", ["Zorglub Équipements"]),  # any case
        ("zéphyrine", ["Zorglub Équipements"]),  # first name
        ("quenouil", ["Zorglub Équipements"]),  # part of the last name
        ("paul.martin@", ["Martin SAS"]),  # part of the e-mail
        ("example.", ["Martin SAS", "Zorglub Équipements", "Petit Négoce"]),
        ("ar", ["Martin SAS"]),  # shorter than the index's pieces: still found, by a scan
        ("q", ["Zorglub Équipements"]),
        ("100%_\\", []),  # wildcards are searched as nothing, never as "anything"
        ("zzzz", []),
    ],
)
def test_search_finds_a_piece_of_company_names_or_email(app, text, expected):
    three_leads(app)
    assert found(app, text) == expected


def test_search_combines_with_the_other_filters_and_sorts(app):
    three_leads(app)
    assert found(app, "example", sort="company", direction="asc") == [
        "Martin SAS",
        "Petit Négoce",
        "Zorglub Équipements",
    ]
    assert found(app, "example", sector="negoce", date_from=datetime(2026, 10, 2).date()) == [
        "Martin SAS",
        "Zorglub Équipements",
    ]


def page_by_page(app: Flask, text: str, **filters: object) -> list[str]:
    """The companies a search finds, one lead per page, every page."""
    companies: list[str] = []
    with app.app_context():
        for number in range(1, 5):
            filters_ = LeadFilters(q=text, page=number, **filters)  # type: ignore[arg-type]
            page = list_leads(filters_, per_page=1, now=NOW)
            if page.page != number:
                break
            companies += [lead.company for lead, _ in page.rows]
    return companies


def test_a_search_most_leads_match_finds_the_same_leads_read_in_order(app, monkeypatch):
    three_leads(app)
    views = [("example", {}), ("ar", {}), ("zzzz", {}), ("example", {"sector": "negoce"})]
    by_index = [page_by_page(app, text, **filters) for text, filters in views]
    assert by_index[0] == ["Martin SAS", "Zorglub Équipements", "Petit Négoce"]
    # A count limit of 1: every search counts as dense, read in order and checked lead by lead.
    monkeypatch.setattr(lead_list, "COUNT_LIMIT", 1)
    assert [page_by_page(app, text, **filters) for text, filters in views] == by_index


def test_the_search_index_follows_changes_and_deletions(app):
    three_leads(app)
    with app.app_context():
        lead = db.session.execute(select(Lead).where(Lead.company == "Martin SAS")).scalar_one()
        lead.company = "Durand Frères"
        lead.refresh_search_text()
        db.session.commit()
    assert found(app, "durand") == ["Durand Frères"]
    assert found(app, "sas") == []
    with app.app_context():
        db.session.execute(delete(Lead).where(Lead.company == "Durand Frères"))
        db.session.commit()
    assert found(app, "durand") == []
    assert found(app, "paul.martin") == []


def test_the_count_stops_at_its_limit_and_says_more(app, monkeypatch):
    for number in range(7):
        make_lead(app, company=f"Société {number}", email=f"s{number}@example.com")
    monkeypatch.setattr(lead_list, "COUNT_LIMIT", 4)
    with app.app_context():
        first = list_leads(LeadFilters(), per_page=2, now=NOW)
        assert (first.total, first.more, first.pages, first.has_next) == (4, True, 2, True)
        # a page past the limit is counted up to itself, so it exists
        third = list_leads(LeadFilters(page=3), per_page=2, now=NOW)
        assert (third.page, len(third.rows), third.has_next) == (3, 2, True)
        last = list_leads(LeadFilters(page=4), per_page=2, now=NOW)
        assert (last.page, len(last.rows), last.more, last.has_next) == (4, 1, False, False)
        few = list_leads(LeadFilters(q="société 1"), per_page=2, now=NOW)
        assert (few.total, few.more, few.has_next) == (1, False, False)
        assert list_leads(LeadFilters(page=99), per_page=2, now=NOW).page == 4


def test_the_list_page_says_more_than_when_the_count_stops(app, monkeypatch):
    for number in range(3):
        make_lead(app, company=f"Société {number}", email=f"s{number}@example.com")
    monkeypatch.setattr(lead_list, "COUNT_LIMIT", 2)
    client = app.test_client()
    log_in(app, client)
    monkeypatch.setitem(app.config, "LEADS_PER_PAGE", 1)
    text = client.get("/backoffice/leads").get_data(as_text=True)
    assert (
        "plus de 2</span>" in text and "Page 1 sur plus de 2" in text
    )  # the back office is French
    assert "page=2" in text  # a next page is offered


def test_the_filter_menus_list_each_source_and_campaign_once_in_order(app):
    make_lead(app, utm_source="linkedin", utm_campaign="automne")
    make_lead(app, utm_source="google", utm_campaign="automne")
    make_lead(app, utm_source="linkedin", utm_campaign=None)
    make_lead(app, utm_source="", utm_campaign="salon")
    with app.app_context():
        assert filter_choices() == {
            "sources": ["google", "linkedin"],
            "campaigns": ["automne", "salon"],
        }


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_of(app: Flask, client, path: str) -> int:
    with counted_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def grow(app: Flask, lead_id: int, owner_id: int, leads: int) -> None:
    """More leads with owners, and more notes, touches and events on one lead."""
    for number in range(leads):
        other = make_lead(app, company=f"Croissance {number}", email=f"c{number}@example.com")
        with app.app_context():
            assign_owner(other, owner_id, owner_id)
    with app.app_context():
        for number in range(5):
            add_note(lead_id, f"note {number}", owner_id)
            db.session.add(LeadEvent(lead_id=lead_id, kind="test", data={"n": number}))
        db.session.execute(
            update(Touch).where(Touch.lead_id == lead_id).values(due_at=NOW - timedelta(days=1))
        )
        db.session.commit()


def test_queries_per_page_do_not_grow_with_the_rows_shown(app):
    lead_id = complete_lead(app, confirm=True).lead_id
    client = app.test_client()
    owner_id = make_user(app)
    log_in(app, client)
    paths = [
        f"/backoffice/leads/{lead_id}",
        "/backoffice/leads",
        "/backoffice/leads?q=example&sort=score&direction=asc",
        "/backoffice/leads?status=new&owner=none&sort=next_touch",
    ]
    before = {path: queries_of(app, client, path) for path in paths}
    grow(app, lead_id, owner_id, leads=12)
    after = {path: queries_of(app, client, path) for path in paths}
    assert after == before
    assert before["/backoffice/leads"] <= 6, before
    # The lead, its submissions, notes, events, touches, deliveries, the consultants, the
    # previous submission (the change since then), the team's answers, the next meeting and
    # whether the report reached the lead (who sends the follow-up e-mails): one query each.
    assert before[f"/backoffice/leads/{lead_id}"] <= 14, before


def test_sqlite_planner_statistics_are_refreshed(app):
    make_lead(app)
    with app.app_context():
        refresh_statistics()  # PostgreSQL: nothing to do, autovacuum keeps them
        if db.engine.dialect.name == "sqlite":
            analysed = set(db.session.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
            assert "leads" in analysed  # an empty table gets no row


@pytest.mark.parametrize(
    "name", ["separator", "endpoint", "_method", "_external", "_anchor", "_scheme", "values"]
)
def test_a_parameter_the_list_does_not_know_never_reaches_its_links(app, name):
    """Query parameters went to url_for as they came: `separator` clashed with the export
    link's own, `endpoint` with url_for's, `_scheme` asked for an absolute URL: a 500."""
    make_lead(app, company="Petit Négoce", email="anne.petit@example.com")
    client = log_in(app)
    response = client.get(
        "/backoffice/leads", query_string={name: "zzforged", "status": "new", "sort": "score"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "zzforged" not in page and "http://" not in page.split("<main", 1)[1]
    assert "status=new" in page and "sort=score" in page  # the list's own parameters stay
    assert page.count("separator=") == 1  # only the Excel export's own
    export = client.get("/backoffice/leads/export.csv", query_string={name: "zzforged"})
    assert export.status_code == (400 if name == "separator" else 200)


def test_every_status_a_lead_can_take_has_a_label():
    """Each status the code gives a lead (`lead.status = ...`, the status named to the
    pipeline's move_lead/change_status, or returned first by a function deciding a status,
    like the touch outcomes' `_status_after`) is one of STATUSES, and each of those has its
    words: a status without a label would show as a raw id."""
    given: set[str] = set()
    for _path, tree in trees():
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and "status" in function.name:
                for node in ast.walk(function):
                    value = getattr(node, "value", None) if isinstance(node, ast.Return) else None
                    if isinstance(value, ast.Tuple) and isinstance(value.elts[0], ast.Constant):
                        given.add(value.elts[0].value)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    on_a_lead = getattr(getattr(target, "value", None), "id", None) == "lead"
                    if isinstance(target, ast.Attribute) and target.attr == "status" and on_a_lead:
                        given.add(node.value.value)
            called = getattr(getattr(node, "func", None), "id", None) or getattr(
                getattr(node, "func", None), "attr", None
            )
            if isinstance(node, ast.Call) and called in {"move_lead", "change_status"}:
                named = node.args[1] if len(node.args) > 1 else None
                named = next((k.value for k in node.keywords if k.arg == "status"), named)
                if isinstance(named, ast.Constant):
                    given.add(named.value)
    assert {"contacted", "meeting_booked", "lost"} <= given <= set(lead_list.STATUSES)
    assert set(lead_list.STATUS_LABELS) == set(lead_list.STATUSES)
