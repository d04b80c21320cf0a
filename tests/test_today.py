"""Whom to call today: recent completions first, then due touches ranked; pages, owners, queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from assess.db.models import Lead, Touch, User
from assess.extensions import db
from assess.tracker import today
from tests.helpers.analytics_records import counted_queries
from tests.helpers.backoffice_client import make_user
from tests.helpers.lead_records import make_lead

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
LEVELS = ["debutant", "en_progression", "structure", "performant"]


def lead(
    app: Flask, company: str, completed_days_ago: float, due_in_days: float | None, **fields: Any
) -> int:
    """A lead completed some days ago, its next touch due in some days (None: no touch)."""
    next_touch = NOW + timedelta(days=due_in_days) if due_in_days is not None else None
    return make_lead(
        app,
        company=company,
        completed_at=NOW - timedelta(days=completed_days_ago),
        next_touch_at=next_touch,
        **fields,
    )


def user(email: str, role: str = "consultant") -> User:
    found = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
    assert found.role == role
    return found


def companies(page: today.TodayPage) -> list[tuple[str, str]]:
    return [(item.section, item.lead.company) for item in page.items]


def test_recent_completions_come_first_then_due_touches_by_level_size_and_recency(app):
    make_user(app, "admin@example.com", "admin")
    lead(app, "Recent old", 1.9, 5)  # completed 46 hours ago, nothing due: still listed
    lead(app, "Recent new", 0.01, 0, level="performant")  # due too: in the recent section only
    lead(app, "Three days ago", 3, 30)  # neither recent nor due
    lead(app, "Structured small", 10, -2, level="structure", company_size="tpe")
    lead(app, "Beginner small", 10, -2, level="debutant", company_size="tpe")
    lead(app, "Beginner big older", 20, -1, level="debutant", company_size="eti")
    lead(app, "Beginner big newer", 5, -1, level="debutant", company_size="eti")
    lead(app, "Developing mid", 10, 0, level="en_progression", company_size="me")
    lead(app, "Booked", 0.5, -1, status="meeting_booked")  # the cadence stopped
    lead(app, "Won", 10, -1, status="won")
    with app.app_context():
        page = today.today_page(user("admin@example.com", "admin"), NOW, LEVELS)
    assert companies(page) == [
        ("recent", "Recent new"),
        ("recent", "Recent old"),
        ("due", "Beginner big newer"),
        ("due", "Beginner big older"),
        ("due", "Beginner small"),
        ("due", "Developing mid"),
        ("due", "Structured small"),
    ]
    assert (page.recent_count, page.due_count, page.next_cursor) == (2, 5, None)
    assert page.meetings == []


def test_each_row_has_its_next_planned_touch_and_cadence_length(app):
    make_user(app, "admin@example.com", "admin")
    lead_id = lead(app, "Acme", 10, -3, touches_done=1)
    lead(app, "No touches", 10, -1)
    with app.app_context():
        for number, (status, days) in enumerate(
            [("done", -10), ("planned", -3), ("planned", 2)], 1
        ):
            db.session.add(
                Touch(
                    lead_id=lead_id,
                    number=number,
                    channel="phone",
                    due_at=NOW + timedelta(days=days),
                    talking_point=f"point {number}",
                    status=status,
                )
            )
        db.session.commit()
        items = today.today_page(user("admin@example.com", "admin"), NOW, LEVELS).items
        acme = next(item for item in items if item.lead.id == lead_id)
        assert (acme.touch.number, acme.total, acme.due, acme.days_late) == (2, 3, True, 3)
        bare = next(item for item in items if item.lead.company == "No touches")
        assert (bare.touch, bare.total) == (None, 0)


def walk(owner: User, per_page: int) -> Iterator[today.TodayPage]:
    after = None
    while True:
        page = today.today_page(owner, NOW, LEVELS, after=after, per_page=per_page)
        yield page
        if page.next_cursor is None:
            return
        after = page.next_cursor


def test_pages_follow_each_other_without_gaps_or_repeats(app):
    make_user(app, "admin@example.com", "admin")
    for i in range(7):
        lead(app, f"Recent {i}", i * 0.25, 2)
    for i in range(16):
        lead(
            app,
            f"Due {i}",
            4 + i % 3,
            -1,
            level=LEVELS[i % 4],
            company_size=today.SIZES_BIGGEST_FIRST[i % 4],
        )
    with app.app_context():
        admin = user("admin@example.com", "admin")
        whole = companies(today.today_page(admin, NOW, LEVELS, per_page=100))
        pages = [companies(page) for page in walk(admin, 5)]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [row for p in pages for row in p] == whole
    assert len(whole) == 23 and len(set(whole)) == 23
    with app.app_context():
        capped = today.today_page(admin, NOW, LEVELS, per_page=5, count_cap=10)
    assert (capped.recent_count, capped.due_count) == (7, 11)  # 16 due: "more than 10"
    # A page straddling the two sections carries on from the one to the other.
    assert [s for s, _ in pages[1]] == ["recent", "recent", "due", "due", "due"]


def test_a_page_link_keeps_its_place_when_leads_leave_the_list(app):
    make_user(app, "admin@example.com", "admin")
    for i in range(12):
        lead(app, f"Due {i:02d}", 3 + i, -1)
    with app.app_context():
        admin = user("admin@example.com", "admin")
        first = today.today_page(admin, NOW, LEVELS, per_page=5)
        second = companies(
            today.today_page(admin, NOW, LEVELS, after=first.next_cursor, per_page=5)
        )
        # The consultant calls two leads of the first page: a meeting booked, the touch logged.
        for item in first.items[:2]:
            db.session.get(Lead, item.lead.id).status = "meeting_booked"
        db.session.commit()
        again = companies(today.today_page(admin, NOW, LEVELS, after=first.next_cursor, per_page=5))
    assert again == second  # an offset would have skipped two leads


def test_a_malformed_cursor_gives_the_first_page(app):
    make_user(app, "admin@example.com", "admin")
    lead(app, "Due", 4, -1)
    with app.app_context():
        admin = user("admin@example.com", "admin")
        for bad in (
            "",
            "x",
            "r.1",
            "d.1.2.3",
            "d.a.b.c.d",
            "r.99999999999999999999.1",
            "d.1.1.1.9999999999",
            "r.-1.2",
        ):
            assert today.parse_cursor(bad) is None
            assert companies(today.today_page(admin, NOW, LEVELS, after=bad)) == [("due", "Due")]
    assert today.parse_cursor("d.0.3.1764777600000000.42") == ("d", [0, 3, 1764777600000000, 42])


def test_consultants_see_their_leads_and_unassigned_ones_admins_everything(app):
    mine = make_user(app, "mine@example.com")
    theirs = make_user(app, "theirs@example.com")
    make_user(app, "admin@example.com", "admin")
    lead(app, "Mine recent", 0.5, 1, owner_id=mine)
    lead(app, "Theirs recent", 0.5, 1, owner_id=theirs)
    lead(app, "Nobody's due", 5, -1)
    lead(app, "Mine due", 5, -1, owner_id=mine)
    lead(app, "Theirs due", 5, -12, owner_id=theirs)
    with app.app_context():
        seen = today.today_page(user("mine@example.com"), NOW, LEVELS)
        everything = today.today_page(user("admin@example.com", "admin"), NOW, LEVELS)
    assert {c for _, c in companies(seen)} == {"Mine recent", "Nobody's due", "Mine due"}
    assert (seen.recent_count, seen.due_count, seen.stalled_count) == (1, 2, 0)
    assert len(everything.items) == 5
    assert (everything.recent_count, everything.due_count, everything.stalled_count) == (2, 3, 1)
    assert [i.lead.company for i in everything.items if i.stalled] == ["Theirs due"]


def test_queries_per_page_do_not_grow_with_the_leads(app):
    make_user(app, "mine@example.com")

    def queries() -> int:
        with app.app_context():
            owner = user("mine@example.com")
            with counted_queries(app) as statements:
                page = today.today_page(owner, NOW, LEVELS, per_page=25)
                for item in page.items:  # what the page reads of each row costs nothing more
                    assert item.lead.company and item.total >= 0
            return len(statements)

    def add(count: int, days_ago: float) -> None:
        for i in range(count):
            lead_id = lead(app, f"Lead {i}", days_ago + i % 5, -1 + i % 3)
            with app.app_context():
                db.session.add(
                    Touch(lead_id=lead_id, number=1, channel="email", due_at=NOW, status="planned")
                )
                db.session.commit()

    add(3, 0)
    add(2, 3)
    few = queries()
    add(60, 3)
    many = queries()
    # the day's meetings, the counts, the recent leads, the due leads' ids, then their rows,
    # their touches
    assert few == many == 6


def test_the_day_s_meetings_in_paris_time_come_first_for_their_consultant_and_admins(app):
    """Meetings booked today (Paris day, not UTC's) come first; a consultant sees their own."""
    from assess.db.models import Booking

    mine = make_user(app, "marc@example.com")
    theirs = make_user(app, "lea@example.com")
    make_user(app, "admin@example.com", "admin")
    late = lead(app, "Late evening", 2, None, status="meeting_booked")
    early = lead(app, "Early", 2, None, status="meeting_booked")
    other = lead(app, "Someone else's", 2, None, status="meeting_booked")
    tomorrow = lead(app, "Tomorrow", 2, None, status="meeting_booked")
    cancelled = lead(app, "Cancelled", 2, None, status="new")
    # 3 December 2026 in Paris (UTC+1) runs from 2 December 23:00 UTC to 3 December 23:00 UTC.
    slots = [
        (mine, late, datetime(2026, 12, 3, 22, 30, tzinfo=UTC), "booked"),  # 23:30 in Paris
        (mine, early, datetime(2026, 12, 2, 23, 0, tzinfo=UTC), "booked"),  # midnight in Paris
        (theirs, other, datetime(2026, 12, 3, 9, 0, tzinfo=UTC), "booked"),
        (mine, tomorrow, datetime(2026, 12, 3, 23, 0, tzinfo=UTC), "booked"),  # 4 Dec in Paris
        (mine, cancelled, datetime(2026, 12, 3, 10, 0, tzinfo=UTC), "cancelled"),
    ]
    with app.app_context():
        for consultant, lead_id, starts, status in slots:
            db.session.add(
                Booking(
                    consultant_id=consultant,
                    lead_id=lead_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=30),
                    status=status,
                )
            )
        db.session.commit()
        marc = [m.lead.company for m in today.meetings_today(user("marc@example.com"), NOW)]
        admin = [
            m.lead.company for m in today.meetings_today(user("admin@example.com", "admin"), NOW)
        ]
    assert marc == ["Early", "Late evening"]
    assert admin == ["Early", "Someone else's", "Late evening"]
