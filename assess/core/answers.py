"""Validating answers against a questionnaire: a pure function the web side and the CLI share.

Answer values follow the contract: `single` an option value, `multiple` a list of
values, `scale` and `number` a number, `boolean` true/false, `text` a string.
Answers to questions hidden by `show_if` are dropped, never scored (which questions are
shown is `assess.core.visibility`'s to say).
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from assess.core.questionnaire import Question, Questionnaire, Section
from assess.core.visibility import visibility

# Control characters a text answer never keeps (tab and newline stay).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_MESSAGES = {
    "required": "An answer is required.",
    "unknown_question": "There is no question with this id.",
    "not_a_choice": "Choose one of the options.",
    "unknown_option": "'{value}' is not one of the options.",
    "not_a_list": "Give a list of options.",
    "duplicate_option": "'{value}' is chosen twice.",
    "exclusive_option": "'{label}' cannot be chosen with another option.",
    "not_a_number": "Give a number.",
    "below_min": "Give a number of at least {min}.",
    "above_max": "Give a number of at most {max}.",
    "off_step": "Give a multiple of {step}.",
    "not_a_boolean": "Answer yes or no.",
    "not_text": "Give a text.",
    "too_long": "Keep it to {max_length} characters at most.",
}


@dataclass(frozen=True)
class AnswerError:
    """Why one answer was refused: a code the web side translates, and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason in plain English (the web side shows it translated)."""
        return _MESSAGES[self.code].format(**self.params)


class InvalidAnswers(ValueError):
    """Answers that break the questionnaire; errors are keyed by question id."""

    def __init__(self, errors: dict[str, list[AnswerError]], cleaned: dict[str, Any]):
        self.errors = errors
        self.cleaned = cleaned
        super().__init__(
            "; ".join(f"{qid}: {e.message}" for qid, found in errors.items() for e in found)
        )


Options = dict[str, int]  # option value to its position

# Each question's options per loaded questionnaire, keyed by id and dropped with it (a
# questionnaire is frozen once loaded): reading options from the pydantic objects on
# every call cost a third of a scoring.
_plans: dict[int, tuple[weakref.ref[Questionnaire], dict[str, Options]]] = {}


def _options_by_question(q: Questionnaire) -> dict[str, Options]:
    cached = _plans.get(id(q))
    if cached is not None and cached[0]() is q:
        return cached[1]
    options = {question.id: _options(question) for question in q.questions}
    key = id(q)
    _plans[key] = (weakref.ref(q, lambda _: _plans.pop(key, None)), options)
    return options


def _options(question: Question) -> Options:
    positions: Options = {}
    for position, option in enumerate(question.options or ()):
        positions.setdefault(option.value, position)
    return positions


def validate_answers(
    q: Questionnaire,
    raw: Mapping[str, Any],
    contact: Mapping[str, Any] | None = None,
    *,
    only_sections: Collection[str] | None = None,
) -> dict[str, Any]:
    """Return the clean answers to the questions shown, or raise InvalidAnswers with every error.

    With `only_sections`, errors are reported for those sections' questions only
    (a wizard step); invalid answers elsewhere are dropped.
    """
    errors: dict[str, list[AnswerError]] = {
        key: [AnswerError("unknown_question")] for key in raw if key not in q.questions_by_id
    }
    # Cleaning one answer does not depend on the others, so clean all first, then
    # keep only the questions this respondent is shown.
    options = _options_by_question(q)
    outcomes = {
        question.id: _clean(question, raw.get(question.id), options[question.id])
        for question in q.questions
    }
    valid = {qid: value for qid, (value, error) in outcomes.items() if error is None}
    cleaned: dict[str, Any] = {}
    for section, question, shown in visibility(q, valid, contact):
        if not shown:
            continue
        value, error = outcomes[question.id]
        if error is not None:
            if only_sections is None or section.id in only_sections:
                errors[question.id] = [error]
        elif value is not None:
            cleaned[question.id] = value
    if errors:
        raise InvalidAnswers(errors, cleaned)
    return cleaned


class StepAnswers(NamedTuple):
    """The answers once a step is posted, its refused answers, and the walk they give."""

    answers: dict[str, Any]
    errors: dict[str, list[AnswerError]]
    walked: list[tuple[Section, Question, bool]]


def apply_step(
    q: Questionnaire,
    stored: Mapping[str, Any],
    section: Section,
    posted: Mapping[str, Any],
    contact: Mapping[str, Any] | None,
) -> StepAnswers:
    """The stored (clean) answers with one section's posted answers applied.

    A valid answer replaces the stored one (or removes it when left empty); a refused
    answer leaves the stored one as it was and is reported, when its question is shown;
    the section's questions its own answers now hide lose their answer. One walk of the
    questionnaire decides what is shown, and is returned for the route.
    """
    options = _options_by_question(q)
    answers = dict(stored)
    refused: dict[str, AnswerError] = {}
    for question in section.questions:
        value, error = _clean(question, posted.get(question.id), options[question.id])
        if error is not None:
            refused[question.id] = error
        elif value is None:
            answers.pop(question.id, None)
        else:
            answers[question.id] = value
    walked = visibility(q, answers, contact)
    errors: dict[str, list[AnswerError]] = {}
    for section_of, question, shown in walked:
        if section_of.id != section.id:
            continue
        if not shown:
            # A hidden answer is never read later in the walk, so dropping it now is safe.
            answers.pop(question.id, None)
        elif question.id in refused:
            errors[question.id] = [refused[question.id]]
    return StepAnswers(answers, errors, walked)


def clean_answer(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    """(clean value or None when unanswered, error or None) for one shown question."""
    return _clean(question, value, _options(question))


def _clean(question: Question, value: Any, options: Options) -> tuple[Any, AnswerError | None]:
    if isinstance(value, str) and question.type != "text":
        value = value.strip() or None
    if value is None or (isinstance(value, list | tuple) and not value):
        return None, AnswerError("required") if question.is_required else None
    cleaner = _CLEANERS[question.type]
    return cleaner(question, value, options)


def _clean_single(
    question: Question, value: Any, options: Options
) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, str):
        return None, AnswerError("not_a_choice")
    if value not in options:
        return None, AnswerError("unknown_option", {"value": value[:40]})
    return value, None


def _clean_multiple(
    question: Question, value: Any, options: Options
) -> tuple[Any, AnswerError | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None, AnswerError("not_a_list")
    chosen: list[str] = []
    for item in value:
        if item not in options:
            return None, AnswerError("unknown_option", {"value": item[:40]})
        if item in chosen:
            return None, AnswerError("duplicate_option", {"value": item})
        chosen.append(item)
    if len(chosen) > 1:
        # An exclusive option ("none") is an answer on its own.
        for option in question.options or ():
            if option.exclusive and option.value in chosen:
                return None, AnswerError(
                    "exclusive_option", {"value": option.value, "label": option.label}
                )
    # Keep the options' order so equal answers compare equal.
    return sorted(chosen, key=options.__getitem__), None


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool, and not an int too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _clean_number(
    question: Question, value: Any, options: Options
) -> tuple[Any, AnswerError | None]:
    if not _is_number(value):
        return None, AnswerError("not_a_number")
    if question.min is not None and value < question.min:
        return None, AnswerError("below_min", {"min": f"{question.min:g}"})
    if question.max is not None and value > question.max:
        return None, AnswerError("above_max", {"max": f"{question.max:g}"})
    if question.step is not None:
        steps = (value - (question.min or 0)) / question.step
        # Tolerate float noise (0.07 / 0.01), which grows with the number of steps.
        if abs(steps - round(steps)) > 1e-9 + 1e-12 * abs(steps):
            return None, AnswerError("off_step", {"step": f"{question.step:g}"})
    return (int(value) if float(value).is_integer() else float(value)), None


def _clean_scale(
    question: Question, value: Any, options: Options
) -> tuple[Any, AnswerError | None]:
    # A scale without a step is answered in whole points.
    if question.step is None and _is_number(value) and not float(value).is_integer():
        return None, AnswerError("off_step", {"step": "1"})
    return _clean_number(question, value, options)


def _clean_boolean(
    question: Question, value: Any, options: Options
) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, bool):
        return None, AnswerError("not_a_boolean")
    return value, None


def _clean_text(question: Question, value: Any, options: Options) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, str):
        return None, AnswerError("not_text")
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return None, AnswerError("required") if question.is_required else None
    if len(text) > question.text_max_length:
        return None, AnswerError("too_long", {"max_length": question.text_max_length})
    return text, None


_CLEANERS = {
    "single": _clean_single,
    "multiple": _clean_multiple,
    "number": _clean_number,
    "scale": _clean_scale,
    "boolean": _clean_boolean,
    "text": _clean_text,
}


def parse_form_value(question: Question, values: list[str]) -> Any:
    """Turn what an HTML form posted for one question into a contract value.

    Numbers accept a French decimal comma; booleans post `yes` or `no`. A value
    that cannot be converted is passed on as posted, so validation names the error.
    """
    if question.type == "multiple":
        return [v for v in values if v != ""]
    value = values[-1] if values else None
    if value is None:
        return None
    if question.type in {"number", "scale"}:
        text = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if question.type == "boolean":
        return {"yes": True, "no": False}.get(value, value if value else None)
    return value
