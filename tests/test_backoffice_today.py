"""The today page, the touch log by its buttons, the lead page's cadence block, the iCal feed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from assess.db.models import Lead, Touch, User
from assess.extensions import db
from assess.outbox.links import public_url
from assess.tracker import accounts, cadence
from tests.helpers.backoffice_client import log_in, make_user
from tests.helpers.cadence_records import snapshot, touches_of
from tests.helpers.lead_records import make_lead
from tests.helpers.wizard_driver import complete_lead, csrf_token

FORM = re.compile(
    r'<form method="post" action="(/backoffice/leads/\d+/touches/\d+)">(.*?)</form>', re.S
)


def shift_touches(app: Flask, lead_id: int, days: float) -> None:
    """Move a lead's whole cadence in time, as if it had been completed `days` earlier."""
    with app.app_context():
        for touch in touches_of(lead_id):
            touch.due_at = cadence.aware(touch.due_at) - timedelta(days=days)
        lead = db.session.get(Lead, lead_id)
        lead.next_touch_at = cadence.aware(lead.next_touch_at) - timedelta(days=days)
        lead.completed_at = cadence.aware(lead.completed_at) - timedelta(days=days)
        db.session.commit()


def age_completion(app: Flask, lead_id: int, days: float) -> None:
    """Move the completion back in time, the cadence left as it is."""
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.completed_at = cadence.aware(lead.completed_at) - timedelta(days=days)
        db.session.commit()


def touch_forms(html: str) -> dict[str, str]:
    """The outcome forms of a page: action -> form body."""
    return {action: body for action, body in FORM.findall(html)}


@pytest.fixture
def three_leads(app: Flask) -> dict[str, int]:
    """A lead due today, one three days overdue, one not due yet; none completed lately
    (three people: one address makes one lead)."""
    leads = {
        "today": complete_lead(
            app,
            "artisan_tpe",
            contact={"company": "Menuiserie Aujourd'hui", "email": "menuiserie@example.com"},
        ).lead_id,
        "late": complete_lead(
            app,
            "pme_industrielle",
            contact={"company": "Usinage En Retard", "email": "usinage@example.com"},
        ).lead_id,
        "later": complete_lead(
            app, "startup_tech", contact={"company": "Plus Tard SAS", "email": "tard@example.com"}
        ).lead_id,
    }
    shift_touches(app, leads["late"], 3)
    shift_touches(app, leads["later"], -5)
    age_completion(app, leads["today"], 3)
    age_completion(app, leads["later"], 8)
    return leads


