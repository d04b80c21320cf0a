"""The pages beyond the diagnostic in Chromium: team view, re-assessment, the admin's
embedding and webhook pages, and the diagnostic embedded in another site's page.

Every page gets the checks of page_checks.py (and the Nu HTML Checker afterwards).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from werkzeug.serving import make_server

from assess.db.models import AddressConfirmation, Lead, TeamInvitation, utcnow
from assess.extensions import db
from assess.outbox.links import link_token, public_url
from assess.web.embedding import snippet
from tests.browser.page_checks import PageChecks
from tests.helpers.backoffice_client import PASSWORD, make_user
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.ports import free_port
from tests.helpers.wizard_driver import complete_lead

pytestmark = pytest.mark.browser


def test_the_executive_invites_the_team_and_a_member_answers(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    submission = complete_lead(live_app)
    page.goto(f"/results/{submission.public_token}")
    page.get_by_role("link", name="Inviter votre équipe").click()
    page_checks.check(page, "team", "fr")
    page.fill("#emails", "alice@example.com\npas-une-adresse")
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#emails")).to_have_value("alice@example.com\npas-une-adresse")
    page_checks.check(page, "team-refused", "fr")
    page.fill("#emails", "alice@example.com\nbob@example.com")
    page.get_by_role("button", name="Envoyer les invitations").click()
    # the executive's address is not confirmed yet: the invitations wait for it
    expect(page.get_by_role("status")).to_contain_text("2 invitations enregistrées")
    with live_app.app_context():
        token = db.session.execute(select(TeamInvitation.token)).scalars().first()
    page.goto(f"/team/{token}")
    page_checks.check(page, "team-member", "fr")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page_checks.check(page, "team-member-refused", "fr")
    with live_app.app_context():
        db.session.execute(
            update(TeamInvitation)
            .where(TeamInvitation.token == token)
            .values(answers={}, answered_at=utcnow())
        )
        db.session.commit()
    page.goto(f"/team/{token}")
    expect(page.locator("main")).to_contain_text("Vos réponses sont déjà enregistrées")
    page_checks.check(page, "team-member-already", "fr")


def test_the_respondent_confirms_their_address_and_an_invitee_reports_the_invitation(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    submission = complete_lead(live_app)
    page.goto(f"/results/{submission.public_token}")
    expect(page.locator("#report")).to_contain_text("Confirmez votre adresse")
    page_checks.check(page, "results-waiting", "fr")
    page.get_by_role("button", name="Renvoyer le lien de confirmation").click()
    expect(page.get_by_role("status")).to_contain_text("Un nouveau lien est en route.")
    with live_app.app_context():
        token = (
            db.session.execute(
                select(AddressConfirmation.token).order_by(AddressConfirmation.id.desc())
            )
            .scalars()
            .first()
        )
    page.goto(f"/confirm/{token}")
    page_checks.check(page, "confirm", "fr")
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.locator("h1")).to_have_text("Votre adresse est confirmée")
    page_checks.check(page, "confirmed", "fr")
    page.get_by_role("link", name="Voir vos résultats").click()
    page.get_by_role("link", name="Inviter votre équipe").click()
    page.fill("#emails", "alice@example.com")
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.get_by_role("status")).to_contain_text("1 invitation envoyée")
    with live_app.app_context():
        invitation = db.session.execute(select(TeamInvitation.token)).scalars().first()
    page.goto(f"/team/{invitation}/unwanted")
    page_checks.check(page, "unwanted", "fr")
    page.get_by_role("button", name="Signaler et ne plus recevoir d'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("c'est noté")
    page_checks.check(page, "unwanted-reported", "fr")


def test_the_executive_comes_back_to_take_the_diagnostic_again(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    submission = complete_lead(live_app)
    with live_app.app_context():
        lead = db.session.get(Lead, submission.lead_id)
        assert lead is not None
        token = link_token(live_app.config["SECRET_KEY"], lead.link_key)
    page.goto(f"/again/{token}")
    page_checks.check(page, "again", "fr")
    page.get_by_role("button", name="Commencer le diagnostic").click()
    expect(page).to_have_url(re.compile(r"/step/"))


def test_links_that_lead_nowhere_and_a_diagnostic_finished_elsewhere_say_so(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    page.goto("/again/not-a-token")
    expect(page.locator("h1")).to_have_text("Ce lien n'est plus valide")
    page_checks.check(page, "link invalid", "fr")
    page.goto("/finished")
    expect(page.locator("h1")).to_have_text("Ce diagnostic est terminé")
    page_checks.check(page, "finished elsewhere", "fr")
    page.goto("/step/entreprise")  # no draft in this browser
    page_checks.check(page, "no draft", "fr")


def test_the_admin_finds_the_embedding_code_and_the_webhooks(
    page: Page, live_app: Flask, page_checks: PageChecks
) -> None:
    make_user(live_app, "admin@example.com", "admin")
    page.goto("/backoffice/login")
    page.fill("#email", "admin@example.com")
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name="Intégration").click()
    expect(page.locator("pre code")).to_contain_text("assess:height")
    page_checks.check(page, "embedding", "fr")
    page.get_by_role("link", name="Webhooks").click()
    page_checks.check(page, "webhooks", "fr")


class HostPage:
    """The consultancy's own site, on another origin: a page with the embedding snippet."""

    def __init__(self, html: Callable[[], str]):
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = host.html().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.html = html
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def embedded(make_app: Callable[..., Flask]) -> Iterator[tuple[HostPage, HostPage]]:
    """The diagnostic served on its own origin, allowed in one host site and not another."""
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    code: list[str] = []  # the snippet, as the admin page gives it once the app exists
    page_html = lambda: (  # noqa: E731
        f"<!doctype html><title>Cabinet</title><h1>Notre diagnostic</h1>"
        f"{code[0]}<p id='after'>Contact</p>"
    )
    allowed, refused = HostPage(page_html), HostPage(page_html)
    app = make_app(SHIPPED, FRAME_ANCESTORS=allowed.url, PUBLIC_URL=app_url)
    with app.app_context():
        code.append(snippet(public_url("wizard.landing"), "Diagnostic"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield allowed, refused
    server.shutdown()
    allowed.stop()
    refused.stop()
    empty_tables(app)


FRAME_HEIGHT = "() => document.getElementById('assess-diagnostic').getBoundingClientRect().height"
CONTENT_HEIGHT = "() => Math.ceil(document.body.getBoundingClientRect().height)"


def fitted_height(page: Page, timeout: float = 10) -> float:
    """Wait until the frame is as tall as the page inside it; that height."""
    deadline = time.monotonic() + timeout
    while True:
        frame_height = page.evaluate(FRAME_HEIGHT)
        content_height = page.frames[1].evaluate(CONTENT_HEIGHT)
        if abs(frame_height - content_height) <= 2 or time.monotonic() > deadline:
            assert abs(frame_height - content_height) <= 2, (frame_height, content_height)
            return float(frame_height)
        time.sleep(0.1)


def test_the_embedded_diagnostic_fits_its_frame_in_the_allowed_site_only(
    page: Page, embedded: tuple[HostPage, HostPage]
) -> None:
    allowed, refused = embedded
    page.goto(allowed.url)
    frame = page.frame_locator("#assess-diagnostic")
    expect(frame.locator("h1")).to_be_visible()
    landing_height = fitted_height(page)
    frame.locator("form button[type=submit]").first.click()
    expect(frame.locator("form.step-form")).to_be_visible()
    step_height = fitted_height(page)
    assert step_height != landing_height, "the frame follows the content from page to page"

    page.goto(refused.url)  # a site not in FRAME_ANCESTORS: the browser refuses the frame
    page.wait_for_timeout(1500)
    assert page.evaluate(FRAME_HEIGHT) >= 640 and page.evaluate(
        "() => document.getElementById('assess-diagnostic').style.height === ''"
    ), "no height came from a refused frame"
