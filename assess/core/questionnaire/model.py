"""The questionnaire's typed, frozen objects: what a valid `questions.yaml` becomes.

The contract is `shared/questionnaire-format.md`; `assess.core.questionnaire` loads a
file into these objects. Pydantic checks the shape here; the rules that span
several objects (ids, references, expressions) are in `checks`. The field types are in
`field_types`, the report's objects (recommendations, outcomes, indicators) in `report_model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, StrictBool, StrictStr

from assess.core.questionnaire.case_text import CaseList, CaseText, texts_of
from assess.core.questionnaire.expressions import Expression
from assess.core.questionnaire.field_types import (
    FrozenModel,
    LocalizedText,
    Number,
    QuotedString,
    Text,
    WholeNumber,
)
from assess.core.questionnaire.report_model import Outcome, Recommendation, ReportTexts, Role

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


class Category(FrozenModel):
    """A scoring axis: one spoke of the radar chart."""

    id: StrictStr
    label: Text
    description: Text | None = None
    weight: Number = Field(default=1.0, ge=0)
    # What the report says of this area at each level (level id to text), instead of the
    # overall level's summary.
    levels: dict[StrictStr, CaseText] | None = None


class Level(FrozenModel):
    """A maturity level, reached from a percentage."""

    id: StrictStr
    from_: Number = Field(alias="from", ge=0, le=100)
    label: Text
    summary: CaseText | None = None


class Option(FrozenModel):
    """One choice of a `single` or `multiple` question."""

    value: QuotedString
    label: Text
    points: Number = 0.0
    # Of a `multiple` only: this option ("none") cannot be ticked with any other.
    exclusive: StrictBool = False


class Band(FrozenModel):
    """A points band for a number: the first band whose `below` exceeds the value wins."""

    below: Number | None = None
    points: Number


class Question(FrozenModel):
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


class Section(FrozenModel):
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


class Questionnaire(FrozenModel):
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
    # Extension: the roles that may own an action, each with its fallback (`report_model.Role`).
    roles: tuple[Role, ...] = ()
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
    def roles_by_id(self) -> dict[str, Role]:
        """Role id to role."""
        return {role.id: role for role in self.roles}

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
        if isinstance(value, dict):
            items = tuple(value.values())
        for item in items:
            if isinstance(item, CaseList):
                yield from (text for _, text in texts_of(item))
            elif isinstance(item, LocalizedText):
                yield item
            elif isinstance(item, BaseModel):
                yield from _texts_of(item)
