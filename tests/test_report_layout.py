"""The report as an executive reads it: ten pages at most for any answers, the essentials on
page 2 (score, three priorities with their first actions, the cost, the call with its QR
code), the areas the answers scored, and the plan as a calendar dated from the diagnostic."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from assess.core.answers import validate_answers
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.scoring import score
from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import (
    ReportInput,
    branding_from_config,
    build_report,
    render_report_html,
)
from tests.helpers.paths import SHIPPED
from tests.helpers.report_inputs import CONTACT, WHEN, pdf_of, report_input

pytestmark = pytest.mark.layout
MAX_PAGES = 10
PERSONAS = sorted(p.stem for p in (Path(__file__).parent / "personas").glob("*.json"))


def plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def worst_answers(q: Questionnaire) -> dict[str, Any]:
    """Every question answered with its poorest option: the most advice, every area scored."""
    answers: dict[str, Any] = {}
    for question in q.questions:
        if question.type == "single":
            answers[question.id] = min(question.options, key=lambda o: o.points or 0).value
        elif question.type == "multiple":
            none = [o.value for o in question.options if getattr(o, "exclusive", False)]
            answers[question.id] = none[:1] or [question.options[0].value]
        elif question.type == "boolean":
            answers[question.id] = question.id in {"has_sales_team", "retention_known"}
        elif question.type in {"scale", "number"}:
            answers[question.id] = question.min if question.min is not None else 0
        else:
            answers[question.id] = "x" * (question.max_length or 500)
    # The cost of giving up printed, with large figures; the longest typed texts.
    answers.update(
        contacts_before_giving_up=1, new_leads_per_month=900, deal_value=9_000_000, retention_rate=5
    )
    return answers


HOSTILE_CONTACT = {
    **CONTACT,
    "company": ("شركة 🚀📈 " + "Établissements" * 20)[:200],
    "first_name": "Éloïse" + "🚀" * 5,
    "last_name": "L" * 60,
    "job_title": "Directrice générale déléguée aux opérations commerciales",
}


def worst_input(app: Flask, locale: str = "fr") -> ReportInput:
    with app.app_context():
        q = current_questionnaire()
        clean = validate_answers(q, worst_answers(q), HOSTILE_CONTACT)
        result = score(q, clean, HOSTILE_CONTACT).as_json()
    return ReportInput(clean, result, HOSTILE_CONTACT, locale, WHEN, reference="#99")


@pytest.fixture(scope="module")
def report_app(make_app) -> Flask:
    return make_app(
        CONSULTANT_NAME="Marc Lefort",
        CONSULTANT_CREDENTIALS="20 ans de direction commerciale en PME",
        CALL_TO_ACTION_URL="https://rdv.conseil.example.fr/marc",
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_shipped_persona_reads_in_ten_pages_at_most(report_app, persona):
    assert len(pdf_of(report_app, report_input(report_app, persona)).pages) <= MAX_PAGES


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_poorest_answers_with_the_longest_texts_still_fit_in_ten_pages(report_app, locale):
    data = worst_input(report_app, locale)
    assert len(data.result["recommendations"]) == 10, "the plan is full"
    assert len(pdf_of(report_app, data).pages) <= MAX_PAGES


def test_page_two_holds_the_score_the_priorities_the_cost_and_the_call(report_app):
    data = report_input(report_app, "pme_industrielle")
    page = " ".join(pdf_of(report_app, data).pages[1].extract_text().split())
    assert f"{data.result['overall']:.1f}".replace(".", ",") in page
    priorities = data.result["explanation"]["recommendations"][:3]
    for fired in priorities:
        assert " ".join(fired["title"]["fr"].split()) in page
    assert page.count("Première action") == 3
    assert "Au moins 370 000 € par an" in page  # the rounded cost of giving up
    assert "https://rdv.conseil.example.fr/marc" in page
    assert "votre premier axe de progrès" in page and "Marc Lefort" in page


def test_the_call_to_action_carries_a_qr_code_of_its_address(report_app):
    data = report_input(report_app, "pme_industrielle")
    with report_app.app_context():
        report = build_report(
            current_questionnaire(), data, branding_from_config(report_app.config)
        )
        html = render_report_html(report)
    qr = str(report["call_to_action"]["qr"])
    assert qr.startswith(
        '<svg role="img" aria-label="QR code de https://rdv.conseil.example.fr/marc"'
    )
    assert html.count('class="qr"') == 2  # on page 2 and at the end
    assert html.count('href="https://rdv.conseil.example.fr/marc"') == 2


def test_areas_the_answers_did_not_score_are_left_out(report_app):
    data = report_input(report_app, "artisan_tpe")  # no sales team: no team area
    unscored = [c for c, found in data.result["categories"].items() if found["score"] is None]
    assert unscored, "the persona leaves an area unscored"
    with report_app.app_context():
        q = current_questionnaire()
        report = build_report(q, data, branding_from_config(report_app.config))
        html = render_report_html(report)
    labels = {c.id: c.label.get("fr") for c in q.categories}
    areas = plain(
        html[html.index('class="areas"') : html.index("</section>", html.index('class="areas"'))]
    )
    chart = [row["label"] for row in report["score_bars"]]
    for category_id in unscored:
        assert labels[category_id] not in areas and labels[category_id] not in chart
    assert "non évalué" not in plain(html)
    scores = [row["score"] for row in report["score_bars"]]
    assert scores == sorted(scores), "weakest first"


def test_the_plan_is_a_calendar_of_three_months_dated_from_the_diagnostic(report_app):
    data = report_input(report_app, "pme_industrielle")  # completed on 20 November 2026
    with report_app.app_context():
        html = render_report_html(
            build_report(current_questionnaire(), data, branding_from_config(report_app.config))
        )
    text = plain(html)
    assert "Mois 1 du 20 novembre au 19 décembre 2026" in text
    assert "Mois 2 du 20 décembre au 18 janvier 2027" in text
    assert "Mois 3 du 19 janvier au 17 février 2027" in text
    calendar = plain(html[html.index('<section class="calendar"') :])
    for rank, fired in enumerate(data.result["explanation"]["recommendations"], 1):
        assert f"{rank}. {' '.join(fired['title']['fr'].split())}" in calendar
        # The priorities' every action, then each other recommendation's first step.
        for index, action in enumerate(fired["actions"]):
            printed = " ".join(action["what"]["fr"].split()) in calendar
            assert printed == (rank <= 3 or index == 0), action["what"]["fr"]


def test_a_deadline_in_days_dates_the_action_and_places_its_month(tmp_path, make_app):
    text = SHIPPED.read_text(encoding="utf-8")
    first = re.search(r"( +)within_days: 30\n", text)
    assert first is not None
    text = text.replace(first.group(0), f"{first.group(1)}within_days: 75\n", 1)
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    q = load_questionnaire(path)
    rule = next(r for r in q.recommendations if any(a.within_days == 75 for a in r.actions))
    app = make_app(path)
    with app.app_context():
        data = worst_input(app)
        if rule.id not in data.result["recommendations"]:
            pytest.skip(f"{rule.id} is not in the plan of the poorest answers")
        report = build_report(current_questionnaire(), data, branding_from_config(app.config))
    action = next(a for a in rule.actions if a.within_days == 75)
    months = report["calendar"]["months"]
    placed = [
        m["title"] for m in months for a in m["actions"] if a["what"] == action.what.get("fr")
    ]
    assert placed == ["Mois 3"]
    entry = next(a for a in months[2]["actions"] if a["what"] == action.what.get("fr"))
    assert entry["due"] == "3 févr."  # 20 November 2026 + 75 days
