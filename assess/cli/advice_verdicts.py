"""Advice cases run: score each case as the app does, say what differs from its expectations,
and which rules no case fired.

The plan a case is checked against is the one the report prints: the recommendations of
the stored result's explanation, in their order (`assess.report.plan.recommendations` reads
the same list), so this command and the report cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assess.cli.advice_cases import TOP, AdviceCase
from assess.core.questionnaire import Questionnaire, Recommendation
from assess.core.result import Result, StoredResult
from assess.core.scoring import score


@dataclass(frozen=True)
class Verdict:
    """A case's result: the plan it got and every way it differs from what was expected."""

    case: AdviceCase
    plan: tuple[str, ...]
    differences: tuple[str, ...]
    # The rules that fired but the plan left out (`explanation["dropped"]`), by id.
    cut: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.differences


def plan_of(result: Result) -> tuple[str, ...]:
    """The recommendation ids the report prints, in its order."""
    stored = StoredResult.from_json(result.as_json())
    return tuple(found["id"] for found in stored.explanation.get("recommendations", []))


def run_case(q: Questionnaire, case: AdviceCase) -> Verdict:
    """Score the case's answers and compare the advice with its expectations."""
    result = score(q, case.answers, case.contact)
    plan = plan_of(result)
    cut = tuple(dropped.id for dropped in result.dropped)
    return Verdict(case, plan, tuple(_differences(q, case, result, plan)), cut)


def _differences(
    q: Questionnaire, case: AdviceCase, result: Result, plan: tuple[str, ...]
) -> Iterable[str]:
    expect = case.expect
    if expect.level is not None and result.level != expect.level:
        yield f"expected level '{expect.level}', got '{result.level}' (overall {result.overall})"
    top = plan[:TOP]
    for rule_id in expect.top3:
        if rule_id not in top:
            where = f"; it is at rank {plan.index(rule_id) + 1}" if rule_id in plan else ""
            yield (
                f"expected '{rule_id}' in the top {TOP}, got: {', '.join(top) or 'nothing'}{where}"
            )
    rules = {rule.id: rule for rule in q.recommendations}
    for rule_id in expect.in_plan:
        if rule_id not in plan:
            yield f"expected '{rule_id}' in the plan; it is not (when: {condition(rules[rule_id])})"
    for rule_id in expect.absent:
        if rule_id in plan:
            rank = plan.index(rule_id) + 1
            yield f"expected '{rule_id}' absent; it is in the plan at rank {rank}"
    for outcome_id, case_index in expect.outcome.items():
        got = result.outcomes.get(outcome_id)
        if got is None or got.case != case_index:
            outcome = next(o for o in q.outcomes if o.id == outcome_id)
            expected_label = q.text(outcome.cases[case_index].label, q.locale)
            got_text = (
                f"case {got.case} ({q.text(outcome.cases[got.case].label, q.locale)})"
                if got is not None
                else "no case"
            )
            yield (
                f"expected outcome '{outcome_id}' case {case_index} ({expected_label}), "
                f"got {got_text}"
            )
    most = expect.max_recommendations
    if most is not None and len(plan) > most:
        yield f"expected at most {most} recommendations, got {len(plan)}"


def condition(rule: Recommendation) -> str:
    """A rule's `when` on one line, as the output prints it."""
    return " ".join(rule.when.split())


def unfired_rules(q: Questionnaire, verdicts: Iterable[Verdict]) -> list[Recommendation]:
    """The questionnaire's rules that are in no case's plan, in file order (a rule that
    fired but was cut from every plan is among them: coverage counts the plan)."""
    fired = {rule_id for verdict in verdicts for rule_id in verdict.plan}
    return [rule for rule in q.recommendations if rule.id not in fired]


def cut_rules(verdicts: Iterable[Verdict]) -> set[str]:
    """The ids of the rules that fired in some case but that case's plan left out."""
    return {rule_id for verdict in verdicts for rule_id in verdict.cut}
