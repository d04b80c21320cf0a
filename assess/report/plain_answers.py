"""Answers in plain words, as the report, the lead page and the call-prep brief quote them."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from assess.core.questionnaire import Question, Questionnaire


def plain(value: Any) -> str:
    """A free field as plain text: missing or odd values (lists, objects) become blanks."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def describe_answer(q: Questionnaire, question: Question | None, value: Any, locale: str) -> str:
    """An answer in plain words: option labels, yes or no, a number with its unit."""
    if value is None or value == [] or value == "":
        return _("not answered")
    if question is None:
        return plain(value)
    if question.type == "single":
        option = question.option(value) if isinstance(value, str) else None
        return q.text(option.label, locale) if option else plain(value)
    if question.type == "multiple" and isinstance(value, list):
        labels = [question.option(v) for v in value if isinstance(v, str)]
        return "; ".join(q.text(o.label, locale) for o in labels if o) or _("not answered")
    if question.type == "boolean":
        return _("yes") if value is True else _("no") if value is False else plain(value)
    if question.type in {"number", "scale"} and isinstance(value, int | float):
        number = format_decimal(value, format="#,##0.##")
        if question.type == "scale" and question.max is not None:
            return f"{number} / {format_decimal(question.max, format='0.##')}"
        unit = q.text(question.unit, locale) if question.unit else ""
        return f"{number} {unit}".strip()
    return plain(value)
