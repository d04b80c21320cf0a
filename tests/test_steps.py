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
