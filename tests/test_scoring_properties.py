"""Properties of validation and scoring, on answer sets generated from the questionnaires.

The strategies are built from the Question objects themselves (type, options, min,
max, step, max_length), so they follow any questionnaire: the test fixture and the
shipped questions.yaml (skipped while that file is missing or does not load).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.contact import COMPANY_SIZES, SECTORS, expression_contact
from assess.core.questionnaire import (
    Question,
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
)
from assess.core.scoring import Result, score
from assess.core.visibility import walk

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "scoring.yaml"
SHIPPED = ROOT / "questions.yaml"

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", params=["fixture", "shipped"])
def q(request: pytest.FixtureRequest) -> Questionnaire:
    if request.param == "fixture":
        return load_questionnaire(FIXTURE)
    if not SHIPPED.exists():
        pytest.skip("questions.yaml does not exist yet")
    try:
        return load_questionnaire(SHIPPED)
    except QuestionnaireError as error:
        pytest.skip(f"questions.yaml does not load: {error.problems[0]}")


# -- strategies built from a questionnaire ---------------------------------------------------


def _tidy(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _numbers(question: Question) -> st.SearchStrategy[Any]:
    """Numbers within min and max, on the step grid when there is one."""
    step = question.step or (1.0 if question.type == "scale" else None)
    low = question.min if question.min is not None else -1e6
    high = question.max if question.max is not None else low + 1e6
    if step is None:
        return st.floats(low, high, allow_nan=False, allow_infinity=False).map(_tidy) | st.integers(
            math.ceil(low), math.floor(high)
        )
    count = math.floor((high - low) / step + 1e-9)
    return st.integers(0, count).map(lambda k: _tidy(min(low + k * step, high)))


def value_of(question: Question) -> st.SearchStrategy[Any]:
    """A valid answer to one question (never empty)."""
    values = [option.value for option in question.options or ()]
    if question.type == "single":
        return st.sampled_from(values)
    if question.type == "multiple":
        # An exclusive option ("none") is an answer on its own; the others combine freely.
        alone = [[o.value] for o in question.options or () if o.exclusive]
        free = [o.value for o in question.options or () if not o.exclusive]
        lists = st.lists(st.sampled_from(free), min_size=1, max_size=len(free), unique=True)
        return st.sampled_from(alone) | lists if alone else lists
    if question.type == "boolean":
        return st.booleans()
    if question.type == "text":
        # Starts with a letter so that cleaning (strip, control characters) keeps something.
        limit = min(question.text_max_length - 1, 60)
        return st.text(max_size=limit).map(lambda text: "x" + text)
    return _numbers(question)


def answers_for(q: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    """Answer sets where every required question has a valid answer, optional ones maybe."""
    fields = {
        question.id: value_of(question) if question.is_required else st.none() | value_of(question)
        for question in q.questions
    }
    return st.fixed_dictionaries(fields).map(
        lambda found: {key: value for key, value in found.items() if value is not None}
    )


contacts = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "company_size": st.sampled_from((*COMPANY_SIZES, "inconnue")),
        "sector": st.sampled_from(SECTORS),
        "email": st.just("lea@example.com"),
    },
)
# What a client could post as any answer: JSON values, including wrong types.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def as_text(result: Result) -> str:
    return json.dumps(result.as_json(), ensure_ascii=False)


def hidden_ids(q: Questionnaire, clean: dict[str, Any], contact: Any) -> list[str]:
    return [item.question.id for item in walk(q, clean, contact) if not item.shown]


# -- properties ------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_valid_answers_score_within_bounds_deterministically(
    q: Questionnaire, data: st.DataObject
) -> None:
    raw = data.draw(answers_for(q), label="answers")
    contact = data.draw(contacts, label="contact")
    clean = validate_answers(q, raw, contact)
    before = json.dumps(clean)
    result = score(q, clean, contact)
    # Same input, same output; the answers are left as they were.
    assert as_text(score(q, json.loads(before), contact)) == as_text(result)
    assert json.dumps(clean) == before
    shown = {item.question.id for item in walk(q, clean, contact) if item.shown}
    assert set(clean) <= shown
    assert {x.id for x in q.questions if x.is_required and x.id in shown} <= set(clean)
    scores = [c.score for c in result.categories.values() if c.score is not None]
    for category in result.categories.values():
        assert category.score is None or 0 <= category.score <= 100
        assert (category.score is None) == (category.possible == 0)
        assert category.level == (
            q.level_for(category.score).id if category.score is not None else None
        )
    assert result.overall is None or 0 <= result.overall <= 100
    if result.overall is not None:
        # A weighted mean lies between the lowest and the highest category score.
        assert min(scores) - 0.05 <= result.overall <= max(scores) + 0.05
    for item in result.questions:
        assert 0 <= item.earned <= item.possible
        if not item.shown:
            assert (item.answer, item.earned, item.possible) == (None, 0.0, 0.0)
    json.dumps(result.as_json())


@SETTINGS
@given(data=st.data())
def test_a_hidden_question_never_counts(q: Questionnaire, data: st.DataObject) -> None:
    raw = data.draw(answers_for(q), label="answers")
    contact = data.draw(contacts, label="contact")
    clean = validate_answers(q, raw, contact)
    hidden = hidden_ids(q, clean, contact)
    changed = dict(raw)
    for question_id in hidden:
        question = q.questions_by_id[question_id]
        # Another valid answer, no answer, or garbage: all the same for a hidden question.
        changed[question_id] = data.draw(
            st.none() | value_of(question) | json_values, label=f"hidden {question_id}"
        )
    assert validate_answers(q, changed, contact) == clean
    assert as_text(score(q, validate_answers(q, changed, contact), contact)) == as_text(
        score(q, clean, contact)
    )
    # score() given the hidden answers directly ignores them too.
    direct = {**clean, **{k: v for k, v in changed.items() if k in hidden}}
    assert as_text(score(q, direct, contact)) == as_text(score(q, clean, contact))


@SETTINGS
@given(data=st.data())
def test_the_order_of_the_answers_does_not_matter(q: Questionnaire, data: st.DataObject) -> None:
    raw = data.draw(answers_for(q), label="answers")
    contact = data.draw(contacts, label="contact")
    items = data.draw(st.permutations(list(raw.items())), label="order")
    shuffled = {
        key: data.draw(st.permutations(value), label=key) if isinstance(value, list) else value
        for key, value in items
    }
    first = validate_answers(q, raw, contact)
    second = validate_answers(q, shuffled, contact)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert as_text(score(q, first, contact)) == as_text(score(q, second, contact))


@SETTINGS
@given(data=st.data())
def test_rules_and_outcomes_match_a_rule_by_rule_reading(
    q: Questionnaire, data: st.DataObject
) -> None:
    """The contract read literally: each `when` alone, ranked by impact, then the best of each
    group, none with one it excludes, at most ten (docs/questionnaire.md)."""
    raw = data.draw(answers_for(q), label="answers")
    contact = data.draw(contacts, label="contact")
    result = score(q, validate_answers(q, raw, contact), contact)
    context = {
        "answers": {item.question_id: item.answer for item in result.questions},
        "scores": {cid: c.score for cid, c in result.categories.items()},
        "levels": {cid: c.level for cid, c in result.categories.items()},
        "overall": result.overall,
        "level": result.level,
        "contact": expression_contact(contact),
    }
    gaps = {
        c.id: q.categories_by_id[c.id].weight * (100 - c.score)
        for c in result.categories.values()
        if c.score is not None
    }
    mean_gap = sum(gaps.values()) / len(gaps) if gaps else 0.0
    fired = [
        (
            rule.priority,
            -gaps.get(rule.category or "", mean_gap),
            -len(rule.condition.values(context)),
            -len(rule.actions),
            rule.id,
        )
        for rule in q.recommendations
        if rule.condition.is_true(context)
    ]
    fired.sort()
    plan: list[str] = []
    for *_, rule_id in fired:
        rule = next(r for r in q.recommendations if r.id == rule_id)
        taken = [r for r in q.recommendations if r.id in plan]
        if len(plan) < 10 and not any(
            (rule.group is not None and other.group == rule.group)
            or other.id in rule.excludes
            or rule.id in other.excludes
            for other in taken
        ):
            plan.append(rule_id)
    assert [r.id for r in result.recommendations] == plan
    for outcome in q.outcomes:
        case = next(
            i
            for i, c in enumerate(outcome.cases)
            if c.condition is None or c.condition.is_true(context)
        )
        assert result.outcomes[outcome.id].case == case


@SETTINGS
@given(data=st.data())
def test_any_json_input_is_either_clean_or_refused(q: Questionnaire, data: st.DataObject) -> None:
    ids = [x.id for x in q.questions]
    raw = data.draw(
        st.dictionaries(
            st.sampled_from(ids) | st.text(max_size=8), json_values, max_size=len(ids) + 2
        ),
        label="answers",
    )
    contact = data.draw(contacts, label="contact")
    try:
        clean = validate_answers(q, raw, contact)
    except InvalidAnswers as invalid:
        assert invalid.errors
        assert all(found for found in invalid.errors.values())
        assert all(e.message for found in invalid.errors.values() for e in found)
        clean = invalid.cleaned
    # Whatever survived validation scores.
    json.dumps(score(q, clean, contact).as_json())
