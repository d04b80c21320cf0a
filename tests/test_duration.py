"""How long the diagnostic takes, and what is left at each step."""

from __future__ import annotations

from typing import Any

import pytest

from assess.core.duration import (
    CONTACT_SECONDS,
    SECONDS_PER_TYPE,
    minutes_left,
    question_seconds,
    total_minutes,
    whole_minutes,
)
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.steps import plan_route
from tests.helpers.paths import FIXTURES, OTHER_TOPIC, SHIPPED
from tests.helpers.personas import persona

SCORING = FIXTURES / "scoring.yaml"


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(0, 0), (59, 0), (60, 1), (61, 2), (119, 2), (120, 2), (581, 10)]
)
def test_minutes_are_rounded_up_and_zero_means_less_than_one(seconds: int, minutes: int) -> None:
    assert whole_minutes(seconds) == minutes


def test_every_question_type_has_a_time() -> None:
    for path in (SHIPPED, OTHER_TOPIC, SCORING):
        q = load_questionnaire(path)
        assert {question.type for question in q.questions} <= set(SECONDS_PER_TYPE)


def left_at_each_step(q: Questionnaire, answers: dict[str, Any]) -> list[tuple[str, int]]:
    """Walking forward with these answers: each step and the minutes left shown on it."""
    given: dict[str, Any] = {}
    done: list[str] = []
    has_lead = False
    seen = []
    for _ in range(len(q.sections) + 2):
        route = plan_route(q, given, None, has_lead=has_lead, steps_done=done)
        if route.all_done:
            return seen
        step = route.frontier
        seen.append((step.id, minutes_left(q, route, step.id)))
        if step.section is None:
            has_lead = True
        else:
            given.update({x.id: answers.get(x.id) for x in step.section.questions})
            done.append(step.id)
    raise AssertionError(seen)


@pytest.mark.parametrize("name", ["pme_industrielle", "artisan_tpe"])
def test_the_first_step_promises_what_the_landing_page_did_and_time_only_goes_down(
    name: str,
) -> None:
    q = load_questionnaire(SHIPPED)
    seen = left_at_each_step(q, persona(name)["answers"])
    assert seen[0][1] == total_minutes(q)
    minutes = [left for _, left in seen]
    assert minutes == sorted(minutes, reverse=True)
    # The contact form alone is left on the last step.
    assert seen[-1] == ("contact", whole_minutes(CONTACT_SECONDS))


def test_a_section_the_answers_hide_no_longer_counts_one_they_may_still_show_does() -> None:
    q = load_questionnaire(SCORING)
    sections = {section.id: section for section in q.sections}
    follow_up = question_seconds(sections["follow_up"].questions)
    team = question_seconds(sections["team"].questions)
    pipeline = question_seconds(sections["pipeline"].questions)
    after_company = pipeline + follow_up + CONTACT_SECONDS
    for has_team, expected in ((False, after_company), (True, after_company + team)):
        route = plan_route(
            q, {"has_sales_team": has_team}, None, has_lead=False, steps_done=["company"]
        )
        assert minutes_left(q, route, "pipeline") == whole_minutes(expected)
    # Before has_sales_team is answered, the team's section may still come: it counts.
    first = plan_route(q, {}, None, has_lead=False, steps_done=[])
    assert "team" not in first.ids
    assert minutes_left(q, first, "company") == total_minutes(q)


def test_with_the_contact_first_its_step_counts_everything() -> None:
    q = load_questionnaire(OTHER_TOPIC)
    route = plan_route(q, {}, None, has_lead=False, steps_done=[])
    assert route.frontier.id == "contact"
    assert minutes_left(q, route, "contact") == total_minutes(q)
    # Once given, going back to it counts no contact form any more.
    after = plan_route(q, {}, None, has_lead=True, steps_done=[])
    everything = question_seconds(q.questions)
    assert minutes_left(q, after, "contact") == whole_minutes(everything)
