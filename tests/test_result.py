"""The stored result read back (`StoredResult`) and the levels by id: pure, no app."""

from __future__ import annotations

from pathlib import Path

from assess.core.questionnaire import load_questionnaire
from assess.core.result import (
    CategoryScore,
    OutcomeResult,
    Result,
    ScoredCategory,
    StoredCategory,
    StoredOutcome,
    StoredResult,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def stored(**scores: float | None) -> StoredResult:
    """A stored result whose categories have these scores, in this order."""
    return StoredResult.from_json(
        {"categories": {cid: {"score": s, "level": "x"} for cid, s in scores.items()}}
    )


def test_from_json_reads_what_a_scoring_stores():
    result = Result(
        overall=42.5,
        level="debutant",
        categories={
            "a": CategoryScore("a", 30.0, "debutant", 3.0, 10.0),
            "b": CategoryScore("b", None, None, 0.0, 0.0),
        },
        recommendations=[],
        questions=[],
        outcomes={"o": OutcomeResult("o", 2, {"fr": "Deux"}, {"fr": "Texte"}, {})},
    )
    found = StoredResult.from_json(result.as_json())
    assert found.overall == 42.5 and found.level == "debutant"
    assert list(found.categories.values()) == [
        StoredCategory("a", 30.0, "debutant"),
        StoredCategory("b", None, None),
    ]
    assert found.outcomes == {"o": StoredOutcome("o", 2, {"fr": "Deux"})}
    assert found.recommendations == ()
    assert found.explanation["outcomes"] == [
        {"id": "o", "case": 2, "values": {}, "text": {"fr": "Texte"}}
    ]


def test_from_json_tolerates_what_older_versions_stored():
    for empty in (None, {}, {"categories": None, "outcomes": None, "explanation": None}):
        found = StoredResult.from_json(empty)
        assert (found.overall, found.level) == (None, None)
        assert found.categories == {} and found.outcomes == {}
        assert found.recommendations == () and found.explanation == {}
    found = StoredResult.from_json({"categories": {"a": None, "b": {}}, "recommendations": ["r"]})
    assert list(found.categories.values()) == [
        StoredCategory("a", None, None),
        StoredCategory("b", None, None),
    ]
    assert found.recommendations == ("r",)


def test_score_of_is_none_for_an_unscored_or_unknown_category():
    found = stored(a=12.5, b=None)
    assert found.score_of("a") == 12.5
    assert found.score_of("b") is None
    assert found.score_of("missing") is None
    assert found.level_of("a") == "x" and found.level_of("missing") is None


def test_weakest_are_the_lowest_scores_first_ties_in_the_stored_order():
    found = stored(a=50.0, b=20.0, c=None, d=20.0, e=10.0)
    assert found.weakest() == [
        ScoredCategory("e", 10.0, "x"),
        ScoredCategory("b", 20.0, "x"),
        ScoredCategory("d", 20.0, "x"),
        ScoredCategory("a", 50.0, "x"),
    ]
    assert [c.id for c in found.weakest(2)] == ["e", "b"]
    assert [c.id for c in found.weakest(10)] == ["e", "b", "d", "a"]
    assert stored(a=None).weakest(3) == [] and stored().weakest() == []


def test_levels_by_id_maps_each_level_once():
    q = load_questionnaire(FIXTURES / "valid_minimal.yaml")
    assert list(q.levels_by_id) == [level.id for level in q.levels]
    assert all(q.levels_by_id[level.id] is level for level in q.levels)
    assert q.levels_by_id is q.levels_by_id  # built once
