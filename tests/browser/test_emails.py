"""Each e-mail to a respondent, as a phone shows it: Chromium renders its HTML part at 375 px;
then the results page of the same respondent.

The respondent typed the longest, least friendly values the form accepts: a company name
and a challenge of 2,000 characters without a space, right-to-left text and emoji. Nothing
may push the message wider than the screen, and the button stays whole and on screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from assess.db.database import write_transaction
from assess.db.models import Delivery, Submission, TeamInvitation, Touch
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.outbox import messages
from assess.outbox.follow_ups import FOLLOW_UP_KIND, follow_up_message
from assess.outbox.mail import compose
from assess.outbox.messages import TEAM_KIND, queue_delivery
from tests.browser.page_checks import PHONE, assert_no_horizontal_scroll
from tests.helpers.database import empty_tables
from tests.helpers.paths import ROOT
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import complete, confirm_address, invite_team

pytestmark = pytest.mark.browser

UNBROKEN = "Établissements" * 140  # 2,000 characters or so, no space to wrap at
HOSTILE = {
    "company": ("שלום עולם 🚀📈 " + UNBROKEN)[:200],
    "first_name": "Éloïse🚀" + "x" * 40,
    "last_name": "مرحبا" * 10,
    "email": "eloise@example.com",
}


@pytest.fixture
def composed(live_app: Flask, live_server: str) -> Any:
    """The HTML part of each message about one hostile submission, by kind, and its results
    page (the live server is set up first: it hooks the app before any request)."""
    with live_app.app_context():
        q = current_questionnaire()
    client = live_app.test_client()
    answers = {**persona("negoce_historique")["answers"], "main_challenge": UNBROKEN[:500]}
    page, _ = complete(client, q, answers, HOSTILE)
    assert page.status_code == 200
    token = page.request.path.rsplit("/", 1)[-1]
    assert invite_team(client, token, "vendeur@example.com").status_code == 303
    confirm_address(live_app, HOSTILE["email"])
    found = {"results_path": f"/results/{token}"}
    with live_app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        # the cadence's fifth touch (an e-mail) as the worker writes it when it comes due
        fifth = db.session.execute(
            select(Touch).where(Touch.lead_id == submission.lead_id, Touch.number == 5)
        ).scalar_one()
        with write_transaction():
            queue_delivery(submission.id, f"{FOLLOW_UP_KIND}{fifth.id}", HOSTILE["email"])
        for row in db.session.execute(select(Delivery)).scalars():
            if row.kind == "report":
                outgoing = messages.report_message(q, row, b"%PDF-1.7")
            elif row.kind.startswith(TEAM_KIND):
                invitation = db.session.get(TeamInvitation, int(row.kind.removeprefix(TEAM_KIND)))
                assert invitation is not None
                outgoing = messages.team_invitation_message(q, row, invitation.token, 5)
            elif row.kind.startswith(FOLLOW_UP_KIND):
                outgoing = follow_up_message(q, row)
            elif row.kind == "new_lead":
                continue  # to the consultant, read on a desk
            else:
                outgoing = messages.confirmation_message(q, row)
            message = compose(outgoing, "DC Pilot <diagnostic@example.com>")
            found[row.kind.split("-")[0]] = message.get_body(("html",)).get_content()
        assert submission.lead is not None
    yield found
    empty_tables(live_app)


def test_each_email_reads_on_a_phone_with_its_button_whole(browser: Browser, composed):
    composed = {k: v for k, v in composed.items() if k != "results_path"}
    assert set(composed) == {"report", "team", "confirm", "follow"}
    folder = ROOT / "test-output" / "browser" / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": PHONE, "height": 800})
    page = context.new_page()
    for kind, html in sorted(composed.items()):
        page.set_content(html)
        assert_no_horizontal_scroll(page, f"e-mail {kind}")
        button = page.locator("td[bgcolor] a").first
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, kind
        assert box["height"] >= 40, f"{kind}: the button is a comfortable target"
        page.screenshot(path=folder / f"email-{kind}-{PHONE}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=folder / f"email-{kind}-1280.png", full_page=True)
        page.set_viewport_size({"width": PHONE, "height": 800})
    context.close()


def test_the_results_page_of_the_same_texts_keeps_to_the_screen(page: Page, composed, page_checks):
    response = page.goto(composed["results_path"])
    assert response is not None and response.status == 200
    expect(page.locator(".call-to-action").first).to_be_visible()
    page_checks.check(page, "results, hostile texts", "fr")  # no sideways scroll at 375 px
