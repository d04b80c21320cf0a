"""The wizard's route for one respondent: its steps, how far they may go, what comes next.

One walk of the questionnaire (the `show_if` of every section and question, in
order) gives both the steps, that is the sections with a question shown plus the
contact step, and the questions shown; a request computes it once.

A step's number, and the total shown beside it, never depend on the answers: every
section of the questionnaire has its place, and the contact step its own (first or
last, as `lead_capture` says). A section a respondent is not shown is jumped over
("Step 4 of 11" is followed by "Step 6 of 11"), so the total never grows while they
answer (docs/respondent.md, "Progress").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from assess.core.questionnaire import Question, Questionnaire, Section
from assess.core.visibility import visibility

CONTACT_STEP = "contact"


class Step(NamedTuple):
    """A step of the wizard: a section of questions, or the contact form."""

    id: str
    section: Section | None = None

    @property
    def is_contact(self) -> bool:
        """Whether this is the contact step."""
        return self.section is None


@dataclass(frozen=True)
class Route:
    """The steps a respondent goes through, the first one not done yet, the questions shown."""

    steps: tuple[Step, ...]
    frontier: Step
    shown: frozenset[str]
    # Every section posted and the contact given.
    all_done: bool
    # What the frontier was worked out from: the sections posted, whether the contact is given.
    done: frozenset[str] = frozenset()
    has_lead: bool = False
    # Every step any respondent may be shown, in order: what a step's number counts.
    places: tuple[str, ...] = ()

    def with_done(self, step_id: str) -> Route:
        """The same route once `step_id` is posted (no new walk: the answers are the same)."""
        return _route(self.steps, self.shown, self.done | {step_id}, self.has_lead, self.places)

    @property
    def ids(self) -> list[str]:
        """The steps' ids, in order."""
        return [step.id for step in self.steps]

    def allows(self, step_id: str) -> bool:
        """Whether the step is on the route and not beyond the first step not done."""
        ids = self.ids
        return step_id in ids and ids.index(step_id) <= ids.index(self.frontier.id)

    def step(self, step_id: str) -> Step:
        """The step with this id (it must be on the route)."""
        return next(step for step in self.steps if step.id == step_id)

    def number(self, step_id: str) -> int:
        """The step's number, from 1: its place among every step any respondent may be shown."""
        return self.places.index(step_id) + 1

    @property
    def total(self) -> int:
        """How many steps the numbers count: the same whatever the answers."""
        return len(self.places)

    def previous(self, step_id: str) -> str | None:
        """The step before this one, if any."""
        ids = self.ids
        index = ids.index(step_id)
        return ids[index - 1] if index > 0 else None

    def after(self, done_step: str) -> str | None:
        """Where to go once `done_step` is done; None when that completes the diagnostic."""
        ids = self.ids
        if self.all_done and done_step == ids[-1]:
            return None
        position = ids.index(done_step) if done_step in ids else -1
        following = ids[position + 1] if position + 1 < len(ids) else self.frontier.id
        # Never jump past the first step not done yet.
        return (
            following if ids.index(following) <= ids.index(self.frontier.id) else self.frontier.id
        )


def plan_route(
    q: Questionnaire,
    answers: Mapping[str, Any],
    contact: Mapping[str, Any] | None,
    *,
    has_lead: bool,
    steps_done: Iterable[str],
) -> Route:
    """The route given the answers so far (clean values), the lead and the steps posted."""
    return route_from(q, visibility(q, answers, contact), has_lead=has_lead, steps_done=steps_done)


def route_from(
    q: Questionnaire,
    walked: Iterable[tuple[Section, Question, bool]],
    *,
    has_lead: bool,
    steps_done: Iterable[str],
) -> Route:
    """The route from a walk already made: (section, question, shown) in order."""
    sections: dict[str, Section] = {}
    shown: set[str] = set()
    for section, question, is_shown in walked:
        if is_shown:
            shown.add(question.id)
            # A section is a step when at least one of its questions is shown.
            sections.setdefault(section.id, section)
    section_steps = [Step(section.id, section) for section in sections.values()]
    contact_step = Step(CONTACT_STEP)
    steps = (
        (contact_step, *section_steps)
        if q.lead_capture == "start"
        else (*section_steps, contact_step)
    )
    return _route(steps, frozenset(shown), frozenset(steps_done), has_lead, step_places(q))


def step_places(q: Questionnaire) -> tuple[str, ...]:
    """Every step any respondent may be shown, in order: each section, and the contact step
    first or last as `lead_capture` says. Step numbers count these, so the total never
    depends on the answers."""
    sections = tuple(section.id for section in q.sections)
    return (CONTACT_STEP, *sections) if q.lead_capture == "start" else (*sections, CONTACT_STEP)


def _route(
    steps: tuple[Step, ...],
    shown: frozenset[str],
    done: frozenset[str],
    has_lead: bool,
    places: tuple[str, ...],
) -> Route:
    first_not_done = next(
        (step for step in steps if (not has_lead if step.is_contact else step.id not in done)), None
    )
    return Route(
        steps=steps,
        frontier=first_not_done or steps[-1],
        shown=shown,
        all_done=first_not_done is None,
        done=done,
        has_lead=has_lead,
        places=places,
    )