def test_anonymous_visitors_are_sent_to_the_login(app):
    client = app.test_client()
    for path in ("/backoffice/today", "/backoffice/leads/1/brief"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/backoffice/login" in response.location
    token = csrf_token(client.get("/backoffice/login"))
    response = client.post(
        "/backoffice/leads/1/touches/1", data={"outcome": "reached", "csrf_token": token}
    )
    assert response.status_code == 302 and "/backoffice/login" in response.location
    assert (
        client.post("/backoffice/leads/1/touches/1", data={"outcome": "reached"}).status_code == 400
    )


def test_today_lists_touches_due_and_overdue_only(app, three_leads):
    html = log_in(app, language="en").get("/backoffice/today").get_data(as_text=True)
    assert "Menuiserie Aujourd&#39;hui" in html
    assert "Usinage En Retard" in html
    assert "Plus Tard SAS" not in html
    assert "Overdue by 3 days" in html
    assert html.count("Due today") == 1
    # The late lead's touches 1 and 2 are both past: only the first still planned is listed.
    assert html.count("Next step: touch 1/7") == 2 and "touch 2/7" not in html
    assert len(touch_forms(html)) == 2
    for body in touch_forms(html).values():
        assert [v for v in re.findall(r'name="outcome" value="(\w+)"', body)] == list(
            cadence.OUTCOMES
        )
        assert 'name="csrf_token"' in body and 'name="note"' in body
    with app.app_context():
        feed = db.session.execute(select(User.calendar_token)).scalar_one()
        assert public_url("backoffice.calendar_feed", token=feed) in html


def test_a_touch_is_logged_in_two_clicks(app, three_leads):
    client = log_in(app, language="en")
    page = client.get("/backoffice/today")  # click 1: the touch's "Log this touch"
    with app.app_context():
        first_id = touches_of(three_leads["today"])[0].id
    action = f"/backoffice/leads/{three_leads['today']}/touches/{first_id}"
    assert action in touch_forms(page.get_data(as_text=True))
    response = client.post(  # click 2: the outcome button
        action,
        data={
            "csrf_token": csrf_token(page),
            "next": "/backoffice/today",
            "outcome": "left_message",
            "note": "Message vocal",
        },
    )
    assert response.status_code == 303
    assert response.location.endswith("/backoffice/today")
    with app.app_context():
        touch = db.session.get(Touch, first_id)
        lead = db.session.get(Lead, three_leads["today"])
        assert (touch.status, touch.outcome, touch.note) == (
            "done",
            "left_message",
            "Message vocal",
        )
        assert (lead.status, lead.touches_done) == ("contacted", 1)
    html = client.get("/backoffice/today").get_data(as_text=True)
    assert "Touch logged." in html
    assert "Menuiserie Aujourd&#39;hui" not in html  # touch 2 is due in two days


def test_the_lead_page_shows_the_cadence_and_logs_the_next_touch(app, three_leads):
    client = log_in(app, language="en")
    lead_id = three_leads["late"]
    page = client.get(f"/backoffice/leads/{lead_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="cadence"' in html
    for number in range(1, 8):
        assert f"{number}/7</th>" in html
    assert "3 days late" in html and "1 day late" in html  # touches 1 and 2 are past
    forms = touch_forms(html)
    with app.app_context():
        touches = touches_of(lead_id)
    assert list(forms) == [f"/backoffice/leads/{lead_id}/touches/{touches[0].id}"]
    response = client.post(
        next(iter(forms)),
        data={
            "csrf_token": csrf_token(page),
            "outcome": "meeting_booked",
            "next": "//evil.example",
        },
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/backoffice/leads/{lead_id}")
    html = client.get(response.location).get_data(as_text=True)
    assert html.count("Cancelled") == 6 and "Meeting booked" in html
    assert touch_forms(html) == {}


def test_bad_touch_posts_are_refused_and_change_nothing(app, three_leads):
    client = log_in(app, language="en")
    lead_id, other_id = three_leads["today"], three_leads["late"]
    page = client.get(f"/backoffice/leads/{lead_id}")
    token = csrf_token(page)
    with app.app_context():
        mine, theirs = touches_of(lead_id)[0].id, touches_of(other_id)[0].id
        before = snapshot(lead_id), snapshot(other_id)

    def post(touch_id: int, **data: str) -> tuple[int, str]:
        response = client.post(
            f"/backoffice/leads/{lead_id}/touches/{touch_id}", data={"csrf_token": token, **data}
        )
        return response.status_code, response.get_data(as_text=True)

    assert post(theirs, outcome="reached")[0] == 404  # another lead's touch
    assert post(999_999, outcome="reached")[0] == 404
    status, html = post(mine, outcome="sold")
    assert status == 400 and "Choose one of the outcome buttons." in html
    status, html = post(mine, outcome="reached", note="x" * 2001)
    assert status == 422 and "Keep the note to 2,000 characters." in html
    assert 'id="cadence"' in html  # the lead page again, with the message
    # ...whose form returns to the lead page, not to the POST's address (a GET there: 405)
    assert f'name="next" value="/backoffice/leads/{lead_id}"' in html
    status, html = post(mine, outcome="reached", note="x" * 2001, next="/backoffice/today?page=2")
    assert status == 422 and 'id="due"' in html
    assert 'name="next" value="/backoffice/today?page=2"' in html
    assert "/touches/" not in html.split('name="next" value="')[1].split('"')[0]
    assert (
        client.post(
            f"/backoffice/leads/999999/touches/{mine}",
            data={"csrf_token": token, "outcome": "reached"},
        ).status_code
        == 404
    )
    with app.app_context():
        assert (snapshot(lead_id), snapshot(other_id)) == before
    assert post(mine, outcome="reached")[0] == 303
    with app.app_context():
        done = snapshot(lead_id)
    status, html = post(mine, outcome="no_answer")
    assert status == 409 and "already logged" in html
    with app.app_context():
        assert snapshot(lead_id) == done


@pytest.mark.parametrize("number", ["3000000000", "99999999999999999999"])
def test_ids_past_the_columns_range_are_not_found(app, number):
    client = log_in(app, language="en")
    token = csrf_token(client.get("/backoffice/today"))
    assert client.get(f"/backoffice/leads/{number}/brief").status_code == 404
    for path in (f"/backoffice/leads/{number}/touches/1", f"/backoffice/leads/1/touches/{number}"):
        response = client.post(path, data={"csrf_token": token, "outcome": "reached"})
        assert response.status_code == 404


def unfold(body: str) -> list[str]:
    """RFC 5545 content lines: CRLF ends each, a leading space continues the previous one."""
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    return body[:-2].replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_the_calendar_feed_follows_rfc_5545(app):
    company = 'Dupont; Fils, \\ "Cie"'
    lead_id = complete_lead(app, "artisan_tpe", contact={"company": company}).lead_id
    log_in(app, language="en")
    long_point = "Évoquer la prospection régulière, " * 8 + "puis conclure.\nDeuxième ligne; fin."
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        token = user.calendar_token
        first_id = touches_of(lead_id)[0].id
        db.session.execute(
            update(Touch).where(Touch.id == first_id).values(talking_point=long_point)
        )
        db.session.commit()
    client = app.test_client()  # the feed is public: the token is the secret
    response = client.get(f"/backoffice/calendar/{token}.ics?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data(as_text=True)
    raw_lines = body[:-2].split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw_lines)
    assert any(line.startswith(" ") for line in raw_lines)  # the long description was folded
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 7
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == 7 and uids[0] == f"UID:touch-{first_id}@127.0.0.1"
    assert sum(line.startswith("DTSTAMP:") for line in lines) == 7
    starts = [line for line in lines if line.startswith("DTSTART;VALUE=DATE:")]
    assert len(starts) == 7 and all(re.fullmatch(r"DTSTART;VALUE=DATE:\d{8}", s) for s in starts)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == 'SUMMARY:Touch 1/7 – E-mail – Dupont\\; Fils\\, \\\\ "Cie"'
    assert unescape(summary.removeprefix("SUMMARY:")).endswith(company)
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    text = unescape(description.removeprefix("DESCRIPTION:"))
    with app.app_context():
        assert text == f"{long_point}\n\n{public_url('backoffice.lead', lead_id=lead_id)}"
    again = unfold(client.get(f"/backoffice/calendar/{token}.ics?lang=en").get_data(as_text=True))
    assert [line for line in again if line.startswith("UID:")] == uids  # stable per touch


def test_the_feed_leaves_out_touches_beyond_sixty_days_and_logged_ones(app):
    lead_id = complete_lead(app, "artisan_tpe").lead_id
    shift_touches(app, lead_id, -40)  # touches now due from day 40 to day 70
    log_in(app, language="en")
    with app.app_context():
        token = db.session.execute(select(User.calendar_token)).scalar_one()
    lines = unfold(
        app.test_client().get(f"/backoffice/calendar/{token}.ics").get_data(as_text=True)
    )
    assert lines.count("BEGIN:VEVENT") == 5  # days 40, 42, 45, 49, 54; not 61 nor 70


def test_unknown_or_disabled_feed_tokens_are_not_found(app):
    log_in(app, language="en")
    client = app.test_client()
    assert client.get("/backoffice/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/backoffice/calendar/{'x' * 300}.ics").status_code == 404
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        token = user.calendar_token
        accounts.set_active(user.id, False)
    assert client.get(f"/backoffice/calendar/{token}.ics").status_code == 404


def test_today_puts_recent_completions_first_with_score_level_and_a_tel_link(app, three_leads):
    recent = complete_lead(
        app,
        "artisan_tpe",
        contact={"company": "Tout Juste Finie", "phone": "07.98.76.54.32"},
    ).lead_id
    with app.app_context():
        db.session.get(Lead, three_leads["late"]).phone = "appelez le standard"
        db.session.commit()
        score = round(db.session.get(Lead, recent).overall_score)
    html = log_in(app, language="en").get("/backoffice/today").get_data(as_text=True)
    assert html.index('id="recent"') < html.index("Tout Juste Finie") < html.index('id="due"')
    assert html.index('id="due"') < html.index("Usinage En Retard")
    assert html.count("Tout Juste Finie") == 1  # due too, but listed once
    assert f"<strong>{score}/100</strong>" in html
    assert '<a class="tel" href="tel:+33798765432">07 98 76 54 32</a>' in html
    assert "<span>appelez le standard</span>" in html and 'href="tel:appelez' not in html
    assert html.count('href="tel:+33798765432"') == 1


def test_today_pages_after_the_last_lead_shown_and_comes_back_there(app):
    now = cadence.utcnow()
    for i in range(30):
        make_lead(
            app,
            company=f"Société {i:02d}",
            completed_at=now - timedelta(days=5, minutes=i),
            next_touch_at=now - timedelta(hours=1),
        )
    client = log_in(app, language="en")
    first = client.get("/backoffice/today").get_data(as_text=True)
    assert first.count('<li class="') == 25 and "Page 1 of 2" in first
    assert "Société 00" in first and "Société 25" not in first
    link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert link is not None
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('<li class="') == 5 and "Page 2 of 2" in second
    assert "Société 25" in second and "Société 24" not in second
    assert 'rel="next"' not in second and "First page" in second


def test_a_touch_logged_on_page_two_brings_the_consultant_back_to_page_two(app):
    now = cadence.utcnow()
    for i in range(27):
        lead_id = make_lead(
            app,
            company=f"Entreprise {i:02d}",
            completed_at=now - timedelta(days=5, minutes=i),
            next_touch_at=now - timedelta(hours=1),
        )
        with app.app_context():
            db.session.add(
                Touch(lead_id=lead_id, number=1, channel="phone", due_at=now, status="planned")
            )
            db.session.commit()
    client = log_in(app, language="en")
    first = client.get("/backoffice/today").get_data(as_text=True)
    link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    page = client.get(link)
    second = page.get_data(as_text=True)
    assert "Entreprise 25" in second and "Entreprise 26" in second
    action, body = next(iter(touch_forms(second).items()))
    assert f'name="next" value="{link.replace("&", "&amp;")}"' in body
    response = client.post(
        action, data={"csrf_token": csrf_token(page), "next": link, "outcome": "reached"}
    )
    assert response.status_code == 303 and response.location.endswith(link)
    after = client.get(link).get_data(as_text=True)
    assert "Entreprise 25" not in after and "Entreprise 26" in after  # 2nd page, one less


def test_a_consultant_sees_their_leads_and_unassigned_ones_on_today(app):
    mine = make_user(app, "consultant@example.com")
    theirs = make_user(app, "other@example.com")
    now = cadence.utcnow()
    for company, owner in (("Ma Société", mine), ("Sa Société", theirs), ("Sans Maître", None)):
        make_lead(
            app,
            company=company,
            owner_id=owner,
            completed_at=now - timedelta(days=4),
            next_touch_at=now - timedelta(days=1),
        )
    html = log_in(app, language="en").get("/backoffice/today").get_data(as_text=True)
    assert "Ma Société" in html and "Sans Maître" in html and "Sa Société" not in html
    admin = log_in(app, role="admin", language="en").get("/backoffice/today")
    assert "Sa Société" in admin.get_data(as_text=True)
