"""Scoring returns the action plan: groups, exclusions, owners by role, at most three actions.

On tests/fixtures/advice.yaml, where farmers are told to prospect or to stay farmers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assess.core.answers import validate_answers
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.result import Result
from assess.core.scoring import score

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "advice.yaml"
FARMERS = {"salespeople": 3, "has_sales_manager": True, "profiles": "farmers", "prospecting": 0}


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(FIXTURE)


def scored(q: Questionnaire, **answers: Any) -> Result:
    raw = {**FARMERS, "retention": 4, **answers}
    return score(q, validate_answers(q, raw, None), None)


def test_contradictory_advice_never_reaches_the_same_report(q: Questionnaire) -> None:
    result = scored(q)
    plan = [r.id for r in result.recommendations]
    assert "farmers_prospect" in plan
    assert "farmers_stay_farmers" not in plan
    dropped = {d.id: d.reason for d in result.dropped}
    assert "farmers_prospect" in dropped["farmers_stay_farmers"]
    stored = result.as_json()
    assert stored["recommendations"] == plan
    assert {d["id"] for d in stored["explanation"]["dropped"]} == set(dropped)


def test_without_the_more_urgent_rule_the_excluded_one_is_given(q: Questionnaire) -> None:
    plan = [r.id for r in scored(q, prospecting=4).recommendations]
    assert "farmers_stay_farmers" in plan  # prospection at 100: no prospecting advice
    assert "farmers_prospect" not in plan


def test_a_group_gives_one_rule_the_most_urgent_then_best_ranked(q: Questionnaire) -> None:
    plan = [r.id for r in scored(q, profiles="hunters").recommendations]
    # Both rhythms fire at prospection 0: the weekly one is the more urgent.
    assert [p for p in plan if p.startswith("prospect_")] == ["prospect_weekly"]
    plan = [r.id for r in scored(q, profiles="hunters", prospecting=3).recommendations]
    assert [p for p in plan if p.startswith("prospect_")] == ["prospect_monthly"]  # 75 < 80 only


def test_at_most_three_actions_in_the_order_written(q: Questionnaire) -> None:
    first = scored(q).recommendations[0]
    assert first.id == "farmers_prospect"
    assert [a["what"]["fr"] for a in first.actions] == [
        "Bloquer le créneau",
        "Suivre les rendez-vous pris",
        "Faire le point",
    ]


@pytest.mark.parametrize(
    ("answers", "manager", "salesperson"),
    [
        pytest.param({}, "Responsable commercial", "Chaque commercial", id="a sales manager"),
        pytest.param(
            {"has_sales_manager": False},
            "Directeur commercial à temps partagé",
            "Chaque commercial",
            id="a team with no manager: the shared-time director",
        ),
        pytest.param(
            {"salespeople": 1, "has_sales_manager": False},
            "Dirigeant",
            "Chaque commercial",
            id="one salesperson: the owner leads",
        ),
        pytest.param(
            {"salespeople": 0, "has_sales_manager": None},
            "Dirigeant",
            "Dirigeant",
            id="no salesperson: the owner does it all",
        ),
    ],
)
def test_owners_named_by_role_are_roles_the_company_has(
    q: Questionnaire, answers: dict[str, Any], manager: str, salesperson: str
) -> None:
    actions = scored(q, **answers).recommendations[0].actions
    assert [a["who"]["fr"] for a in actions] == [manager, salesperson, "Dirigeant"]
    assert actions[0]["who"]["en"] in {
        "Sales manager",
        "Shared-time sales director",
        "Owner-manager",
    }
