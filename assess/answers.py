"""Validating answers against a questionnaire: a pure function the web side and the CLI share.

Answer values follow the contract: `single` an option value, `multiple` a list of
values, `scale` and `number` a number, `boolean` true/false, `text` a string.
Answers to questions hidden by `show_if` are dropped, never scored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from assess.contact import expression_contact
from assess.questionnaire import Question, Questionnaire, Section

# Control characters a text answer never keeps (tab and newline stay).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_MESSAGES = {
    "required": "An answer is required.",
    "unknown_question": "There is no question with this id.",
    "not_a_choice": "Choose one of the options.",
    "unknown_option": "'{value}' is not one of the options.",
    "not_a_list": "Give a list of options.",
    "duplicate_option": "'{value}' is chosen twice.",
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


@dataclass(frozen=True)
class Visibility:
    """One question and whether this respondent is asked it."""

    section: Section
    question: Question
    shown: bool


def walk(q: Questionnaire, answers: Mapping[str, Any], contact: Mapping[str, Any] | None) -> Iterator[Visibility]:
    """Each question in order with its visibility, reading earlier answers only.

    `answers` must hold clean values; a hidden question's answer is never read.
    """
    seen: dict[str, Any] = dict.fromkeys(q.questions_by_id)
    context = {"answers": seen, "contact": expression_contact(contact)}
    for section in q.sections:
        section_shown = section.condition is None or section.condition.is_true(context)
        for question in section.questions:
            shown = section_shown and (
                question.condition is None or question.condition.is_true(context)
            )
            if shown:
                seen[question.id] = answers.get(question.id)
            yield Visibility(section, question, shown)


def visible_sections(q: Questionnaire, answers: Mapping[str, Any], contact: Mapping[str, Any] | None) -> list[Section]:
    """The sections with at least one question shown: the wizard's steps for this respondent."""
    shown: dict[str, Section] = {}
    for item in walk(q, answers, contact):
        if item.shown:
            shown.setdefault(item.section.id, item.section)
    return list(shown.values())


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
    outcomes = {question.id: clean_answer(question, raw.get(question.id)) for question in q.questions}
    valid = {qid: value for qid, (value, error) in outcomes.items() if error is None}
    cleaned: dict[str, Any] = {}
    for item in walk(q, valid, contact):
        if not item.shown:
            continue
        value, error = outcomes[item.question.id]
        if error is not None:
            if only_sections is None or item.section.id in only_sections:
                errors[item.question.id] = [error]
        elif value is not None:
            cleaned[item.question.id] = value
    if errors:
        raise InvalidAnswers(errors, cleaned)
    return cleaned


def clean_answer(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    """(clean value or None when unanswered, error or None) for one shown question."""
    if isinstance(value, str) and question.type != "text":
        value = value.strip() or None
    if value is None or value == []:
        return None, AnswerError("required") if question.is_required else None
    cleaner = _CLEANERS[question.type]
    return cleaner(question, value)


def _clean_single(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, str):
        return None, AnswerError("not_a_choice")
    if question.option(value) is None:
        return None, AnswerError("unknown_option", {"value": value[:40]})
    return value, None


def _clean_multiple(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None, AnswerError("not_a_list")
    chosen: list[str] = []
    for item in value:
        if question.option(item) is None:
            return None, AnswerError("unknown_option", {"value": item[:40]})
        if item in chosen:
            return None, AnswerError("duplicate_option", {"value": item})
        chosen.append(item)
    # Keep the options' order so equal answers compare equal.
    order = [o.value for o in question.options or ()]
    return sorted(chosen, key=order.index), None


def _clean_number(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, AnswerError("not_a_number")
    if question.min is not None and value < question.min:
        return None, AnswerError("below_min", {"min": f"{question.min:g}"})
    if question.max is not None and value > question.max:
        return None, AnswerError("above_max", {"max": f"{question.max:g}"})
    if question.step is not None:
        steps = (value - (question.min or 0)) / question.step
        if abs(steps - round(steps)) > 1e-9:
            return None, AnswerError("off_step", {"step": f"{question.step:g}"})
    return (int(value) if float(value).is_integer() else float(value)), None


def _clean_scale(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    if question.step is None and not isinstance(value, bool) and isinstance(value, int | float):
        if not float(value).is_integer():
            return None, AnswerError("off_step", {"step": "1"})
    return _clean_number(question, value)


def _clean_boolean(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
    if not isinstance(value, bool):
        return None, AnswerError("not_a_boolean")
    return value, None


def _clean_text(question: Question, value: Any) -> tuple[Any, AnswerError | None]:
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
