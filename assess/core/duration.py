"""How long the diagnostic takes: in all (the landing page), and what is left (each step).

Both count seconds per question by its type, plus the contact step, and round up to
whole minutes, so the first step promises what the landing page did.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from assess.core.questionnaire import Question, Questionnaire, Section
from assess.core.questionnaire.expressions import Expression
from assess.core.steps import CONTACT_STEP, Route

# Seconds an executive takes per question, by type: a click, a few clicks, a figure to look
# up, a sentence to write.
SECONDS_PER_TYPE = {
    "single": 10,
    "multiple": 15,
    "scale": 8,
    "number": 15,
    "boolean": 6,
    "text": 45,
}
# Eight fields, a consent box: about a minute.
CONTACT_SECONDS = 60


def question_seconds(questions: Iterable[Question]) -> int:
    """Seconds these questions take."""
    return sum(SECONDS_PER_TYPE[question.type] for question in questions)


def whole_minutes(seconds: int) -> int:
    """Minutes, rounded up; 0 for less than a minute."""
    return 0 if seconds < 60 else math.ceil(seconds / 60)


def total_minutes(q: Questionnaire) -> int:
    """Minutes the whole diagnostic takes: every question, even those a condition may hide,
    and the contact step (at least 1)."""
    return max(1, whole_minutes(question_seconds(q.questions) + CONTACT_SECONDS))


def minutes_left(q: Questionnaire, route: Route, step_id: str) -> int:
    """Minutes left from the start of `step_id` (0: less than a minute).

    It counts the questions of this step and the sections after it that the answers so far
    show, and those a condition may still show because it reads an answer not given yet
    (one of this step or a later one, or the contact details while the contact step is
    ahead); the contact step too when it is this one or still ahead.
    """
    position = route.number(step_id) - 1
    ahead = set(route.places[position:])
    contact_ahead = CONTACT_STEP in ahead and not route.has_lead
    sections = [section for section in q.sections if section.id in ahead]
    open_answers = {question.id for section in sections for question in section.questions}
    seconds = question_seconds(
        question
        for section in sections
        for question in section.questions
        if question.id in route.shown or _may_show(section, question, open_answers, contact_ahead)
    )
    return whole_minutes(seconds + (CONTACT_SECONDS if contact_ahead else 0))


def _may_show(
    section: Section, question: Question, open_answers: set[str], contact_ahead: bool
) -> bool:
    """Whether a hidden question's conditions read something not answered yet."""
    return any(
        _reads_open(condition, open_answers, contact_ahead)
        for condition in (section.condition, question.condition)
    )


def _reads_open(condition: Expression | None, open_answers: set[str], contact_ahead: bool) -> bool:
    if condition is None:
        return False
    for reference in condition.references:
        if reference.root == "answers" and (reference.key is None or reference.key in open_answers):
            return True
        if reference.root == "contact" and contact_ahead:
            return True
    return False
