"""The checks of the keys that shape the action plan: `group`, `excludes` and `roles`.

A group gathers rules of which at most one reaches the report, so a group of one rule is a
typo; `excludes` names other rules. A role's fallback chain must end with a role every
company has (no `when`), so that an action always has an owner the company really has.
Each check yields (line, message); the loader turns them into `file:line:` problems.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection, Iterator

from assess.core.questionnaire.model import Questionnaire
from assess.core.questionnaire.report_model import RoleOwner
from assess.core.questionnaire.shape import Salvage
from assess.core.questionnaire.yaml_source import LineMap

Found = Iterator[tuple[int, str]]


def check_plan_keys(q: Questionnaire, lines: LineMap, salvage: Salvage) -> Found:
    """Groups of two rules or more, `excludes` naming other rules, role chains with an end."""
    # With a rule or a role left out by a shape error, what it was is not known: stay silent.
    if not salvage.lost_at(("recommendations",)):
        yield from _check_groups(q, lines)
        yield from _check_excludes(q, lines)
    if not salvage.lost_at(("roles",)):
        yield from _check_owners(q, lines)
        yield from _check_chains(q, lines)


def _check_groups(q: Questionnaire, lines: LineMap) -> Found:
    sizes = Counter(rule.group for rule in q.recommendations if rule.group is not None)
    for index, rule in enumerate(q.recommendations):
        if rule.group is not None and sizes[rule.group] == 1:
            yield (
                lines.line_of(("recommendations", index, "group")),
                f"group '{rule.group}' has this rule only: a group gathers rules of which at "
                "most one reaches the report (name another rule's group, or remove 'group')",
            )


def _check_excludes(q: Questionnaire, lines: LineMap) -> Found:
    known = {rule.id for rule in q.recommendations}
    for index, rule in enumerate(q.recommendations):
        for position, other in enumerate(rule.excludes):
            line = lines.line_of(("recommendations", index, "excludes", position))
            if other == rule.id:
                yield line, f"'{rule.id}' excludes itself: list the rules it cannot appear with"
            elif other not in known:
                yield line, f"excludes unknown recommendation '{other}'{_hint(other, known)}"


def _check_owners(q: Questionnaire, lines: LineMap) -> Found:
    for index, rule in enumerate(q.recommendations):
        for position, action in enumerate(rule.actions):
            owner = action.who
            if isinstance(owner, RoleOwner) and owner.role not in q.roles_by_id:
                path = ("recommendations", index, "actions", position, "who", "role")
                yield lines.line_of(path), _unknown_role(owner.role, q)
    for index, kpi in enumerate(q.report.kpis):
        if isinstance(kpi.who, RoleOwner) and kpi.who.role not in q.roles_by_id:
            yield (
                lines.line_of(("report", "kpis", index, "who", "role")),
                _unknown_role(kpi.who.role, q),
            )


def _check_chains(q: Questionnaire, lines: LineMap) -> Found:
    in_a_cycle: set[str] = set()
    for index, role in enumerate(q.roles):
        at = lines.line_of(("roles", index, "fallback"))
        if role.fallback is None:
            if role.when is not None:
                yield (
                    lines.line_of(("roles", index, "when")),
                    f"role '{role.id}' has a 'when' but no 'fallback': a company without this "
                    "role would have no owner for its actions (fall back on a role without "
                    "'when', which every company has)",
                )
        elif role.when is None:
            yield (
                at,
                f"role '{role.id}' has no 'when', so every company has it: its 'fallback' is "
                "never used",
            )
        elif role.fallback == role.id:
            yield at, f"role '{role.id}' falls back on itself"
        elif role.fallback not in q.roles_by_id:
            yield at, _unknown_role(role.fallback, q)
        elif role.id not in in_a_cycle:
            cycle = _cycle_from(role.id, q)
            if cycle:
                in_a_cycle.update(cycle)
                yield (
                    at,
                    f"fallback cycle {' → '.join((*cycle, cycle[0]))}: the chain must end with a "
                    "role without 'when'",
                )


def _cycle_from(role_id: str, q: Questionnaire) -> tuple[str, ...]:
    """The roles of the cycle that `role_id`'s fallbacks come back to it by, else ()."""
    chain = [role_id]
    current = q.roles_by_id[role_id].fallback
    while current is not None and current in q.roles_by_id and current not in chain:
        chain.append(current)
        current = q.roles_by_id[current].fallback
    return tuple(chain) if current == role_id else ()


def _unknown_role(role_id: str, q: Questionnaire) -> str:
    known = q.roles_by_id
    listed = f" (known: {', '.join(known)})" if known else " (the file declares no 'roles')"
    return f"unknown role '{role_id}'{_hint(role_id, known) or listed}"


def _hint(name: str, known: Collection[str]) -> str:
    found = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{found[0]}'?)" if found else ""
