"""The questionnaire's objects for the report: recommendations, outcomes, indicators, texts.

What the report draws from the answers once scored; `model` holds the questions and the
questionnaire that carries these.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, StrictStr

from assess.core.questionnaire.expressions import Expression, TextTemplate
from assess.core.questionnaire.field_types import FrozenModel, Number, Text, WholeNumber


class Action(FrozenModel):
    """A line of an action plan: what, who, by when."""

    what: Text
    who: Text
    when: Text


class Recommendation(FrozenModel):
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


class OutcomeCase(FrozenModel):
    """One case of an unscored outcome; the first whose `when` holds wins."""

    when: StrictStr | None = None
    label: Text
    text: Text | None = None
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
    _when: Expression | None = PrivateAttr(default=None)

    @property
    def condition(self) -> Expression | None:
        """The compiled `when`; None for an indicator always suggested."""
        return self._when


class ReportTexts(FrozenModel):
    """Optional texts for the report, and what its estimate and dashboard are made of."""

    conclusion: Text | None = None
    call_to_action: CallToAction | None = None
    cost_of_giving_up: CostOfGivingUp | None = None
    # A text question whose answer (the main challenge) the synthesis quotes (extension).
    challenge_question: StrictStr | None = None
    kpis: tuple[Kpi, ...] = ()
