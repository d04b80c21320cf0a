"""Scoring, table-driven on tests/fixtures/scoring.yaml (see the point totals at its top).

Each row of the table (tests/helpers/scoring_table.py) changes the strongest answer set (`BEST`)
and states every category's score and level, the overall score and level, and the rules
that fire, in order.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from assess.core import answers as answers_module
from assess.core import scoring as scoring_module
from assess.core import visibility as visibility_module
from assess.core.answers import validate_answers
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.scoring import Result, score
from tests.helpers.scoring_table import ROWS, TEAM, answers

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "scoring.yaml"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(FIXTURE)


def scored(q: Questionnaire, raw: dict[str, Any], contact: dict[str, Any] | None = None) -> Result:
    """Validate then score, as a submission does."""
    return score(q, validate_answers(q, raw, contact), contact)


@pytest.mark.parametrize(("raw", "contact", "categories", "overall", "fired"), ROWS)
def test_scoring_table(
    q: Questionnaire,
    raw: dict[str, Any],
    contact: dict[str, Any] | None,
    categories: dict[str, tuple],
    overall: tuple,
    fired: list[str],
) -> None:
    result = scored(q, raw, contact)
    assert {cid: (c.score, c.level) for cid, c in result.categories.items()} == categories
    assert (result.overall, result.level) == overall
    assert [r.id for r in result.recommendations] == fired
    assert result.as_json()["recommendations"] == fired


OUTCOMES = [
    pytest.param(
        {"has_sales_team": True}, {"company_size": "me"}, 0, "Équipe structurée", id="first case"
    ),
    pytest.param(
        {"has_sales_team": True}, {"company_size": "eti"}, 0, "Équipe structurée", id="first, eti"
    ),
    pytest.param(
        {"has_sales_team": True}, {"company_size": "tpe"}, 1, "Petite équipe", id="second case"
    ),
    pytest.param({"has_sales_team": True}, None, 1, "Petite équipe", id="second, no contact"),
    pytest.param(
        {"has_sales_team": False}, {"company_size": "me"}, 2, "Dirigeant seul", id="default"
    ),
]


@pytest.mark.parametrize(("changes", "contact", "case", "label"), OUTCOMES)
def test_outcome_is_the_first_case_that_holds(
    q: Questionnaire, changes: dict[str, Any], contact: dict[str, Any] | None, case: int, label: str
) -> None:
    team = {"team_size": 2, "team_training": "yearly"} if changes["has_sales_team"] else {}
    result = scored(q, answers(**changes, **team), contact)
    outcome = result.outcomes["profile"]
    assert (outcome.case, outcome.label) == (case, {"fr": label, "en": label})
    assert result.as_json()["outcomes"] == {"profile": {"case": case, "label": outcome.label}}


def test_outcome_values_and_texts(q: Questionnaire) -> None:
    team = {"has_sales_team": True, "team_size": 2, "team_training": "yearly"}
    first = scored(q, answers(**team), {"company_size": "me"}).outcomes["profile"]
    assert first.values == {"answers.has_sales_team": True, "contact.company_size": "me"}
    assert first.text == {}
    second = scored(q, answers(**team), {"company_size": "pe"}).outcomes["profile"]
    assert second.values == {"answers.has_sales_team": True}
    assert second.text == {
        "fr": "Une petite équipe à faire grandir.",
        "en": "Une petite équipe à faire grandir.",
    }
    default = scored(q, answers()).outcomes["profile"]
    assert (default.case, default.values) == (2, {})


def _question(result: Result, question_id: str) -> dict[str, Any]:
    return next(s for s in result.as_json()["explanation"]["questions"] if s["id"] == question_id)


def test_explanation_question_by_question(q: Questionnaire) -> None:
    raw = answers(has_sales_team=True, team_size=2, team_training="yearly", crm_usage=None)
    result = scored(q, raw)
    assert [s["id"] for s in result.as_json()["explanation"]["questions"]] == [
        x.id for x in q.questions
    ]
    assert _question(result, "coaching") == {
        "id": "coaching",
        "category": "team",
        "shown": False,
        "answer": None,
        "earned": 0.0,
        "possible": 0.0,
    }
    assert _question(result, "crm_usage") == {
        "id": "crm_usage",
        "category": "follow_up",
        "shown": True,
        "answer": None,
        "earned": 0.0,
        "possible": 2.0,
    }
    assert _question(result, "channels")["answer"] == ["phone", "linkedin"]
    assert _question(result, "has_sales_team")["category"] is None
    categories = result.as_json()["categories"]
    assert categories["team"] == {"score": 50.0, "level": "mid", "earned": 1.0, "possible": 2.0}
    assert categories["follow_up"] == {
        "score": 80.0,
        "level": "high",
        "earned": 8.0,
        "possible": 10.0,
    }
    assert categories["notes"] == {"score": None, "level": None, "earned": 0.0, "possible": 0.0}
    # The category earned and possible are the sums over its questions.
    for cid, category in categories.items():
        rows = [s for s in result.as_json()["explanation"]["questions"] if s["category"] == cid]
        assert category["earned"] == sum(s["earned"] for s in rows)
        assert category["possible"] == sum(s["possible"] for s in rows)


def test_score_ignores_answers_to_hidden_questions_even_unvalidated(q: Questionnaire) -> None:
    # score() is given answers to a hidden section and a hidden question directly.
    hidden = answers(team_size=5, team_training="quarterly", coaching=True)
    assert score(q, hidden).as_json() == score(q, answers()).as_json()
    shown = answers(has_sales_team=True, team_size=1, team_training="quarterly", coaching=False)
    assert _question(score(q, shown), "coaching")["shown"] is False
    assert score(q, shown).categories["team"].possible == 2.0


def test_a_category_with_nothing_possible_is_left_out_of_the_overall(q: Questionnaire) -> None:
    # notes weighs 5: counted as 0 it would pull the overall down to 100 * 3 / 8.
    result = scored(q, answers(deal_value=250000))
    assert result.categories["notes"].score is None
    assert result.categories["notes"].level is None
    assert result.overall == 100.0


def test_rule_values_explain_why_it_fired(q: Questionnaire) -> None:
    raw = answers(
        qualification="none", channels=["phone"], weekly_review=False, contacts_before_giving_up=5
    )
    result = scored(q, raw)
    fired = {r["id"]: r for r in result.as_json()["explanation"]["recommendations"]}
    assert fired["keep_following_up"]["values"] == {"answers.contacts_before_giving_up": 5}
    assert fired["try_linkedin"]["values"] == {
        "answers.channels": ["phone"],
        "scores.pipeline": 20.0,
    }
    assert fired["qualify_prospects"]["values"] == {"answers.qualification": "none"}
    assert fired["overall_low"]["values"] == {"overall": result.overall}
    assert fired["keep_following_up"]["when"] == (
        "answers.contacts_before_giving_up is not none and answers.contacts_before_giving_up < 7"
    )
    assert fired["keep_following_up"]["priority"] == 1
    assert fired["keep_following_up"]["category"] == "follow_up"


def test_rule_texts_render_answers_in_every_language(q: Questionnaire) -> None:
    result = scored(q, answers(contacts_before_giving_up=5, qualification="none"))
    fired = {r.id: r for r in result.recommendations}
    assert fired["keep_following_up"].text == {
        "fr": "Vous abandonnez après 5 contacts.",
        "en": "You give up after 5 contacts.",
    }
    assert fired["qualify_prospects"].text == {
        "fr": "Vous avez répondu « none » : adoptez une grille.",
        "en": "Vous avez répondu « none » : adoptez une grille.",
    }
    # A plain title falls back to the default language.
    assert fired["keep_following_up"].title == {
        "fr": "Relancez plus longtemps",
        "en": "Relancez plus longtemps",
    }
    assert fired["keep_following_up"].actions == [
        {
            "what": {"fr": "Planifier sept relances", "en": "Planifier sept relances"},
            "who": {"fr": "Direction commerciale", "en": "Direction commerciale"},
            "when": {"fr": "Ce mois-ci", "en": "Ce mois-ci"},
        }
    ]


def test_rule_texts_render_scores_and_static_texts(q: Questionnaire) -> None:
    raw = answers(
        qualification="none", channels=["phone"], weekly_review=False, discipline=1, crm_usage=0
    )
    fired = {r.id: r for r in scored(q, raw).recommendations}
    assert fired["try_linkedin"].text["fr"] == "Votre score pipeline est de 20.0 %."
    assert fired["overall_low"].text["fr"] == "Score global : 26.7, niveau low."
    # A folded YAML text ends with a newline, which rendering drops.
    assert (
        fired["plan_follow_ups"].text["fr"]
        == "Un agenda de relances partagé suffit pour commencer."
    )


def test_an_answer_quoted_in_a_text_is_data_not_template(q: Questionnaire) -> None:
    comment = "{{ 7 * 7 }} {% if true %}oui{% endif %} <b>gras</b>"
    fired = {r.id: r for r in scored(q, answers(comment=comment)).recommendations}
    assert fired["echo_comment"].text["fr"] == f"Vous avez écrit : {comment}"


def test_results_do_not_share_mutable_texts(q: Questionnaire) -> None:
    raw = answers(contacts_before_giving_up=5)
    first = scored(q, raw).recommendations[0]
    first.title["fr"] = "changed"
    first.actions[0]["what"]["fr"] = "changed"
    second = scored(q, raw).recommendations[0]
    assert second.title["fr"] == "Relancez plus longtemps"
    assert second.actions[0]["what"]["fr"] == "Planifier sept relances"


def test_score_is_pure(q: Questionnaire) -> None:
    raw = answers(has_sales_team=True, team_size=4, team_training="never", coaching=False)
    contact = {"company_size": "tpe"}
    clean = validate_answers(q, raw, contact)
    before = json.dumps(clean)
    first = json.dumps(score(q, clean, contact).as_json())
    assert json.dumps(score(q, clean, contact).as_json()) == first
    assert json.dumps(clean) == before


def test_as_json_is_plain_data(q: Questionnaire) -> None:
    data = scored(q, answers(qualification="none"), {"company_size": "tpe"}).as_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "overall",
        "level",
        "categories",
        "recommendations",
        "outcomes",
        "explanation",
    }


POINTS = [
    ("qualification", "formal", 3.0),
    ("qualification", "unknown", 0.0),
    ("qualification", "not-an-option", 0.0),
    ("channels", ["phone", "email", "linkedin"], 5.0),
    ("channels", ["email", "spam"], 0.0),
    ("weekly_review", True, 2.0),
    ("weekly_review", False, 0.0),
    ("coaching", True, 1.0),
    ("coaching", False, 0.0),
    ("contacts_before_giving_up", 2.5, 0.0),
    ("contacts_before_giving_up", 20, 4.0),
    ("discipline", 4, 3.0),
    ("crm_usage", 10, 2.0),
    ("deal_value", 1000, 0.0),
    ("team_size", 12, 0.0),
    ("about", "texte", 0.0),
    ("discipline", None, 0.0),
]


@pytest.mark.parametrize(("question_id", "answer", "expected"), POINTS)
def test_points_earned(q: Questionnaire, question_id: str, answer: Any, expected: float) -> None:
    # Every question shown (coaching needs a team of 3), the answer scored as given,
    # unvalidated: an answer validation would refuse earns nothing.
    given = {**answers(**TEAM, team_size=5), question_id: answer}
    earned = {found.question_id: found.earned for found in score(q, given).questions}
    assert earned[question_id] == expected


def test_points_possible(q: Questionnaire) -> None:
    possible = {x.id: x.points_possible for x in q.questions if x.points_possible}
    assert possible == {
        "qualification": 3.0,
        "channels": 5.0,
        "weekly_review": 2.0,
        "contacts_before_giving_up": 4.0,
        "discipline": 4.0,
        "crm_usage": 2.0,
        "team_training": 2.0,
        "coaching": 1.0,
    }


def test_a_questionnaire_loaded_again_scores_the_same(q: Questionnaire) -> None:
    again = load_questionnaire(FIXTURE)
    raw = answers(qualification="none")
    assert score(again, validate_answers(again, raw)).as_json() == scored(q, raw).as_json()


def test_what_scoring_prepares_goes_away_with_its_questionnaire() -> None:
    again = load_questionnaire(FIXTURE)
    score(again, validate_answers(again, answers()))
    key = id(again)
    modules = (scoring_module, answers_module, visibility_module)
    assert all(key in module._plans for module in modules)
    del again
    gc.collect()
    assert not any(key in module._plans for module in modules)
