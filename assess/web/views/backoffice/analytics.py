"""The analytics dashboard: completions, funnel, scores, sources, pipeline, touches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from assess.core.charts import bar_chart, horizontal_bars
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import format_number, translate
from assess.tracker import analytics as figures
from assess.web.views.backoffice.blueprint import bp
from assess.web.views.backoffice.leads import STATUS_LABELS

STAGE_LABELS = {
    "landing": _l("Landing page views"),
    "started": _l("Diagnostics started"),
    "contact": _l("Contact details given"),
    "completed": _l("Diagnostics completed"),
}


def _stage_label(stage: figures.FunnelStage) -> str:
    if stage.title is not None:
        return str(_l("Step: %(title)s", title=translate(stage.title)))
    return str(STAGE_LABELS[stage.key])


def _source_label(source: figures.SourceCount) -> str:
    if source.other:
        return str(_l("All others"))
    return source.name if source.name is not None else str(_l("direct"))


def _count(value: float) -> str:
    return format_number(value)


def _charts(board: figures.Dashboard) -> dict[str, Any]:
    """The SVG geometry of every chart, with labels in the reader's language."""
    scores = board.scores
    return {
        "weeks": bar_chart(
            [(format_date(week.start, "d MMM"), week.count) for week in board.weeks],
            formatter=_count,
        ),
        "funnel": horizontal_bars(
            [(_stage_label(stage), stage.count) for stage in board.funnel],
            formatter=_count,
            muted=[stage.conditional for stage in board.funnel],
        ),
        "categories": horizontal_bars(
            [(translate(c.label), c.average or 0) for c in scores.categories],
            formatter=lambda value: format_number(value, 1),
            tick_formatter=_count,
            maximum=100,
            integer=False,
        ),
        "levels": horizontal_bars(
            [(translate(level.label) or level.id, level.count) for level in scores.levels],
            formatter=_count,
        ),
        "sources": horizontal_bars(
            [(_source_label(s), s.leads) for s in board.sources], formatter=_count
        ),
        "campaigns": horizontal_bars(
            [(_source_label(s), s.leads) for s in board.campaigns], formatter=_count
        ),
        "pipeline": horizontal_bars(
            [(str(STATUS_LABELS[s]), n) for s, n in board.pipeline.counts.items()],
            formatter=_count,
            muted=[s == "lost" for s in board.pipeline.counts],
        ),
        "touches": bar_chart(
            [(str(done), count) for done, count in enumerate(board.touches.distribution)],
            formatter=_count,
        ),
    }


@bp.get("/analytics")
def analytics() -> ResponseReturnValue:
    """Submissions, funnel, scores, sources, pipeline, touches; optionally from ?since=."""
    q = current_questionnaire()
    raw = request.args.get("since", "")
    error = None
    try:
        since = figures.parse_since(raw)
    except figures.InvalidPeriod:
        since = None
        error = _l("“Since” must be a date written YYYY-MM-DD, for example 2025-01-31.")
    board = figures.dashboard(q, datetime.now(UTC).date(), since)
    return render_template(
        "backoffice/analytics.html",
        board=board,
        charts=_charts(board),
        stage_label=_stage_label,
        source_label=_source_label,
        statuses=STATUS_LABELS,
        since_value=raw[:40] if error else (since.isoformat() if since else ""),
        error=error,
        given_up_at=figures.GIVEN_UP_AT,
        cadence_touches=figures.CADENCE_TOUCHES,
    ), (400 if error else 200)
