"""The report's cost-of-giving-up page, as read: ranges, the rate it used, the target, praise."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest
from flask import Flask

from assess.core.answers import validate_answers
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.scoring import score
from assess.report.content import (
    ReportInput,
    branding_from_config,
    build_report,
    render_report_html,
)
from tests.helpers.paths import SHIPPED
from tests.helpers.personas import persona


@pytest.fixture(scope="module")
def shipped() -> Questionnaire:
    return load_questionnaire(SHIPPED)


@pytest.fixture(scope="module")
def report_app(make_app) -> Flask:
    return make_app()


def report_of(
    app: Flask, q: Questionnaire, name: str, locale: str = "fr", **changes: Any
) -> dict[str, Any]:
    data = persona(name)
    answers = {**data["answers"], **changes}
    contact = {"company": "Atelier Test", "email": "test@example.com", **data["contact"]}
    clean = validate_answers(q, answers, contact)
    result = score(q, clean, contact).as_json()
    when = datetime(2026, 11, 20, tzinfo=UTC)
    with app.app_context():
        return build_report(
            q,
            ReportInput(clean, result, contact, locale, when),
            branding_from_config(app.config),
        )


def spaced(text: str) -> str:
    """Every kind of space as a plain one, so assertions read like the page."""
    return re.sub(r"[\u00a0\u202f\s]+", " ", text)


def cost_page(app: Flask, report: dict[str, Any]) -> str:
    """The cost of giving up as the report words it: the executive page's box, then how
    it is computed (beside the indicators)."""
    with app.app_context():
        html = render_report_html(report)
    parts = []
    for name in ("cost-box", "cost-details"):
        found = re.search(rf'<div class="{name}">', html)
        if found:
            parts.append(html[found.start() : html.index("</div>", found.start())])
    return spaced(unescape(re.sub(r"<[^>]+>", " ", " ".join(parts))))


def test_the_assumed_rate_is_said_to_be_an_assumption(report_app, shipped):
    # 4 leads a month, 2 contacts, 8 000 €: 6.9 sales lost, 41 000 to 69 000 € a year.
    page = cost_page(report_app, report_of(report_app, shipped, "artisan_tpe"))
    assert "Entre 41 000 et 69 000 € par an" in page
    assert "environ 5 à 9 ventes par an" in page
    assert "Calculé à 20 % de transformation, hypothèse courante" in page
    assert "À comparer à votre objectif de 10 nouveaux clients cette année." in page
    assert "54 857" not in page and "6,9" not in page  # no false precision


def test_the_page_speaks_english(report_app, shipped):
    page = cost_page(report_app, report_of(report_app, shipped, "artisan_tpe", locale="en"))
    assert "Between 41,000 and 69,000 € a year" in page
    assert "about 5 to 9 sales a year" in page
    assert "Computed at 20% conversion, a common assumption" in page
    assert "To compare with your target of 10 new customers this year." in page


def test_the_shipped_diagnostic_asks_the_measured_rate_for_the_estimate(shipped):
    cost = shipped.report.cost_of_giving_up
    assert cost is not None and cost.conversion_rate == "conversion_rate"
    rate = shipped.questions_by_id["conversion_rate"]
    assert rate.type == "number" and rate.condition is not None
    assert rate.condition.source == "answers.conversion_rate_known == 'mesure'"


def test_a_measured_rate_is_used_and_named(report_app, shipped):
    report = report_of(
        report_app,
        shipped,
        "artisan_tpe",
        conversion_rate_known="mesure",
        conversion_rate=35,
    )
    # 4 × 12 × 35 % × 5/7 = 12 sales of 8 000 €, more than the target of 10: capped at it.
    estimate = report["cost"]["estimate"]
    assert estimate.rate_measured and estimate.win_rate == 0.35
    page = cost_page(report_app, report)
    assert "Calculé avec votre taux de transformation mesuré : 35 %." in page
    assert "hypothèse courante" not in page
    assert "Au moins 80 000 € par an" in page
    assert "Cela couvre tout votre objectif de 10 nouveaux clients" in page


def test_a_rate_left_hidden_falls_back_to_the_assumption(report_app, shipped):
    # The rate question is only shown when the rate is measured: a stale answer is not used.
    report = report_of(
        report_app,
        shipped,
        "artisan_tpe",
        conversion_rate_known="estime",
        conversion_rate=35,
    )
    assert report["cost"]["estimate"].win_rate == 0.2
    assert "hypothèse courante" in cost_page(report_app, report)


def test_the_sales_lost_stop_at_the_new_customer_target(report_app, shipped):
    # 40 leads a month, 4 contacts: 41 sales lost, for a target of 25 new customers.
    page = cost_page(report_app, report_of(report_app, shipped, "pme_industrielle"))
    assert "Au moins 370 000 € par an" in page
    assert "au moins 25 ventes par an" in page
    assert "Cela couvre tout votre objectif de 25 nouveaux clients" in page
    assert "41 ventes" not in page


def test_following_up_to_the_end_is_recognised_instead_of_priced(report_app, shipped):
    report = report_of(report_app, shipped, "startup_tech")  # 8 contacts before giving up
    page = cost_page(report_app, report)
    assert page.startswith(" Le suivi de vos prospects ")
    assert "Comment est calculé" not in page
    assert "Vous relancez jusqu'au bout : 8 contacts avant d'abandonner un prospect" in page
    assert "€" not in page and "Formule" not in page
    english = cost_page(report_app, report_of(report_app, shipped, "startup_tech", locale="en"))
    assert "You follow up to the end: 8 contacts" in english


def test_no_leads_gives_no_page_rather_than_zero_euros(report_app, shipped):
    report = report_of(report_app, shipped, "artisan_tpe", new_leads_per_month=0)
    assert report["cost"] is None


def test_less_than_one_sale_is_worded_so(report_app, shipped):
    # 1 lead a month at 6 contacts: 12 × 20 % × 1/7 = 0.34 sale of 41 000 €: 14 057 € a year.
    report = report_of(
        report_app,
        shipped,
        "artisan_tpe",
        new_leads_per_month=1,
        contacts_before_giving_up=6,
        deal_value=41_000,
    )
    page = cost_page(report_app, report)
    assert "moins d'une vente par an" in page
    assert "Entre 11 000 et 18 000 € par an" in page
