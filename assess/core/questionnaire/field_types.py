"""The field types every questionnaire object is made of, and their frozen base model.

Texts may be given in several languages; strings and numbers are strict, because YAML
reads `yes` as true and `3` as a number where the author may have meant text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


@dataclass(frozen=True)
class LocalizedText:
    """A text in one or several languages; a plain string serves every language."""

    values: tuple[tuple[str, str], ...]

    def get(self, locale: str, default_locale: str = "fr") -> str:
        """The text in `locale`, else in the default locale, else the first one given."""
        table = dict(self.values)
        for candidate in (locale, default_locale, "*"):
            if candidate in table:
                return table[candidate]
        return self.values[0][1] if self.values else ""

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages this text is written in ('*' for a plain string)."""
        return tuple(locale for locale, _ in self.values)

    def __str__(self) -> str:
        return self.get("fr")


def to_localized(value: Any) -> Any:
    """A string or {language: string} map as a LocalizedText; ValueError if it is neither."""
    if isinstance(value, LocalizedText):
        return value
    if isinstance(value, str):
        return LocalizedText((("*", value),))
    if isinstance(value, Mapping) and value:
        for locale, text in value.items():
            if not isinstance(locale, str) or not isinstance(text, str):
                raise ValueError(f"the '{locale}' text must be a string (quote it)")
        return LocalizedText(tuple(value.items()))
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        raise ValueError(
            "a list of cases (when/text) is allowed only in the texts printed after scoring "
            "(a recommendation's title and text, a level's summary, a category's levels, "
            "an outcome case's text, the report's conclusion)"
        )
    raise ValueError("must be a string or a map of language to string, e.g. {fr: ..., en: ...}")


def _strict_string(value: Any) -> Any:
    if isinstance(value, bool):
        spelling = "true/yes/on" if value else "false/no/off"
        raise ValueError(f"YAML read this value as a boolean ({spelling}): quote it")
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {type(value).__name__}: quote it")
    return value


def _plain_number(value: Any) -> Any:
    # Pydantic's lax mode reads `yes` as 1 and "3" as 3: a number must be written as one.
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false (YAML reads yes/no/on/off so)")
    if isinstance(value, str):
        raise ValueError(f"must be a number, not the text '{value}'")
    return value


Text = Annotated[LocalizedText, BeforeValidator(to_localized)]
QuotedString = Annotated[str, BeforeValidator(_strict_string)]
Number = Annotated[float, BeforeValidator(_plain_number)]
WholeNumber = Annotated[int, BeforeValidator(_plain_number)]


class FrozenModel(BaseModel):
    """The base of every questionnaire object: frozen, and no key it does not declare."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
