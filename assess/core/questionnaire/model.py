"""The questionnaire's typed, frozen objects: what a valid `questions.yaml` becomes.

The contract is `shared/questionnaire-format.md`; `assess.core.questionnaire` loads a
file into these objects. Pydantic checks the shape here; the rules that span
several objects (ids, references, expressions) are in `questionnaire_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
)

from assess.core.questionnaire.expressions import Expression, TextTemplate

QuestionType = Literal["single", "multiple", "scale", "number", "boolean", "text"]
# A question is required by default, except free text.
REQUIRED_BY_DEFAULT: dict[str, bool] = {
    "single": True,
    "multiple": True,
    "scale": True,
    "number": True,
    "boolean": True,
    "text": False,
}
DEFAULT_TEXT_MAX_LENGTH = 1000


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


def _to_localized(value: Any) -> Any:
    if isinstance(value, LocalizedText):
        return value
    if isinstance(value, str):
        return LocalizedText((("*", value),))
    if isinstance(value, Mapping) and value:
        for locale, text in value.items():
            if not isinstance(locale, str) or not isinstance(text, str):
                raise ValueError(f"the '{locale}' text must be a string (quote it)")
        return LocalizedText(tuple(value.items()))
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


Text = Annotated[LocalizedText, BeforeValidator(_to_localized)]
QuotedString = Annotated[str, BeforeValidator(_strict_string)]
Number = Annotated[float, BeforeValidator(_plain_number)]
WholeNumber = Annotated[int, BeforeValidator(_plain_number)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Category(_Model):
    """A scoring axis: one spoke of the radar chart."""

    id: StrictStr
    label: Text
    description: Text | None = None
    weight: Number = Field(default=1.0, ge=0)


class Level(_Model):
    """A maturity level, reached from a percentage."""

    id: StrictStr
    from_: Number = Field(alias="from", ge=0, le=100)
    label: Text
    summary: Text | None = None


class Option(_Model):
    """One choice of a `single` or `multiple` question."""

    value: QuotedString
    label: Text
    points: Number = 0.0


class Band(_Model):
    """A points band for a number: the first band whose `below` exceeds the value wins."""

    below: Number | None = None
    points: Number


class Question(_Model):
    """One question, of any type; the checks enforce which keys fit which type."""

    id: StrictStr
    type: QuestionType
    label: Text
    help: Text | None = None
    required: StrictBool | None = None
    options: tuple[Option, ...] | None = None
    min: Number | None = None
    max: Number | None = None
    step: Number | None = None
    unit: Text | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    max_length: WholeNumber | None = Field(default=None, gt=0)
    placeholder: Text | None = None
    # bands for number and scale, {yes: n, no: n} for boolean: checked and parsed by
    # questionnaire_checks into the private fields below
    points: Any = None
    max_points: Number | None = Field(default=None, ge=0)
    category: StrictStr | None = None
    show_if: StrictStr | None = None
    _show_if: Expression | None = PrivateAttr(default=None)
    _bands: tuple[Band, ...] | None = PrivateAttr(default=None)
    _yes_no: tuple[float, float] = PrivateAttr(default=(1.0, 0.0))

    @property
    def is_required(self) -> bool:
        """Whether an answer is needed when the question is shown."""
        return REQUIRED_BY_DEFAULT[self.type] if self.required is None else self.required

    @property
    def text_max_length(self) -> int:
        """The longest text accepted."""
        return self.max_length or DEFAULT_TEXT_MAX_LENGTH

    @property
    def condition(self) -> Expression | None:
        """The compiled `show_if`, if any."""
        return self._show_if

    def option(self, value: str) -> Option | None:
        """The option with this value."""
        return next((o for o in self.options or () if o.value == value), None)

    @property
    def bands(self) -> tuple[Band, ...] | None:
        """The points bands of a number or scale, if given."""
        return self._bands

    @property
    def boolean_points(self) -> tuple[float, float]:
        """(points for yes, points for no); a scored boolean without points gives 1 for yes."""
        return self._yes_no

    @property
    def is_scored(self) -> bool:
        """Whether the question feeds a category score."""
        return self.category is not None and self.type != "text"

    @cached_property
    def points_possible(self) -> float:
        """The most points an answer can earn (see the contract's Scoring section)."""
        if not self.is_scored:
            return 0.0
        if self.type == "single":
            return max([o.points for o in self.options or ()] + [0.0])
        if self.type == "multiple":
            total = sum(o.points for o in self.options or () if o.points > 0)
            return min(total, self.max_points) if self.max_points is not None else total
        if self.type == "boolean":
            return max(*self.boolean_points, 0.0)
        if self._bands is not None:
            return max([band.points for band in self._bands] + [0.0])
        if self.type == "scale":
            return float((self.max or 0) - (self.min or 0))
        return 0.0


class Section(_Model):
    """A step of the wizard."""

    id: StrictStr
    title: Text
    intro: Text | None = None
    show_if: StrictStr | None = None
    # Extension: the executive may invite team members to answer this section too.
    team: StrictBool = False
    questions: tuple[Question, ...] = Field(min_length=1)
    _show_if: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `show_if`, if any."""
        return self._show_if


class Action(_Model):
    """A line of an action plan: what, who, by when."""

    what: Text
    who: Text
    when: Text


class Recommendation(_Model):
    """A rule that picks a piece of advice when its condition holds."""

    id: StrictStr
    when: StrictStr
    priority: WholeNumber = Field(ge=1)
    category: StrictStr | None = None
    title: Text
    text: Text
    actions: tuple[Action, ...] = ()
    _when: Expression | None = PrivateAttr(default=None)
    _texts: dict[str, TextTemplate] = PrivateAttr(default_factory=dict)

    @property
    def condition(self) -> Expression:
        """The compiled `when`."""
        if self._when is None:
            raise RuntimeError("a recommendation's condition is compiled by load_questionnaire")
        return self._when

    def text_template(self, locale: str, default_locale: str) -> TextTemplate:
        """The compiled text for a language."""
        key = self.text.get(locale, default_locale)
        return self._texts[key]


class OutcomeCase(_Model):
    """One case of an unscored outcome; the first whose `when` holds wins."""

    when: StrictStr | None = None
    label: Text
    text: Text | None = None
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for the default case."""
        return self._when


class Outcome(_Model):
    """An unscored result derived from the answers (extension to the contract)."""

    id: StrictStr
    label: Text
    description: Text | None = None
    cases: tuple[OutcomeCase, ...] = Field(min_length=1)


class CallToAction(_Model):
    """The consultancy's closing offer."""

    label: Text
    url: StrictStr


class CostOfGivingUp(_Model):
    """The questions that feed the report's "cost of giving up" estimate (extension)."""

    leads_per_month: StrictStr
    deal_value: StrictStr
    contacts_before_giving_up: StrictStr
    # Share of new leads that would buy if followed up to the 7th contact: 0 < x <= 1.
    assumed_win_rate: Number | None = None


class Kpi(_Model):
    """An indicator the report suggests for the dashboard when `when` holds (extension)."""

    id: StrictStr
    label: Text
    why: Text
    when: StrictStr | None = None
    priority: WholeNumber = Field(default=2, ge=1)
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for an indicator always suggested."""
        return self._when


class ReportTexts(_Model):
    """Optional texts for the report, and what its estimate and dashboard are made of."""

    conclusion: Text | None = None
    call_to_action: CallToAction | None = None
    cost_of_giving_up: CostOfGivingUp | None = None
    kpis: tuple[Kpi, ...] = ()


class Questionnaire(_Model):
    """A whole diagnostic, as loaded from its file."""

    format: Literal[1]
    id: StrictStr
    version: QuotedString
    locale: StrictStr = "fr"
    title: Text
    intro: Text | None = None
    lead_capture: Literal["start", "end"] = "end"
    categories: tuple[Category, ...] = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    recommendations: tuple[Recommendation, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    report: ReportTexts = ReportTexts()
    _source_path: str = PrivateAttr(default="")
    _source_hash: str = PrivateAttr(default="")

    @property
    def source_path(self) -> str:
        """The file this questionnaire was read from."""
        return self._source_path

    @property
    def source_hash(self) -> str:
        """SHA-256 of the file's bytes, stored with every submission."""
        return self._source_hash

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order of the wizard."""
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        """Question id to question."""
        return {q.id: q for q in self.questions}

    @cached_property
    def sections_by_id(self) -> dict[str, Section]:
        """Section id to section."""
        return {section.id: section for section in self.sections}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        """Question id to its section."""
        return {q.id: s for s in self.sections for q in s.questions}

    @cached_property
    def categories_by_id(self) -> dict[str, Category]:
        """Category id to category."""
        return {c.id: c for c in self.categories}

    @cached_property
    def levels_by_id(self) -> dict[str, Level]:
        """Level id to level."""
        return {level.id: level for level in self.levels}

    @cached_property
    def locales(self) -> tuple[str, ...]:
        """The languages the texts are written in, the default first."""
        found = {self.locale}
        for text in _texts_of(self):
            found.update(locale for locale in text.locales if locale != "*")
        return (self.locale, *sorted(found - {self.locale}))

    def level_for(self, score: float | None) -> Level | None:
        """The last level whose `from` is at or below the score."""
        if score is None:
            return None
        reached = [level for level in self.levels if level.from_ <= score]
        return reached[-1] if reached else self.levels[0]

    def text(self, value: LocalizedText | None, locale: str) -> str:
        """A text in `locale`, falling back to the questionnaire's default language."""
        return "" if value is None else value.get(locale, self.locale)


def _texts_of(model: BaseModel) -> Iterator[LocalizedText]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, LocalizedText):
                yield item
            elif isinstance(item, BaseModel):
                yield from _texts_of(item)
