"""The report's texts that follow the answers: lists of cases and each area's own level text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from assess.core.answers import validate_answers
from assess.core.questionnaire import load_questionnaire
from assess.core.scoring import score
from assess.report.content import Branding, ReportInput, build_report, render_report_html
from tests.helpers.paths import FIXTURES, MINIMAL

ADDITIONS = load_questionnaire(FIXTURES / "contract_additions.yaml")
CONTACT = {"company": "Martin SAS", "first_name": "Paul", "last_name": "Martin"}
WHEN = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def app(make_app: Any) -> Flask:
    return make_app(FIXTURES / "contract_additions.yaml")


def report_of(app: Flask, answers: dict[str, Any], locale: str = "fr") -> dict[str, Any]:
    clean = validate_answers(ADDITIONS, answers, CONTACT)
    result = score(ADDITIONS, clean, CONTACT).as_json()
    data = ReportInput(clean, result, CONTACT, locale, WHEN)
    with app.app_context():
        return build_report(ADDITIONS, data, Branding(name="Cabinet"))


def area(report: dict[str, Any], category_id: str) -> dict[str, Any]:
    return next(c for c in report["categories"] if c["id"] == category_id)


def test_texts_given_as_cases_say_what_the_answers_call_for(app):
    none = report_of(app, {"channels": ["aucun"], "crm": "no", "contacts_before_giving_up": 2})
    assert none["level"] == "Débutant"
    assert none["level_summary"] == "Sans fichier clients partagé, le pilotage reste à créer."
    assert none["conclusion"] == "Merci pour vos réponses."
    [rule] = none["recommendations"]
    assert rule["title"] == "Ouvrez un premier canal de prospection"
    assert rule["text"] == "Aucun canal aujourd'hui, et 2 relances."
    some = report_of(
        app,
        {
            "channels": ["phone"],
            "channel_results": "phone",
            "crm": "yes",
            "contacts_before_giving_up": 2,
        },
    )
    assert some["level_summary"] == "Les bases sont là, le pilotage reste à structurer."
    assert some["recommendations"][0]["title"] == "Travaillez vos canaux de prospection"
    assert some["outcomes"][0]["text"] == "Un CRM, mais des relances abandonnées trop tôt."


def test_the_conclusion_case_for_the_top_level(app):
    top = report_of(
        app,
        {
            "channels": ["phone", "linkedin"],
            "channel_results": "phone",
            "crm": "yes",
            "contacts_before_giving_up": 8,
        },
    )
    assert top["level"] == "Avancé"
    assert top["conclusion"] == "Bravo pour cette organisation."
    assert top["recommendations"] == []


def test_each_area_says_its_own_level_text_else_the_levels_summary(app):
    report = report_of(app, {"channels": ["aucun"], "crm": "yes", "contacts_before_giving_up": 2})
    # prospection at 0: its own text for its level, the case its answers pick
    assert area(report, "prospection")["level_summary"] == (
        "Aucun canal de prospection : tout reste à bâtir."
    )
    # pilotage (no level texts of its own) at the top level: that level's summary
    assert area(report, "pilotage")["level"] == "Avancé"
    assert area(report, "pilotage")["level_summary"] == "Une organisation commerciale solide."
    english = report_of(
        app, {"channels": ["aucun"], "crm": "yes", "contacts_before_giving_up": 2}, "en"
    )
    assert area(english, "prospection")["level_summary"] == "No prospecting channel yet."
    with_channels = report_of(
        app,
        {
            "channels": ["phone"],
            "channel_results": "phone",
            "crm": "yes",
            "contacts_before_giving_up": 2,
        },
    )
    assert area(with_channels, "prospection")["level_summary"] == (
        "Vos canaux existent, il reste à les travailler."
    )


def test_the_rendered_report_prints_the_picked_texts(app):
    report = report_of(app, {"channels": ["aucun"], "crm": "no", "contacts_before_giving_up": 2})
    with app.app_context():
        html = render_report_html(report)
    assert "Aucun canal de prospection\u202f: tout reste à bâtir." in html
    assert "Sans fichier clients partagé, le pilotage reste à créer." in html
    assert "Vos canaux existent" not in html  # the case not picked is never printed


def test_a_file_without_the_additions_reports_as_before(app):
    """No case list, no category levels: each area repeats its level's summary as it did."""
    minimal = load_questionnaire(MINIMAL)
    answers = {"has_sales_team": False, "crm": "no", "follow_up": 1, "contacts_before_giving_up": 1}
    clean = validate_answers(minimal, answers, CONTACT)
    result = score(minimal, clean, CONTACT).as_json()
    with app.app_context():
        report = build_report(
            minimal, ReportInput(clean, result, CONTACT, "fr", WHEN), Branding(name="Cabinet")
        )
    assert report["conclusion"] == "Merci."
    assert all(c["level_summary"] == "" for c in report["categories"])  # no summary declared


ONE_CHANNEL = {"channels": ["phone"], "channel_results": "phone", "crm": "no"}


def synthesis_of(report: dict[str, Any]) -> str:
    return " ".join(report["synthesis"])


def test_the_best_area_is_praised_only_from_60(app):
    # prospection 25 / 100 (one channel of two, two follow-ups), pilotage 0: the best area
    # of a struggling company is named, not called a strength.
    weak = report_of(
        app,
        {**ONE_CHANNEL, "contacts_before_giving_up": 2},
    )
    assert area(weak, "prospection")["score"] == 25.0
    assert "appuyez-vous" not in synthesis_of(weak)
    assert (
        "Votre domaine le mieux noté est « Prospection » (25,0 / 100) : encore sous 60 / 100, "
        "ce n'est pas encore un atout" in synthesis_of(weak)
    )
    strong = report_of(
        app,
        {
            "channels": ["phone", "linkedin"],
            "channel_results": "phone",
            "crm": "no",
            "contacts_before_giving_up": 8,
        },
    )
    assert area(strong, "prospection")["score"] == 100.0
    assert "Votre domaine le plus solide est « Prospection » (100,0 / 100) : appuyez-vous" in (
        synthesis_of(strong)
    )
    english = report_of(
        app,
        {**ONE_CHANNEL, "contacts_before_giving_up": 2},
        "en",
    )
    assert "not yet a strength to build on" in synthesis_of(english)
    assert "build on it" not in synthesis_of(english)


def test_an_answer_is_a_strength_or_a_gap_never_both(app):
    # One channel of two earns half its points: a gap only. Eight follow-ups earn all theirs.
    report = report_of(
        app,
        {**ONE_CHANNEL, "contacts_before_giving_up": 8},
    )
    section = next(s for s in report["sections"] if s["id"] == "prospection")
    strengths = [row["question"] for row in section["strengths"]]
    gaps = [row["question"] for row in section["gaps"]]
    assert strengths == ["Relances avant abandon"]
    assert gaps == ["Canaux de prospection"]
    both = report_of(
        app,
        {
            "channels": ["phone", "linkedin"],
            "channel_results": "phone",
            "crm": "yes",
            "contacts_before_giving_up": 8,
        },
    )
    for section in both["sections"]:
        assert not section["gaps"], section["id"]  # every answer at full marks
