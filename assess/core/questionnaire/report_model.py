"""The questionnaire's objects for the report: recommendations, outcomes, indicators, texts.

What the report draws from the answers once scored; `model` holds the questions and the
questionnaire that carries these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PrivateAttr, StrictStr

from assess.core.questionnaire.case_text import CaseText
from assess.core.questionnaire.expressions import Expression, TextTemplate
from assess.core.questionnaire.field_types import (
    FrozenModel,
    LocalizedText,
    Number,
    Text,
    WholeNumber,
)


@dataclass(frozen=True)
class RoleOwner(LocalizedText):
    """An action's owner named by role (`who: {role: sales_manager}`), resolved when scoring."""

    role: str = ""


def _to_owner(value: Any) -> Any:
    if isinstance(value, Mapping) and "role" in value:
        role = value["role"]
        if len(value) != 1 or not isinstance(role, str):
            raise ValueError("an owner by role is written {role: ROLE_ID}, with nothing else")
        return RoleOwner((("*", role),), role=role)
    return value  # a text: `Text`'s own validator reads it


# A text, or `{role: ROLE_ID}`: the first role of that role's fallback chain the company has.
Owner = Annotated[Text, BeforeValidator(_to_owner)]


class Action(FrozenModel):
    """A line of an action plan: what, who, by when."""

    what: Text
    who: Owner
    when: Text
    # The deadline in days from the diagnostic (extension): places the action in the report's
    # 90-day calendar and dates it; `when` stays the words the report prints beside it.
    within_days: WholeNumber | None = Field(default=None, ge=1)


class Role(FrozenModel):
    """Who may own an action (extension): the first role of a fallback chain the company has."""

    id: StrictStr
    label: Text
    # The company has this role when `when` holds; a role without `when` always exists.
    when: StrictStr | None = None
    fallback: StrictStr | None = None
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for a role every company has."""
        return self._when


class Recommendation(FrozenModel):
    """A rule that picks a piece of advice when its condition holds."""

    id: StrictStr
    when: StrictStr
    priority: WholeNumber = Field(ge=1)
    category: StrictStr | None = None
    # Either may be a list of cases (see case_text).
    title: CaseText
    text: CaseText
    actions: tuple[Action, ...] = ()
    # At most one rule of a group reaches the report; a rule never appears with one it excludes.
    group: StrictStr | None = None
    excludes: tuple[StrictStr, ...] = ()
    _when: Expression | None = PrivateAttr(default=None)
    _texts: dict[str, TextTemplate] = PrivateAttr(default_factory=dict)

    @property
    def condition(self) -> Expression:
        """The compiled `when`."""
        if self._when is None:
            raise RuntimeError("a recommendation's condition is compiled by load_questionnaire")
        return self._when

    def text_template(
        self, locale: str, default_locale: str, text: LocalizedText | None = None
    ) -> TextTemplate:
        """The compiled text for a language (of `text`, a case picked from a list of cases)."""
        if text is None:
            if not isinstance(self.text, LocalizedText):
                raise TypeError("a text given as cases: pass the case's text")
            text = self.text
        return self._texts[text.get(locale, default_locale)]


class OutcomeCase(FrozenModel):
    """One case of an unscored outcome; the first whose `when` holds wins."""

    when: StrictStr | None = None
    label: Text
    text: CaseText | None = None
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for the default case."""
        return self._when


class Outcome(FrozenModel):
    """An unscored result derived from the answers (extension to the contract)."""

    id: StrictStr
    label: Text
    description: Text | None = None
    cases: tuple[OutcomeCase, ...] = Field(min_length=1)


class CallToAction(FrozenModel):
    """The consultancy's closing offer."""

    label: Text
    url: StrictStr


class CostOfGivingUp(FrozenModel):
    """The questions that feed the report's "cost of giving up" estimate (extension)."""

    leads_per_month: StrictStr
    deal_value: StrictStr
    contacts_before_giving_up: StrictStr
    # Share of new leads that would buy if followed up to the 7th contact: 0 < x <= 1.
    assumed_win_rate: Number | None = None
    # Optional number questions: the measured conversion rate in percent (used instead of the
    # assumption when answered) and the new-customer target (the sales lost never exceed it).
    conversion_rate: StrictStr | None = None
    new_customers_target: StrictStr | None = None


class Kpi(FrozenModel):
    """An indicator the report suggests for the dashboard when `when` holds (extension)."""

    id: StrictStr
    label: Text
    why: Text
    when: StrictStr | None = None
    priority: WholeNumber = Field(default=2, ge=1)
    # What to aim for, how often to look at it, who follows it (extension; each optional).
    target: Text | None = None
    frequency: Text | None = None
    who: Owner | None = None
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for an indicator always suggested."""
        return self._when


class ReportTexts(FrozenModel):
    """Optional texts for the report, and what its estimate and dashboard are made of."""

    conclusion: CaseText | None = None
    call_to_action: CallToAction | None = None
    cost_of_giving_up: CostOfGivingUp | None = None
    # A text question whose answer (the main challenge) the synthesis quotes (extension).
    challenge_question: StrictStr | None = None
    kpis: tuple[Kpi, ...] = ()
