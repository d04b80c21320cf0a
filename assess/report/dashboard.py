"""The report's KPI dashboard: the indicators the answers call for (`report.kpis`), most
urgent first, each with its target, review frequency and owner."""

from __future__ import annotations

from typing import Any

from assess.core.action_plan import RoleChain, resolve_roles
from assess.core.questionnaire import Questionnaire, RoleOwner

# The domain material warns against dashboards of more than about ten indicators.
MAX_KPIS = 10


def suggested_kpis(q: Questionnaire, context: dict[str, Any], locale: str) -> list[dict[str, str]]:
    """At most ten indicators, the ones the answers call for first, each with its target,
    frequency and owner (an owner named by role: the one the company has)."""
    suggestions = q.report.kpis
    chosen = [
        (kpi.priority, index, kpi)
        for index, kpi in enumerate(suggestions)
        if kpi.condition is None or kpi.condition.is_true(context)
    ]
    chosen.sort(key=lambda item: (item[0], item[1]))
    owners = resolve_roles(
        RoleChain(role.id, role.condition is None or role.condition.is_true(context), role.fallback)
        for role in q.roles
    )

    def owner(who: Any) -> str:
        if who is None:
            return ""
        if isinstance(who, RoleOwner):
            return q.text(q.roles_by_id[owners.get(who.role, who.role)].label, locale)
        return q.text(who, locale)

    return [
        {
            "label": q.text(kpi.label, locale),
            "why": q.text(kpi.why, locale),
            "target": q.text(kpi.target, locale) if kpi.target else "",
            "frequency": q.text(kpi.frequency, locale) if kpi.frequency else "",
            "who": owner(kpi.who),
        }
        for _p, _i, kpi in chosen[:MAX_KPIS]
    ]
