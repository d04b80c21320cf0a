"""The completion funnel: landing views, drafts, each step of the wizard, contact, completed,
and the share lost at each stage.

Landing views, drafts and steps are counted apart (views per visitor and day, steps from
each draft's `steps_done`); seeded or imported drafts have no view and may have no steps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, case, func, select, true

from assess.core.questionnaire import LocalizedText, Questionnaire, Section
from assess.db.funnel import LANDING_STEP
from assess.db.models import FunnelCount, Submission
from assess.extensions import db


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def percentage(part: float, whole: float) -> float | None:
    """A percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class FunnelStage:
    """A stage of the completion funnel and how many got there.

    `drop_off` is the percentage lost since the previous stage every respondent
    goes through; a conditional section (shown to some respondents only) has none.
    `reached` is how many at least went through the stage: its count, or more when a
    later stage counted more (drafts seeded or imported without a landing view or their
    steps), so that a drop-off stays between 0 and 100 %.
    """

    key: str
    count: int
    title: LocalizedText | None = None
    conditional: bool = False
    drop_off: float | None = None
    reached: int | None = None


def _is_conditional(section: Section) -> bool:
    return section.show_if is not None or all(q.show_if is not None for q in section.questions)


def _steps_done_counts(where: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many submissions list each step id in `steps_done` (one GROUP BY over the JSON)."""
    if db.engine.dialect.name == "postgresql":
        elements = func.json_array_elements_text(Submission.steps_done)
        step = elements.table_valued("value", joins_implicitly=True).render_derived("steps")
        # A JSON null (never written by the wizard) would stop the whole query.
        where = [*where, func.json_typeof(Submission.steps_done) == "array"]
    else:  # SQLite's json_each has a `value` column of its own
        step = func.json_each(Submission.steps_done).table_valued("value", joins_implicitly=True)
    rows = db.session.execute(
        # The wizard lists a step once per submission: counting elements counts submissions.
        select(step.c.value, func.count())
        .select_from(Submission)
        .join(step, true())
        .where(*where)
        .group_by(step.c.value)
    ).all()
    return {str(value): count for value, count in rows}


def completion_funnel(q: Questionnaire, since: date | None = None) -> list[FunnelStage]:
    """Landing views, drafts started, each step of the wizard in its order, completed."""
    views = select(func.coalesce(func.sum(FunnelCount.count), 0)).where(
        FunnelCount.step == LANDING_STEP
    )
    where: list[ColumnElement[bool]] = []
    if since is not None:
        views = views.where(FunnelCount.day >= since)
        where.append(Submission.created_at >= day_start(since))
    landing = int(db.session.execute(views).scalar_one())
    started, contact, completed = db.session.execute(
        select(
            func.count(),
            func.count(Submission.lead_id),
            func.coalesce(func.sum(case((Submission.status == "completed", 1), else_=0)), 0),
        ).where(*where)
    ).one()
    done = _steps_done_counts(where)
    sections = [
        FunnelStage(f"step:{s.id}", done.get(s.id, 0), s.title, _is_conditional(s))
        for s in q.sections
    ]
    contact_stage = FunnelStage("contact", int(contact))
    steps = [contact_stage, *sections] if q.lead_capture == "start" else [*sections, contact_stage]
    stages = [FunnelStage("landing", landing), FunnelStage("started", int(started)), *steps]
    stages.append(FunnelStage("completed", int(completed or 0)))
    return _with_drop_off(stages)


def _with_drop_off(stages: list[FunnelStage]) -> list[FunnelStage]:
    """Each stage with how many at least reached it and the share lost since the last stage
    every respondent goes through."""
    # Landing views, drafts and steps are counted apart: whoever got further went through
    # every earlier stage, counted or not, so a stage reached at least its later ones' counts.
    reached: dict[int, int] = {}
    further = 0
    for index in range(len(stages) - 1, -1, -1):
        if not stages[index].conditional:
            further = max(further, stages[index].count)
            reached[index] = further
    measured: list[FunnelStage] = []
    reference: int | None = None
    for index, stage in enumerate(stages):
        drop = None
        if index in reached:
            if reference is not None:
                drop = percentage(reference - reached[index], reference)
            reference = reached[index]
        measured.append(replace(stage, drop_off=drop, reached=reached.get(index)))
    return measured
