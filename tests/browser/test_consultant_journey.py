"""A consultant works a lead in Chromium: log in, filter, open, log a touch, move it, export.

Run in both languages; every page gets the checks of page_checks.py, and the call-prep
brief is also printed (print media): the screen furniture goes, the brief stays.
"""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.page_checks import PageChecks
from tests.helpers.backoffice_client import PASSWORD, make_user
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import complete, questionnaire

pytestmark = pytest.mark.browser

CONSULTANT = "consultant@example.com"
COMPANIES = {"pme_industrielle": "Dubois Équipements", "artisan_tpe": "Martin Rénovation"}
LAST_NAMES = {"pme_industrielle": "Dubois", "artisan_tpe": "Martin"}


@pytest.fixture
def two_leads(live_app: Flask) -> dict[str, str]:
    """Two respondents completed the diagnostic (through the form contract); a consultant exists."""
    for name, company in COMPANIES.items():
        data = persona(name)
        contact = {
            **data["contact"],
            "company": company,
            "last_name": LAST_NAMES[name],
            "email": f"{name}@example.com",
            # the industrial firm accepts follow-up e-mails, the craftsman does not
            **({"marketing_opt_in": "y"} if name == "pme_industrielle" else {}),
        }
        complete(live_app.test_client(), questionnaire(live_app), data["answers"], contact)
    make_user(live_app, CONSULTANT, name="Camille Conseil")
    return COMPANIES


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_consultant_logs_in_filters_opens_logs_a_touch_moves_and_exports(
    page: Page, two_leads: dict[str, str], page_checks: PageChecks, lang: str
) -> None:
    company = two_leads["pme_industrielle"]
    page.goto(f"/language/{lang}?next=/backoffice/login")
    page_checks.check(page, "login", lang)
    page.fill("#email", CONSULTANT)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    page_checks.check(page, "leads", lang)

    page.fill("#f-q", "Dubois")
    page.locator("form.filters button[type=submit]").click()
    assert "q=Dubois" in page.url, "the filters are in the address"
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(company)
    page_checks.check(page, "leads filtered", lang)

    rows.first.get_by_role("link", name=company).click()
    expect(page.locator("h1")).to_contain_text(company)
    expect(page.locator("svg.radar")).to_be_visible()
    page_checks.check(page, "lead", lang)

    _log_a_touch(page)
    page_checks.check(page, "lead after a touch", lang)
    follow_up = page.locator(".follow-up")
    expect(follow_up).to_have_attribute("data-state", "automatic")
    follow_up.locator("button[value=pause]").click()
    expect(page.locator(".follow-up")).to_have_attribute("data-state", "paused")
    expect(page.locator(".follow-up button[value=resume]")).to_be_visible()
    page_checks.check(page, "lead with its follow-up e-mails paused", lang)
    page.select_option("#l-status", "proposal_sent")
    page.locator("#l-status").locator("xpath=ancestor::form").locator("button").click()
    expect(page.locator("#l-status")).to_have_value("proposal_sent")
    moved = {"fr": "Proposition envoyée", "en": "Proposal sent"}[lang]
    expect(page.locator(".timeline")).to_contain_text(moved)  # in words, not "proposal_sent"
    expect(page.locator(".timeline")).not_to_contain_text("proposal_sent")

    _call_prep_brief_prints(page, page_checks, lang)
    for path, name in (("/backoffice/today", "today"), ("/backoffice/analytics", "analytics")):
        page.goto(path)
        page_checks.check(page, name, lang)

    page.goto("/backoffice/leads?q=Dubois")
    with page.expect_download() as download:
        page.locator('a[href*="export.csv"]').first.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert len(exported) == 1 and company in exported[0].values()


def _log_a_touch(page: Page) -> None:
    """Two clicks: open the touch, pick the outcome; the next touch comes due."""
    done_before = page.locator("#cadence").inner_text()
    page.locator("details.touch-log summary").first.click()
    page.locator('details.touch-log button[name="outcome"][value="no_answer"]').click()
    expect(page.locator("#cadence")).not_to_have_text(done_before)
    expect(page.locator("#cadence tbody tr").first).to_contain_text("1/7")
    assert page.locator("#cadence tbody tr").first.locator("details").count() == 0


def _call_prep_brief_prints(page: Page, page_checks: PageChecks, lang: str) -> None:
    """The brief on screen, then as printed: no header, no buttons, the content kept."""
    page.locator('a[href$="/brief"]').click()
    page_checks.check(page, "call-prep brief", lang)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".no-print").first).to_be_hidden()
    expect(page.locator("#openers")).to_be_visible()
    page.screenshot(path=page_checks.folder / "screens" / f"brief-{lang}-print.png", full_page=True)
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()
