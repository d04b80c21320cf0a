"""The visible link of a follow-up e-mail in Chromium: the page asks, the button stops the
e-mails, the link opened again says so (410). Every page gets the checks of page_checks.py."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from assess.db.models import Lead
from assess.extensions import db
from assess.outbox.follow_ups import unsubscribe_token
from tests.browser.page_checks import PageChecks
from tests.helpers.follow_up_records import OPT_IN, reached_lead

pytestmark = pytest.mark.browser


def test_the_executive_stops_the_follow_up_emails(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    lead_id = reached_lead(live_app, OPT_IN)
    with live_app.app_context():
        path = f"/follow-up/{unsubscribe_token(db.session.get(Lead, lead_id))}/stop"
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Arrêter les e-mails de suivi ?")
    page_checks.check(page, "unsubscribe", "fr")
    page.get_by_role("button", name="Arrêter les e-mails").click()
    expect(page.locator("h1")).to_have_text("C'est fait : plus d'e-mails de suivi")
    page_checks.check(page, "unsubscribed", "fr")
    response = page.goto(path)
    assert response is not None and response.status == 410
    expect(page.locator("h1")).to_have_text("Vous êtes déjà désinscrit")
    page_checks.check(page, "unsubscribed already", "fr")
    with live_app.app_context():
        assert db.session.get(Lead, lead_id).follow_up_stop == "unsubscribed"
