"""The public booking page: free slots by day in Paris time, a booking, the refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from assess.db.models import Booking, Lead
from assess.extensions import db
from tests.helpers.booking_records import consultant_with_hours, lead_with_submission
from tests.helpers.database import empty_tables
from tests.helpers.production import FILLED_IN
from tests.helpers.wizard_driver import complete_lead, csrf_token

SLOT = re.compile(r'name="slot" value="([0-9T:\-]+Z)"')


def slots_of(html: str) -> list[str]:
    return SLOT.findall(html)


def test_the_page_lists_free_slots_by_day_in_french_and_books_one(app):
    consultant_with_hours(app, "claire@example.com")
    token = lead_with_submission(app)
    client = app.test_client()
    page = client.get(f"/results/{token}/call")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Réservez votre échange" in html
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi) \d{1,2} \w+ 20\d\d", html)
    values = slots_of(html)
    assert values
    first = datetime.strptime(values[0], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert first >= datetime.now(UTC) + timedelta(hours=12)
    response = client.post(
        f"/results/{token}/call", data={"slot": values[0], "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert "Votre échange est réservé" in done.get_data(as_text=True)
    with app.app_context():
        found = db.session.execute(select(Booking)).scalar_one()
        assert found.starts_at.replace(tzinfo=UTC) == first
        assert db.session.execute(select(Lead.status)).scalar_one() == "meeting_booked"
    # Once booked, the page shows the meeting rather than the slots.
    assert client.get(f"/results/{token}/call").status_code == 303


def test_forged_taken_and_past_slots_are_refused_with_the_free_slots(app):
    consultant_with_hours(app)
    token = lead_with_submission(app, "first@example.com")
    other = lead_with_submission(app, "second@example.com")
    client = app.test_client()
    page = client.get(f"/results/{token}/call")
    values = slots_of(page.get_data(as_text=True))
    csrf = csrf_token(page)
    cases = [
        ("<script>", 422, "Veuillez choisir l'un des horaires ci-dessous."),
        ("2020-01-06T08:00Z", 422, "Cet horaire n'est plus proposé."),
        # off the grid: ten past the hour (the first slot may start at :00 or at :30)
        (values[0][:-3] + "10Z", 422, "Cet horaire n'est plus proposé."),
    ]
    for value, status, message in cases:
        response = client.post(f"/results/{token}/call", data={"slot": value, "csrf_token": csrf})
        html = response.get_data(as_text=True)
        assert response.status_code == status, value
        assert message in html.replace("&#39;", "'"), value
        assert slots_of(html) == values
    other_client = app.test_client()
    other_page = other_client.get(f"/results/{other}/call")
    assert (
        other_client.post(
            f"/results/{other}/call", data={"slot": values[0], "csrf_token": csrf_token(other_page)}
        ).status_code
        == 303
    )
    response = client.post(f"/results/{token}/call", data={"slot": values[0], "csrf_token": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Quelqu'un vient de réserver cet horaire." in html.replace("&#39;", "'")
    assert values[0] not in slots_of(html)
    with app.app_context():
        assert len(db.session.execute(select(Booking)).all()) == 1


def test_an_unknown_results_address_is_not_found(app):
    assert app.test_client().get("/results/nope/call").status_code == 404


def test_without_any_availability_the_page_says_so(app):
    token = lead_with_submission(app)
    html = app.test_client().get(f"/results/{token}/call").get_data(as_text=True)
    assert "Aucun horaire n'est libre pour le moment." in html.replace("&#39;", "'")


def test_with_an_outside_scheduler_the_buttons_go_there_prefilled(make_app):
    app = make_app(BOOKING_URL="https://cal.cabinet-martin.fr/30min?utm=diag")
    try:
        token = lead_with_submission(app)
        client = app.test_client()
        response = client.get(f"/results/{token}/call")
        assert response.status_code == 303
        assert response.headers["Location"] == (
            "https://cal.cabinet-martin.fr/30min?utm=diag&name=Anne+Petit"
            "&email=anne.petit%40example.com"
        )
        with app.app_context():
            assert db.session.execute(select(Booking)).first() is None
    finally:
        empty_tables(app)


def test_production_refuses_a_placeholder_booking_url(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(APP_ENV="production", **{**FILLED_IN, "BOOKING_URL": "https://example.com/x"})
    errors = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in errors] == ["BOOKING_URL"]


def test_the_results_page_button_leads_to_the_outside_scheduler_when_set(make_app):
    app = make_app(BOOKING_URL="https://cal.cabinet-martin.fr/30min")
    try:
        submission = complete_lead(app, "artisan_tpe")
        page = app.test_client().get(f"/results/{submission.public_token}")
        html = page.get_data(as_text=True)
        assert 'href="https://cal.cabinet-martin.fr/30min?name=' in html
        assert f"/results/{submission.public_token}/call" not in html
    finally:
        empty_tables(app)


def test_booking_posts_past_the_limit_get_the_french_429_page_and_book_nothing(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_BOOKING="2 per hour",
        RATELIMIT_STORAGE_URI="process-memory://",
    )
    try:
        consultant_with_hours(app)
        token = lead_with_submission(app)
        client = app.test_client()
        page = client.get(f"/results/{token}/call")  # the page itself is not limited
        values, csrf = slots_of(page.get_data(as_text=True)), csrf_token(page)
        codes = [
            client.post(
                f"/results/{token}/call", data={"slot": "forged", "csrf_token": csrf}
            ).status_code
            for _ in range(2)
        ]
        refused = client.post(
            f"/results/{token}/call", data={"slot": values[0], "csrf_token": csrf}
        )
        assert codes == [422, 422] and refused.status_code == 429
        html = refused.get_data(as_text=True)
        assert "Trop de tentatives" in html and 'lang="fr"' in html
        assert int(refused.headers["Retry-After"]) <= 3600
        with app.app_context():
            assert db.session.execute(select(Booking)).first() is None
            assert db.session.execute(select(Lead.status)).scalar_one() == "new"
        # The cancel and move links' posts are limited the same way (each its own count).
        for path in ("/meeting/forged/cancel", "/meeting/forged/move"):
            codes = [client.post(path, data={"csrf_token": csrf}).status_code for _ in range(3)]
            assert codes == [404, 404, 429], (path, codes)
        assert client.get("/meeting/forged/move").status_code == 404  # reading is not limited
    finally:
        empty_tables(app)
