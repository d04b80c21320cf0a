"""From the score to the meeting in Chromium: the executive follows the results page's call to
action, picks a time on the built-in booking page and reads the confirmation; the consultant
finds the meeting at the top of the lead page, with the call-prep brief.

Every page gets the checks of page_checks.py (and the Nu HTML Checker afterwards)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess.db.models import Booking, Lead
from assess.extensions import db
from tests.browser.page_checks import PageChecks
from tests.helpers.backoffice_client import PASSWORD
from tests.helpers.booking_records import consultant_with_hours
from tests.helpers.wizard_driver import complete_lead

pytestmark = pytest.mark.browser


def test_the_executive_books_a_call_from_the_results_page(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    consultant_with_hours(live_app, "booking-consultant@example.com")
    submission = complete_lead(live_app, "pme_industrielle")
    page.goto(f"/results/{submission.public_token}")
    # The button leads to the public address (PUBLIC_URL), the same path as the live server's.
    href = page.locator(".call-to-action a.button").first.get_attribute("href") or ""
    path = f"/results/{submission.public_token}/call"
    assert href.endswith(path), href
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Réservez votre échange")
    page_checks.check(page, "booking", "fr")
    first = page.locator('input[name="slot"]').first
    chosen = first.get_attribute("value")
    first.check()
    page.locator(".booking-form button[type=submit]").click()
    page_checks.check(page, "booked", "fr")
    with live_app.app_context():
        booking = db.session.execute(
            select(Booking).where(Booking.lead_id == submission.lead_id)
        ).scalar_one()
        lead = db.session.get(Lead, submission.lead_id)
        assert lead is not None and lead.status == "meeting_booked"
        assert booking.status == "booked" and chosen

    page.goto("/backoffice/login")
    page.fill("#email", "booking-consultant@example.com")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/backoffice/leads/{submission.lead_id}")
    block = page.locator("#meeting")
    expect(block.locator("h2")).to_have_text("Prochain rendez-vous")
    expect(block).to_contain_text("30 minutes")
    expect(block).to_contain_text("avec booking-consultant")
    page_checks.check(page, "lead with a meeting", "fr")
    block.get_by_role("link", name="Fiche de préparation d'appel").click()
    expect(page.locator("h1")).to_contain_text("Fiche de préparation d'appel")
