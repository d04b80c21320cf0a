"""The action plan: which of the rules that fired reach the report, in which order, and who owns
each action. Pure functions; `scoring.score` applies them, so the stored result, the results
page, the report and the e-mail all read the same plan.

A sales director gives a company three priorities and a short plan, not 27 pieces of advice:
a plan of more than about ten recommendations is not followed, and one that contradicts
itself is not believed. So the rules that fired are ranked by impact (`impact_key`); a
`group` keeps only its best-ranked rule and `excludes` keeps the better-ranked of two rules
that cannot be given together; then the plan keeps the first `MAX_RECOMMENDATIONS`, each
with its first `MAX_ACTIONS` actions (as written), and the first `PRIORITIES` are the
priorities, the only ones called urgent. What is left out is recorded with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from assess.core.questionnaire import Questionnaire
from assess.core.result import DroppedRecommendation as Dropped
from assess.core.result import StoredResult

# The priorities: the first recommendations of the plan, printed in full, the only "Urgent".
PRIORITIES = 3
# The most recommendations a plan holds, the priorities included.
MAX_RECOMMENDATIONS = 10
# The most actions a recommendation keeps, in the order the file gives them.
MAX_ACTIONS = 3


class Candidate(NamedTuple):
    """A rule that fired, with what ranking and selection read of it."""

    id: str
    priority: int
    # The area's weight x (100 - its score): what the overall score would gain if it were fixed.
    weighted_gap: float
    # How many answers, scores or levels its `when` read: the more, the more it is this
    # company's advice rather than general advice.
    specificity: int
    # How many actions it brings (up to MAX_ACTIONS): advice with a plan before advice without.
    actions: int
    group: str | None = None
    excludes: tuple[str, ...] = ()


def weighted_gaps(
    weights: Mapping[str, float], scores: Mapping[str, float | None]
) -> tuple[dict[str, float], float]:
    """Each scored area's weight x (100 - score), and their mean: the gap of a rule of no area
    (or of an area with no score), its share of what the overall score would gain."""
    gaps = {
        cid: weights[cid] * (100.0 - score) for cid, score in scores.items() if score is not None
    }
    return gaps, sum(gaps.values()) / len(gaps) if gaps else 0.0


def focus_area(weights: Mapping[str, float], scores: Mapping[str, float | None]) -> str | None:
    """The area whose gap weighs most on the overall score (weight x (100 - score)): where the
    plan's advice starts, and what the call with the consultant is about. Ties go to the
    lower score, then to the area first in `scores`; None when no area is scored."""
    gaps, _mean = weighted_gaps(weights, scores)
    if not gaps:
        return None
    order = {cid: index for index, cid in enumerate(scores)}
    return max(gaps, key=lambda cid: (gaps[cid], -(scores[cid] or 0.0), -order[cid]))


def focus_of(q: Questionnaire, result: StoredResult) -> str | None:
    """`focus_area` of a stored result, weighted by the questionnaire's categories."""
    weights = {category.id: category.weight for category in q.categories}
    return focus_area(weights, {cid: c.score for cid, c in result.categories.items()})


def impact_key(candidate: Candidate) -> tuple[int, float, int, int, str]:
    """Most urgent first, then the largest weighted gap, the most specific, the one with the
    most actions; the rule id last, so that file order never decides."""
    return (
        candidate.priority,
        -candidate.weighted_gap,
        -candidate.specificity,
        -candidate.actions,
        candidate.id,
    )


def select(candidates: Iterable[Candidate]) -> tuple[list[Candidate], list[Dropped]]:
    """The plan (ranked, at most MAX_RECOMMENDATIONS) and the rules left out with their reason.

    Rules are taken best-ranked first: one is left out when a rule of its group or a rule
    that excludes it (or that it excludes) was taken before it. A rule left out excludes
    nothing.
    """
    taken: list[Candidate] = []
    dropped: list[Dropped] = []
    groups: dict[str, str] = {}
    for candidate in sorted(candidates, key=impact_key):
        reason = _conflict(candidate, taken, groups)
        if reason is None and len(taken) >= MAX_RECOMMENDATIONS:
            reason = f"beyond the {MAX_RECOMMENDATIONS} recommendations of a plan"
        if reason is not None:
            dropped.append(Dropped(candidate.id, reason))
            continue
        taken.append(candidate)
        if candidate.group is not None:
            groups[candidate.group] = candidate.id
    return taken, dropped


def _conflict(candidate: Candidate, taken: list[Candidate], groups: dict[str, str]) -> str | None:
    if candidate.group is not None and candidate.group in groups:
        return f"group '{candidate.group}': '{groups[candidate.group]}' ranks higher"
    for other in taken:
        if other.id in candidate.excludes or candidate.id in other.excludes:
            return f"cannot appear with '{other.id}', which ranks higher"
    return None


class RoleChain(NamedTuple):
    """A role as resolution reads it: whether the company has it, and whom to ask otherwise."""

    id: str
    present: bool
    fallback: str | None


def resolve_roles(roles: Iterable[RoleChain]) -> dict[str, str]:
    """Each role id to the first role of its fallback chain that the company has.

    The loader guarantees every chain ends with a role every company has; a chain that
    somehow does not resolves to its last role rather than to nothing.
    """
    by_id: Mapping[str, RoleChain] = {role.id: role for role in roles}
    resolved = {}
    for role in by_id.values():
        current, seen = role, {role.id}
        while not current.present and current.fallback is not None:
            if current.fallback not in by_id or current.fallback in seen:
                break
            current = by_id[current.fallback]
            seen.add(current.id)
        resolved[role.id] = current.id
    return resolved
