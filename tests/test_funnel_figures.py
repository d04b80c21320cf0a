"""The completion funnel against known data: each stage, its drop-off, from 0 to 100 %."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assess.core.questionnaire import Questionnaire
from assess.db import funnel
from assess.db.models import FunnelCount
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import funnel_figures
from tests.helpers.analytics_records import add_lead, add_submission, at, fresh_app, today
from tests.helpers.wizard_driver import complete, form_values, post_step, start


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    """The shipped diagnostic, without rate limits."""
    yield from fresh_app(make_app)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context, for calling the use cases directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def q(app: Flask) -> Questionnaire:
    with app.app_context():
        return current_questionnaire()


def stage_counts(stages: list[funnel_figures.FunnelStage]) -> dict[str, int]:
    return {stage.key: stage.count for stage in stages}


def test_the_funnel_counts_every_stage_and_the_drop_off(ctx, q):
    ids = [section.id for section in q.sections]
    assert q.lead_capture == "end"
    db.session.add(FunnelCount(day=date(2025, 1, 6), step="landing", count=15))
    db.session.commit()
    funnel.record_landing_view({})
    funnel.record_landing_view({})
    funnel.record_landing_view({})
    funnel.record_landing_view({})
    funnel.record_landing_view({})
    # 10 drafts: 4 stop before any step, 2 after two steps, 4 go through every step.
    # Of those 4, 3 gave their contact details and 2 completed.
    for _ in range(4):
        add_submission()
    for _ in range(2):
        add_submission(steps_done=ids[:2])
    without_team = [i for i in ids if i != "equipe_commerciale"]
    lead = add_lead()
    add_submission(steps_done=ids, lead_id=lead.id, status="completed", completed_at=at(today()))
    lead = add_lead()
    add_submission(steps_done=without_team, lead_id=lead.id, status="completed")
    lead = add_lead()
    add_submission(steps_done=without_team, lead_id=lead.id)
    add_submission(steps_done=ids)
    stages = funnel_figures.completion_funnel(q)
    keys = [stage.key for stage in stages]
    assert keys == ["landing", "started", *[f"step:{i}" for i in ids], "contact", "completed"]
    counts = stage_counts(stages)
    assert counts["landing"] == 20
    assert counts["started"] == 10
    assert counts["step:entreprise"] == 6
    assert counts["step:strategie_commerciale"] == 6
    assert counts["step:objectifs_et_plan"] == 4
    assert counts["step:equipe_commerciale"] == 2
    assert counts["step:outils_digitaux"] == 4
    assert counts["contact"] == 3
    assert counts["completed"] == 2
    drops = {stage.key: stage.drop_off for stage in stages}
    assert drops["landing"] is None
    assert drops["started"] == 50.0
    assert drops["step:entreprise"] == 40.0
    assert drops["step:strategie_commerciale"] == 0.0
    assert drops["step:objectifs_et_plan"] == pytest.approx(33.3)
    # A section shown to some respondents only has no drop-off, nor does it count as a reference.
    conditional = [stage for stage in stages if stage.conditional]
    assert [stage.key for stage in conditional] == ["step:equipe_commerciale"]
    assert drops["step:equipe_commerciale"] is None
    assert drops["step:portefeuille_prospects"] == 0.0
    assert drops["contact"] == 25.0
    assert drops["completed"] == pytest.approx(33.3)
    titled = [stage for stage in stages if stage.key.startswith("step:")]
    assert all(stage.title is not None for stage in titled)


def test_an_empty_funnel_divides_by_nothing(ctx, q):
    stages = funnel_figures.completion_funnel(q)
    assert {stage.count for stage in stages} == {0}
    assert {stage.drop_off for stage in stages} == {None}


def test_a_stage_counted_short_never_gives_a_negative_drop_off(ctx, q):
    """Demo or imported drafts have no landing view counted, and some no steps recorded:
    7 views against 205 drafts once read "Abandon -2 828,6 %"."""
    ids = [section.id for section in q.sections]
    db.session.add(FunnelCount(day=today(), step="landing", count=7))
    db.session.commit()
    for _ in range(200):
        add_submission(steps_done=ids)
    for _ in range(5):  # completed, but their steps were never recorded
        lead = add_lead()
        add_submission(lead_id=lead.id, status="completed", completed_at=at(today()))
    stages = funnel_figures.completion_funnel(q)
    counts = stage_counts(stages)
    assert counts["landing"] == 7  # the figures shown stay the ones recorded
    assert counts["started"] == 205
    reached = {stage.key: stage.reached for stage in stages}
    # Whoever started went through the landing page, whoever completed through every step.
    assert reached["landing"] == 205
    assert reached["step:entreprise"] == 200
    drops = {stage.key: stage.drop_off for stage in stages}
    assert drops["started"] == 0.0
    assert drops["step:entreprise"] == pytest.approx(2.4)
    assert drops["contact"] == 97.5
    assert drops["completed"] == 0.0
    assert all(0 <= d <= 100 for d in drops.values() if d is not None)


def test_the_funnel_follows_the_respondents_through_the_wizard(app, q):
    personas = Path(__file__).parent / "personas"
    visits = []
    for name in ("artisan_tpe", "pme_industrielle"):
        data = json.loads((personas / f"{name}.json").read_text())
        _, visited = complete(app.test_client(), q, data["answers"], data["contact"])
        visits.append(visited)
    # A third respondent answers the first step only.
    stopped = app.test_client()
    first = start(stopped).location.rsplit("/", 1)[-1]
    data = json.loads((personas / "pme_industrielle.json").read_text())
    assert (
        post_step(stopped, f"/step/{first}", form_values(q, first, data["answers"])).status_code
        == 303
    )
    with app.app_context():
        stages = stage_counts(funnel_figures.completion_funnel(q))
        landing_rows = db.session.execute(select(FunnelCount.count)).scalars().all()
    # The landing page counts its views once the landing view calls record_landing_view().
    assert stages["landing"] == sum(landing_rows)
    assert stages["landing"] == 3  # each of the three opened it once
    assert stages["started"] == 3
    assert stages["contact"] == 2
    assert stages["completed"] == 2
    for section in q.sections:
        expected = sum(section.id in visited for visited in visits) + (section.id == first)
        assert stages[f"step:{section.id}"] == expected, section.id
    assert stages["step:equipe_commerciale"] == 1
