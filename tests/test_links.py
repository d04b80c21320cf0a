"""Public addresses: from the URL map, under PUBLIC_URL's scheme, host and path prefix."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from assess.db.models import Delivery, Submission
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.outbox import messages
from assess.outbox.links import public_url
from tests.helpers.backoffice_client import log_in
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete_lead

PUBLIC = "https://diag.example.fr/audit"


@pytest.fixture
def prefixed(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app published under a path prefix, over HTTPS."""
    app = make_app(SHIPPED, PUBLIC_URL=PUBLIC)
    yield app
    empty_tables(app)


def completed(app: Flask) -> Submission:
    """A diagnostic completed and its address confirmed: its report e-mail is due."""
    return complete_lead(app, confirm=True)


def report_links(app: Flask, submission_id: int) -> dict[str, str]:
    """The links of the report e-mail, as the worker builds it (no request)."""
    with app.app_context():
        row = db.session.execute(
            select(Delivery).where(
                Delivery.submission_id == submission_id, Delivery.kind == "report"
            )
        ).scalar_one()
        context = messages.report_message(current_questionnaire(), row, b"%PDF").context
        return {name: value for name, value in context.items() if name.endswith("_url")}


def test_email_links_are_under_public_url_even_inside_a_request_on_another_host(prefixed):
    submission = completed(prefixed)
    token = submission.public_token
    expected = {
        "results_url": f"{PUBLIC}/results/{token}",
        "report_url": f"{PUBLIC}/results/{token}/report.pdf",
        "lead_url": f"{PUBLIC}/backoffice/leads/{submission.lead_id}",
    }
    in_worker = report_links(prefixed, submission.id)
    assert {name: in_worker[name] for name in expected} == expected
    assert in_worker["again_url"].startswith(f"{PUBLIC}/again/")
    # A request arriving on the loopback address, over HTTP: its host never reaches a message.
    with prefixed.test_request_context("/", base_url="http://127.0.0.1:5000"):
        confirmation = db.session.execute(
            select(Delivery).where(Delivery.kind.startswith(messages.CONFIRM_KIND))
        ).scalar_one()
        q = current_questionnaire()
        confirm_url = messages.confirmation_message(q, confirmation).context["confirm_url"]
        assert confirm_url.startswith(f"{PUBLIC}/confirm/")
        assert public_url("results.show", token=token) == expected["results_url"]


def test_back_office_links_given_away_are_under_public_url(prefixed):
    page = log_in(prefixed).get("/backoffice/today").get_data(as_text=True)
    assert f'href="{PUBLIC}/backoffice/calendar/' in page and "http://localhost" not in page
    admin = log_in(prefixed, email="admin@example.com", role="admin")
    snippet = admin.get("/backoffice/embed").get_data(as_text=True)
    assert f"{PUBLIC}/&#34;" in snippet or f"{PUBLIC}/&quot;" in snippet


def test_a_renamed_route_renames_its_links(app):
    submission = completed(app)
    before = report_links(app, submission.id)["results_url"]
    assert before.endswith(f"/results/{submission.public_token}")
    original = app.url_map
    renamed = app.url_map_class(
        converters=original.converters,
        strict_slashes=original.strict_slashes,
        merge_slashes=original.merge_slashes,
    )
    for rule in original.iter_rules():
        path = "/resultats/<token>" if rule.endpoint == "results.show" else rule.rule
        renamed.add(Rule(path, **rule.get_empty_kwargs()))
    app.url_map = renamed
    try:
        after = report_links(app, submission.id)["results_url"]
        assert after == before.replace("/results/", "/resultats/")
        path = after.removeprefix(app.config["PUBLIC_URL"])
        assert app.test_client().get(path).status_code == 200
    finally:
        app.url_map = original
