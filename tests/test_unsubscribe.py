"""The one-click unsubscribe (RFC 8058) and the page of its visible link: a signed link, one
effect, no CSRF token needed for the mail provider's POST, refusals that change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from assess.db.models import Lead, LeadEvent, Touch, WebhookDelivery
from assess.extensions import db
from assess.outbox import follow_ups
from assess.tracker import gdpr
from tests.helpers.database import empty_tables
from tests.helpers.follow_up_records import ALWAYS, OPT_IN, reached_lead

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def stop_app(make_app) -> Iterator[Flask]:
    application = make_app(**ALWAYS)
    yield application
    empty_tables(application)


def link_of(app: Flask, lead_id: int) -> str:
    with app.app_context():
        token = follow_ups.unsubscribe_token(db.session.get(Lead, lead_id))
    return f"/follow-up/{token}/stop"


def state(app: Flask, lead_id: int) -> tuple[str | None, int, int]:
    """The lead's stop, its unsubscribe events, its planned e-mail touches."""
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        events = db.session.execute(
            select(func.count(LeadEvent.id)).where(LeadEvent.kind == "follow_up.unsubscribed")
        ).scalar_one()
        planned = db.session.execute(
            select(func.count(Touch.id)).where(
                Touch.lead_id == lead_id, Touch.status == "planned", Touch.channel == "email"
            )
        ).scalar_one()
        return lead.follow_up_stop, events, planned


def test_opening_the_link_only_asks(stop_app):
    lead_id = reached_lead(stop_app, OPT_IN)
    before = state(stop_app, lead_id)
    page = stop_app.test_client().get(link_of(stop_app, lead_id))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Arrêter les e-mails de suivi" in body and 'method="post"' in body
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert state(stop_app, lead_id) == before


def test_the_one_click_post_needs_no_form_token_and_has_one_effect(stop_app):
    lead_id = reached_lead(stop_app, OPT_IN)
    link = link_of(stop_app, lead_id)
    client = stop_app.test_client()  # no cookie, no CSRF token: as a mail provider posts
    first = client.post(link, data=ONE_CLICK)
    assert first.status_code == 200
    assert "plus d'e-mails de suivi" in first.get_data(as_text=True)
    assert state(stop_app, lead_id) == ("unsubscribed", 1, 0)
    again = client.post(link, data=ONE_CLICK)
    assert again.status_code == 410
    assert "déjà désinscrit" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert state(stop_app, lead_id) == ("unsubscribed", 1, 0)


def test_forged_expired_and_orphan_links_change_nothing(stop_app, monkeypatch):
    lead_id = reached_lead(stop_app, OPT_IN)
    link = link_of(stop_app, lead_id)
    before = state(stop_app, lead_id)
    client = stop_app.test_client()
    forged = link.replace("/stop", "").rstrip("/")[:-3] + "xyz/stop"
    for path in (forged, "/follow-up/not-a-token/stop"):
        assert client.get(path).status_code == 404
        assert client.post(path, data=ONE_CLICK).status_code == 404
    monkeypatch.setattr(follow_ups, "UNSUBSCRIBE_LINK_DAYS", -1)
    expired = client.post(link, data=ONE_CLICK)
    assert expired.status_code == 410 and "expiré" in expired.get_data(as_text=True)
    assert state(stop_app, lead_id) == before
    monkeypatch.undo()
    with stop_app.app_context():
        assert gdpr.delete_lead(lead_id)
    assert client.post(link, data=ONE_CLICK).status_code == 404


def test_the_other_tools_hear_of_it_once(make_app):
    hooks = {"WEBHOOK_URLS": "https://crm.example.com/hook", "WEBHOOK_SECRET": "s" * 32}
    application = make_app(**ALWAYS, **hooks)
    try:
        lead_id = reached_lead(application, OPT_IN)
        link = link_of(application, lead_id)
        client = application.test_client()
        assert client.post(link, data=ONE_CLICK).status_code == 200
        assert client.post(link, data=ONE_CLICK).status_code == 410
        with application.app_context():
            rows = [
                row
                for row in db.session.execute(select(WebhookDelivery)).scalars()
                if row.event == "lead.unsubscribed"
            ]
            assert len(rows) == 1
            data = rows[0].payload["data"]
            assert data["lead"]["id"] == lead_id and data["unsubscribed_at"]
    finally:
        empty_tables(application)
