"""The scoring table of tests/test_scoring.py: answer sets on tests/fixtures/scoring.yaml
and every category's score and level, the overall, and the rules that fire, in order."""

from __future__ import annotations

from typing import Any

import pytest

# Every question answered for the most points: pipeline 10/10, follow_up 10/10, no team.
BEST: dict[str, Any] = {
    "has_sales_team": False,
    "qualification": "formal",
    "channels": ["phone", "linkedin"],
    "weekly_review": True,
    "contacts_before_giving_up": 8,
    "discipline": 5,
    "crm_usage": 9,
}
NO_SCORE = (None, None)


def answers(**changes: Any) -> dict[str, Any]:
    """BEST with some answers changed; None removes an answer."""
    found = {**BEST, **changes}
    return {key: value for key, value in found.items() if value is not None}


def cats(pipeline: tuple, follow_up: tuple, team: tuple = NO_SCORE) -> dict[str, tuple]:
    """Expected (score, level) per category; `notes` never has a score (no points possible)."""
    return {"pipeline": pipeline, "follow_up": follow_up, "team": team, "notes": NO_SCORE}


TEAM = {"has_sales_team": True}
ROWS = [
    # -- single, multiple, boolean: the pipeline category (weight 2) -----------------------
    pytest.param(
        answers(),
        None,
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="best answers, team section hidden",
    ),
    pytest.param(
        answers(qualification="unknown", deal_value=1500),
        None,
        cats((70.0, "mid"), (100.0, "high")),
        (80.0, "high"),
        ["qualify_prospects"],
        id="single: a negative option earns 0, not less",
    ),
    pytest.param(
        answers(qualification="none", channels=["phone"], weekly_review=False),
        None,
        cats((20.0, "low"), (100.0, "high")),
        (46.7, "mid"),
        ["qualify_prospects", "try_linkedin", "overall_low"],
        id="single: an option without points earns 0",
    ),
    pytest.param(
        answers(qualification="informal", channels=["phone", "email", "linkedin", "events"]),
        None,
        cats((80.0, "high"), (100.0, "high")),
        (86.7, "high"),
        [],
        id="multiple: 8 points capped at max_points 5",
    ),
    pytest.param(
        answers(channels=["spam"]),
        None,
        cats((50.0, "mid"), (100.0, "high")),
        (66.7, "mid"),
        ["overall_low"],
        id="multiple: a negative option alone earns 0",
    ),
    pytest.param(
        answers(channels=["linkedin", "events", "spam"]),
        None,
        cats((80.0, "high"), (100.0, "high")),
        (86.7, "high"),
        [],
        id="multiple: a negative option lowers the total",
    ),
    pytest.param(
        answers(channels=["phone", "email", "linkedin", "events", "spam"]),
        None,
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="multiple: the cap applies to the total net of penalties",
    ),
    pytest.param(
        answers(weekly_review=False),
        None,
        cats((80.0, "high"), (100.0, "high")),
        (86.7, "high"),
        [],
        id="boolean: the points for no",
    ),
    # -- scale and number: the follow_up category (weight 1) -------------------------------
    pytest.param(
        answers(discipline=1),
        None,
        cats((100.0, "high"), (60.0, "mid")),
        (86.7, "high"),
        [],
        id="scale without points: the minimum earns 0",
    ),
    pytest.param(
        answers(discipline=3),
        None,
        cats((100.0, "high"), (80.0, "high")),
        (93.3, "high"),
        [],
        id="scale without points: value minus min",
    ),
    pytest.param(
        answers(contacts_before_giving_up=0),
        None,
        cats((100.0, "high"), (60.0, "mid")),
        (86.7, "high"),
        ["keep_following_up"],
        id="number bands: the first band",
    ),
    pytest.param(
        answers(contacts_before_giving_up=3),
        None,
        cats((100.0, "high"), (80.0, "high")),
        (93.3, "high"),
        ["keep_following_up"],
        id="number bands: below is exclusive (3 is not below 3)",
    ),
    pytest.param(
        answers(contacts_before_giving_up=6),
        None,
        cats((100.0, "high"), (80.0, "high")),
        (93.3, "high"),
        ["keep_following_up"],
        id="number bands: the middle band",
    ),
    pytest.param(
        answers(contacts_before_giving_up=7),
        None,
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="number bands: the open-ended last band",
    ),
    pytest.param(
        answers(crm_usage=3),
        None,
        cats((100.0, "high"), (80.0, "high")),
        (93.3, "high"),
        ["crm_rarely_used"],
        id="scale bands: the first band",
    ),
    pytest.param(
        answers(crm_usage=4),
        None,
        cats((100.0, "high"), (90.0, "high")),
        (96.7, "high"),
        [],
        id="scale bands: exactly at a band's below",
    ),
    pytest.param(
        answers(crm_usage=None),
        None,
        cats((100.0, "high"), (80.0, "high")),
        (93.3, "high"),
        [],
        id="an optional question left unanswered is possible, earns 0",
    ),
    pytest.param(
        answers(qualification="none", crm_usage=None),
        None,
        cats((70.0, "mid"), (80.0, "high")),
        (73.3, "mid"),
        ["qualify_prospects", "overall_low"],
        id="a rule whose when raises (none < 4) does not fire, the others do",
    ),
    # -- the team section, shown only with a sales team ------------------------------------
    pytest.param(
        answers(**TEAM, team_size=2, team_training="yearly", coaching=True),
        None,
        cats((100.0, "high"), (100.0, "high"), (50.0, "mid")),
        (87.5, "high"),
        [],
        id="question hidden by show_if counts for neither earned nor possible",
    ),
    pytest.param(
        answers(**TEAM, team_size=3, team_training="never", coaching=False),
        None,
        cats((100.0, "high"), (100.0, "high"), (0.0, "low")),
        (75.0, "high"),
        ["train_team"],
        id="shown at team_size 3; overall exactly at a level's from",
    ),
    pytest.param(
        answers(**TEAM, team_size=10, team_training="quarterly", coaching=True),
        None,
        cats((100.0, "high"), (100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="boolean without points: yes earns 1",
    ),
    pytest.param(
        answers(**TEAM, team_size=3, team_training="quarterly", coaching=False),
        None,
        cats((100.0, "high"), (100.0, "high"), (66.7, "mid")),
        # the weighted mean of the category scores as shown (rounded to one decimal)
        (round((2 * 100.0 + 100.0 + 66.7) / 4, 1), "high"),
        [],
        id="category score rounded to one decimal",
    ),
    pytest.param(
        answers(has_sales_team=False, team_size=3, team_training="never", coaching=False),
        None,
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="section hidden: its answers count for nothing, its category has no score",
    ),
    # -- levels ----------------------------------------------------------------------------
    pytest.param(
        answers(channels=["email"], weekly_review=False),
        None,
        cats((40.0, "mid"), (100.0, "high")),
        (60.0, "mid"),
        ["try_linkedin", "overall_low"],
        id="level: exactly at from (40)",
    ),
    pytest.param(
        answers(channels=["spam"], weekly_review=False),
        None,
        cats((30.0, "low"), (100.0, "high")),
        (53.3, "mid"),
        ["try_linkedin", "overall_low"],
        id="level: below from (30)",
    ),
    # -- recommendation order --------------------------------------------------------------
    pytest.param(
        answers(
            qualification="none",
            channels=["phone", "linkedin", "events"],
            contacts_before_giving_up=2,
            discipline=1,
            crm_usage=0,
        ),
        None,
        cats((70.0, "mid"), (0.0, "low")),
        (46.7, "mid"),
        [
            "keep_following_up",  # priority 1, weighted gaps: follow_up 1 x 100, pipeline 2 x 30
            "qualify_prospects",
            "plan_follow_ups",  # priority 2
            "crm_rarely_used",  # priority 3: follow_up's gap 100 before the mean gap (100+60)/2
            "overall_low",
        ],
        id="order: priority, then the largest weighted gap",
    ),
    pytest.param(
        answers(
            qualification="none",
            channels=["phone"],
            weekly_review=False,
            contacts_before_giving_up=2,
            discipline=3,
            crm_usage=0,
        ),
        {"company_size": "tpe"},
        cats((20.0, "low"), (20.0, "low")),
        (20.0, "low"),
        [
            "qualify_prospects",  # priority 1, equal scores: pipeline weighs 2, gap 160 over 80
            "keep_following_up",
            "try_linkedin",  # priority 2: pipeline 160
            "small_company",  # no category: the mean gap, (160 + 80) / 2 = 120
            "plan_follow_ups",  # follow_up 80
            "overall_low",  # priority 3: the mean gap 120 before follow_up's 80
            "crm_rarely_used",
        ],
        id="order: equal category scores, the heavier area first, never file order",
    ),
    # -- contact ---------------------------------------------------------------------------
    pytest.param(
        answers(),
        {"company_size": "tpe", "sector": "btp"},
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        ["small_company"],
        id="contact.company_size in a when",
    ),
    pytest.param(
        answers(),
        {"company_size": "pe"},
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="contact.company_size: another size",
    ),
    pytest.param(
        answers(),
        {"company_size": "TPE"},
        cats((100.0, "high"), (100.0, "high")),
        (100.0, "high"),
        [],
        id="contact.company_size: a value outside the list is none",
    ),
]
