"""The consultant's availability form: saved when valid, French errors beside the fields."""

from __future__ import annotations

from datetime import date, time

from assess.core.booking_slots import Hours
from assess.tracker.booking import availability_of
from tests.helpers.backoffice_client import log_in, make_user, token_of

GOOD = {
    "day_0": "9:00-12:00, 14h-17h30",
    "day_1": "",
    "day_2": "09:00-12:00",
    "day_3": "",
    "day_4": "",
    "day_5": "",
    "day_6": "",
    "days_off": "24/12/2026\n2026-12-31",
    "meeting_minutes": "45",
    "buffer_minutes": "15",
    "notice_hours": "24",
    "horizon_days": "21",
}


def test_a_consultant_saves_their_availability(app):
    client = log_in(app)
    page = client.get("/backoffice/availability")
    assert page.status_code == 200
    assert "Mes disponibilités" in page.get_data(as_text=True)
    response = client.post(
        "/backoffice/availability", data={**GOOD, "csrf_token": token_of(client)}
    )
    assert response.status_code == 303
    with app.app_context():
        found = availability_of(make_user(app))
    assert found.weekly[0] == (Hours(time(9), time(12)), Hours(time(14), time(17, 30)))
    assert found.weekly[2] == (Hours(time(9), time(12)),)
    assert found.days_off == {date(2026, 12, 24), date(2026, 12, 31)}
    assert (found.meeting_minutes, found.buffer_minutes) == (45, 15)
    assert (found.notice_hours, found.horizon_days) == (24, 21)
    again = client.get("/backoffice/availability").get_data(as_text=True)
    assert 'value="09:00-12:00, 14:00-17:30"' in again and "24/12/2026" in again


def test_bad_input_gets_french_messages_beside_the_fields_and_keeps_what_was_typed(app):
    client = log_in(app)
    bad = {
        **GOOD,
        "day_0": "9h-midi",
        "day_2": "14:00-12:00",
        "day_4": "9-12, 11-13",
        "days_off": "le 24 décembre",
        "buffer_minutes": "beaucoup",
        "horizon_days": "0",
        "meeting_minutes": "7",
    }
    response = client.post("/backoffice/availability", data={**bad, "csrf_token": token_of(client)})
    assert response.status_code == 422
    html = response.get_data(as_text=True).replace("\u202f", " ")
    for message in (
        "Écrivez les heures ainsi : 9:00-12:00",
        "Chaque plage doit finir après son début.",
        "Deux plages de ce jour se chevauchent.",
        "Écrivez chaque jour de congé ainsi : 24/12/2026",
        'id="err-buffer_minutes">Saisissez un nombre entier.<',
        'id="err-horizon_days">Saisissez un nombre de 1 à 365.<',
        'id="err-meeting_minutes">',
    ):
        assert message in html, message
    assert 'id="err-day_0"' in html and 'value="9h-midi"' in html and "le 24 décembre" in html
    with app.app_context():
        assert availability_of(make_user(app)) is None


def test_the_page_needs_an_account(app):
    response = app.test_client().get("/backoffice/availability")
    assert response.status_code == 302 and "/backoffice/login" in response.headers["Location"]
