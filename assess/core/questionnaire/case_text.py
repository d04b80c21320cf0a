"""Texts that may be a list of cases, so that a sentence can match the answers it talks about.

A report text (a recommendation's title and text, a level's summary, a category's level
text, an outcome case's text, the conclusion) is either a text or a list of cases:

    summary:
      - when: "answers.crm == 'daily'"
        text: "Votre fichier clients est partagé : ..."
      - text: "..."          # the default: last, without `when`

The first case whose `when` holds wins. Each `when` is compiled with the questionnaire's
other expressions (`rules`); the shape of the list is read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator

from assess.core.questionnaire.expressions import Expression
from assess.core.questionnaire.field_types import LocalizedText, to_localized

CASE_KEYS = frozenset({"when", "text"})


@dataclass(frozen=True)
class TextCase:
    """One case: its condition's source (None for the default) and its text."""

    when: str | None
    text: LocalizedText


@dataclass(frozen=True, eq=False)
class CaseList:
    """A text given as cases; `conditions` holds each case's compiled `when` by index."""

    cases: tuple[TextCase, ...]
    conditions: dict[int, Expression] = field(default_factory=dict, repr=False)

    @property
    def default(self) -> LocalizedText:
        """The text of the last case (the one without `when`)."""
        return self.cases[-1].text

    def pick(self, context: Mapping[str, Any]) -> LocalizedText:
        """The text of the first case whose `when` holds, else the default."""
        for index, case in enumerate(self.cases):
            if case.when is None:
                return case.text
            condition = self.conditions.get(index)
            if condition is not None and condition.is_true(context):
                return case.text
        return self.default


def resolve(
    value: LocalizedText | CaseList | None, context: Mapping[str, Any]
) -> LocalizedText | None:
    """The text itself, or the case a list of cases picks for these answers."""
    return value.pick(context) if isinstance(value, CaseList) else value


def texts_of(value: LocalizedText | CaseList) -> tuple[tuple[int | None, LocalizedText], ...]:
    """Each text a value holds, with its case index (None for a plain text)."""
    if isinstance(value, CaseList):
        return tuple((index, case.text) for index, case in enumerate(value.cases))
    return ((None, value),)


def _to_case_text(value: Any) -> Any:
    if not isinstance(value, list):
        return to_localized(value)
    if not value:
        raise ValueError("a list of cases needs at least one case (the last without 'when')")
    cases = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise ValueError(f"case {number} must be a mapping with 'text' (and 'when')")
        unknown = sorted(str(key) for key in item if key not in CASE_KEYS)
        if unknown:
            raise ValueError(f"case {number} has an unknown key '{unknown[0]}' (known: when, text)")
        if "text" not in item:
            raise ValueError(f"case {number} needs a 'text'")
        when = item.get("when")
        if when is not None and (not isinstance(when, str) or not when.strip()):
            raise ValueError(f"the 'when' of case {number} must be an expression (a string)")
        try:
            text = to_localized(item["text"])
        except ValueError as error:
            raise ValueError(f"the text of case {number}: {error}") from None
        cases.append(TextCase(when, text))
    return CaseList(tuple(cases))


# A text, or a list of cases: only for the texts printed once the answers are scored.
CaseText = Annotated[LocalizedText | CaseList, BeforeValidator(_to_case_text)]
