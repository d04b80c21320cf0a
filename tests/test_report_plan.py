"""The report's recommendations: the most urgent in full, the rest with their actions, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from assess.core.action_plan import MAX_ACTIONS, MAX_RECOMMENDATIONS
from assess.core.answers import validate_answers
from assess.core.result import StoredResult
from assess.core.scoring import score
from assess.db.questionnaire_store import current_questionnaire
from assess.report.plan import (
    LEAD_VOICE,
    PRIORITIES_IN_FULL,
    localized,
    priority_label,
    reasons,
    recommendations,
)

PERSONAS = Path(__file__).parent / "personas"


@pytest.fixture(scope="module")
def shipped_app(make_app) -> Flask:
    return make_app()


def fired_for(app: Flask, persona: str) -> tuple[dict, list[dict]]:
    data = json.loads((PERSONAS / f"{persona}.json").read_text())
    with app.app_context():
        q = current_questionnaire()
        clean = validate_answers(q, data["answers"], data["contact"])
        result = score(q, clean, data["contact"]).as_json()
        labels = {c.id: q.text(c.label, "fr") for c in q.categories}
        fired = recommendations(
            q, StoredResult.from_json(result), labels, "fr", lambda s: f"{s} / 100"
        )
        return result, fired


def test_the_most_urgent_come_in_full_and_every_other_keeps_its_actions(shipped_app):
    result, fired = fired_for(shipped_app, "artisan_tpe")
    stored = result["explanation"]["recommendations"]
    assert len(stored) > PRIORITIES_IN_FULL  # the persona fires more than the report prints in full
    assert [r["id"] for r in fired] == [r["id"] for r in stored]
    assert [r["rank"] for r in fired] == list(range(1, len(stored) + 1))
    assert [r["in_full"] for r in fired] == [i < PRIORITIES_IN_FULL for i in range(len(stored))]
    priorities = [r["priority"] for r in fired]
    assert priorities == sorted(priorities)  # most urgent first
    for recommendation, original in zip(fired, stored, strict=True):
        assert len(recommendation["actions"]) == len(original.get("actions", []))
        assert recommendation["area"]  # every recommendation says which area it serves


@pytest.mark.parametrize("persona", ["artisan_tpe", "pme_industrielle"])
def test_a_struggling_company_gets_ten_recommendations_three_urgent_three_actions_each(
    shipped_app, persona
):
    result, fired = fired_for(shipped_app, persona)
    assert len(result["explanation"]["dropped"]) > 0  # more fired than a plan holds
    assert len(fired) == MAX_RECOMMENDATIONS == 10
    with shipped_app.test_request_context(), force_locale("fr"):
        labels = [r["priority_label"] for r in fired]
    assert labels[:3] == ["Urgent"] * 3 and "Urgent" not in labels[3:]
    assert [r["in_full"] for r in fired] == [True] * 3 + [False] * 7
    assert all(1 <= len(r["actions"]) <= MAX_ACTIONS == 3 for r in fired)
    assert all(a["who"] and a["when"] for r in fired for a in r["actions"])


def test_a_result_stored_before_the_cut_is_cut_when_printed(shipped_app):
    result, _fired = fired_for(shipped_app, "artisan_tpe")
    stored = result["explanation"]["recommendations"]
    old = {**result, "explanation": {**result["explanation"], "recommendations": stored * 3}}
    old["explanation"]["recommendations"][0] = {
        **stored[0],
        "actions": stored[0]["actions"] * 3,
    }
    with shipped_app.app_context():
        q = current_questionnaire()
        fired = recommendations(q, StoredResult.from_json(old), {}, "fr", str)
    assert len(fired) == 10
    assert len(fired[0]["actions"]) == 3


def test_only_the_priorities_are_urgent(shipped_app):
    with shipped_app.test_request_context(), force_locale("fr"):
        assert priority_label(1, 3) == "Urgent"
        assert priority_label(1, 4) == "Important"
        assert priority_label(2, 1) == "Important"
        assert priority_label(3, 8) == "À planifier"


def test_reasons_quote_the_answers_in_plain_words(shipped_app):
    _result, fired = fired_for(shipped_app, "artisan_tpe")
    reasons = [reason for r in fired for reason in r["reasons"]]
    assert reasons
    assert not any(reason.startswith(("answers.", "scores.")) for reason in reasons)
    assert any("—" in reason for reason in reasons)  # "question — answer"
    # A rule that reads the sector (no prospect file advised to a shop) names it as the form does.
    assert "Votre secteur : BTP" in reasons
    assert not any("(sector)" in reason for reason in reasons)


def test_a_question_the_respondent_was_not_asked_is_no_reason(shipped_app):
    # The churn rule reads the measured rate or, when it is not measured, the estimate: a
    # company that measured it is not told "estimate — not answered".
    _result, fired = fired_for(shipped_app, "pme_industrielle")
    churn = next(r for r in fired if r["id"] == "enrayer_perte_clients")
    assert churn["reasons"] == ["Quel est ce taux de fidélisation ? — 78 %"]


def test_a_text_missing_in_the_language_falls_back_to_another_and_labels_have_a_default(
    shipped_app,
):
    assert localized({"en": "Call back"}, "fr") == "Call back"
    assert localized(None, "fr") == ""
    with shipped_app.test_request_context(), force_locale("fr"):
        assert priority_label(1) == "Urgent"
        assert priority_label(7) == "Priorité 7"


def test_the_same_reasons_told_to_a_consultant_speak_of_the_lead(shipped_app):
    """One mechanism for the report's "why we advise it" and the lead page: the voice changes."""
    data = json.loads((PERSONAS / "artisan_tpe.json").read_text())
    with shipped_app.test_request_context(), force_locale("fr"):
        q = current_questionnaire()
        clean = validate_answers(q, data["answers"], data["contact"])
        result = StoredResult.from_json(score(q, clean, data["contact"]).as_json())
        told: list[str] = []
        for rec in result.explanation["recommendations"]:
            values = rec.get("values", {})
            told += reasons(q, values, result, "fr", lambda s: f"{s:.0f} / 100", LEAD_VOICE)
            in_report = reasons(q, values, result, "fr", lambda s: f"{s:.0f} / 100")
            assert len(in_report) == len(reasons(q, values, result, "fr", str, LEAD_VOICE))
    assert "Son secteur : BTP" in told
    assert any(r.startswith("A répondu « ") and "» à « " in r for r in told)
    assert not any(r.startswith(("Votre", "Vos")) for r in told)
