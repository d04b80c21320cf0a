"""The wizard's route: a posted section's own answers never change whether it may be posted,
and the route once it is posted needs no new walk.

`submissions._section_change` relies on both to check a posted step and find the next one
from a single walk of the questionnaire, made with the posted answers applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.core.answers import apply_step
from assess.core.questionnaire import Question, Questionnaire, load_questionnaire
from assess.core.steps import plan_route, route_from

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = [ROOT / "questions.yaml", ROOT / "tests" / "fixtures" / "scoring.yaml"]


def valid_value(question: Question) -> st.SearchStrategy[Any]:
    values = [option.value for option in question.options or ()]
    if question.type == "single":
        return st.sampled_from(values)
    if question.type == "multiple":
        return st.lists(st.sampled_from(values), min_size=1, unique=True)
    if question.type == "boolean":
        return st.booleans()
    if question.type in {"scale", "number"}:
        low = int(question.min if question.min is not None else 0)
        high = int(question.max if question.max is not None else 100)
        return st.integers(low, min(high, low + 50))
    return st.text(max_size=5)


@st.composite
def posted_section(draw: st.DrawFn, q: Questionnaire) -> tuple[Any, ...]:
    stored = {
        question.id: draw(valid_value(question)) for question in q.questions if draw(st.booleans())
    }
    section = draw(st.sampled_from(q.sections))
    posted = {
        question.id: draw(st.one_of(valid_value(question), st.none(), st.just("n'importe quoi")))
        for question in section.questions
    }
    steps_done = draw(st.lists(st.sampled_from([s.id for s in q.sections]), unique=True))
    contact = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "company_size": st.sampled_from(["tpe", "pe", "me", "eti"]),
                    "sector": st.sampled_from(["industrie", "services", "commerce"]),
                }
            ),
        )
    )
    return stored, section, posted, steps_done, contact, draw(st.booleans())


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda path: path.name)
def test_a_sections_own_answers_never_change_whether_it_may_be_posted(path: Path) -> None:
    q = load_questionnaire(path)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(posted_section(q))
    def check(case: tuple[Any, ...]) -> None:
        stored, section, posted, steps_done, contact, has_lead = case
        before = plan_route(q, stored, contact, has_lead=has_lead, steps_done=steps_done)
        walked = apply_step(q, stored, section, posted, contact).walked
        after = route_from(q, walked, has_lead=has_lead, steps_done=steps_done)
        assert after.allows(section.id) == before.allows(section.id)
        if not before.allows(section.id):
            assert after.frontier.id == before.frontier.id
        # Once posted: the same route as a new walk with the step done would give.
        posted_route = route_from(
            q, walked, has_lead=has_lead, steps_done=[*steps_done, section.id]
        )
        assert after.with_done(section.id) == posted_route

    check()


SCORING = ROOT / "tests" / "fixtures" / "scoring.yaml"
OTHER_TOPIC = ROOT / "tests" / "fixtures" / "other_topic.yaml"


def walk_forward(q: Questionnaire, answers: dict[str, Any]) -> list[tuple[str, int, int]]:
    """Each step a respondent sees in turn, posting `answers` section by section (the contact
    given when its turn comes): its id, its number and the total shown beside it."""
    given: dict[str, Any] = {}
    done: list[str] = []
    has_lead = False
    seen = []
    for _ in range(len(q.sections) + 2):
        route = plan_route(q, given, None, has_lead=has_lead, steps_done=done)
        if route.all_done:
            return seen
        step = route.frontier
        seen.append((step.id, route.number(step.id), route.total))
        if step.is_contact:
            has_lead = True
        else:
            assert step.section is not None
            given.update({x.id: answers[x.id] for x in step.section.questions if x.id in answers})
            done.append(step.id)
    raise AssertionError(f"the walk did not end: {seen}")


def test_the_total_stays_the_same_when_a_section_appears_and_the_contact_is_last() -> None:
    q = load_questionnaire(SCORING)
    # Before the first answer, the team's section is hidden (it needs has_sales_team)...
    first = plan_route(q, {}, None, has_lead=False, steps_done=[])
    assert "team" not in first.ids
    with_team = walk_forward(
        q, {"has_sales_team": True, "team_size": 4, "team_training": "yearly", "coaching": True}
    )
    # ...it appears once answered, and the total shown never moved.
    assert [step for step, _, _ in with_team] == [
        "company",
        "pipeline",
        "follow_up",
        "team",
        "contact",
    ]
    assert [(number, total) for _, number, total in with_team] == [(n, 5) for n in range(1, 6)]


def test_a_section_not_shown_is_jumped_over_and_the_total_is_the_same() -> None:
    q = load_questionnaire(SCORING)
    without_team = walk_forward(q, {"has_sales_team": False})
    assert [(step, number, total) for step, number, total in without_team] == [
        ("company", 1, 5),
        ("pipeline", 2, 5),
        ("follow_up", 3, 5),
        ("contact", 5, 5),  # 4 was the team's section
    ]


def test_with_the_contact_first_it_is_step_one_and_the_total_never_changes() -> None:
    q = load_questionnaire(OTHER_TOPIC)
    assert q.lead_capture == "start"
    conditional = [section.id for section in q.sections if section.show_if]
    assert conditional, "the fixture has a section with a show_if"
    for shown in (True, False):
        answers = {
            question.id: shown if question.type == "boolean" else None for question in q.questions
        }
        seen = walk_forward(q, answers)
        assert seen[0][:2] == ("contact", 1)
        assert {total for _, _, total in seen} == {len(q.sections) + 1}
        numbers = [number for _, number, _ in seen]
        assert numbers == sorted(set(numbers))
        assert (conditional[0] in [step for step, _, _ in seen]) is shown


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda path: path.name)
def test_numbers_follow_the_route_and_the_total_is_every_place(path: Path) -> None:
    q = load_questionnaire(path)

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(posted_section(q))
    def check(case: tuple[Any, ...]) -> None:
        stored, _section, _posted, steps_done, contact, has_lead = case
        route = plan_route(q, stored, contact, has_lead=has_lead, steps_done=steps_done)
        assert route.total == len(q.sections) + 1
        numbers = [route.number(step_id) for step_id in route.ids]
        assert numbers == sorted(set(numbers))
        assert route.number("contact") == (1 if q.lead_capture == "start" else route.total)

    check()
