"""Saving a step while the same draft changes under it (another tab, another device)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from assess.db.models import Submission, utcnow
from assess.extensions import db
from assess.respondent import submissions
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    FIRST_STEP,
    GOOD_FIRST_STEP,
    csrf_token,
    form_values,
    post_step,
    questionnaire,
    saved,
    start,
)


def draft_key(app: Flask) -> str:
    with app.app_context():
        return db.session.execute(select(Submission.draft_key)).scalar_one()


def test_a_step_posted_while_another_tab_saves_keeps_both(app, client):
    start(client)
    post_step(client, FIRST_STEP, GOOD_FIRST_STEP)
    q = questionnaire(app)
    second = q.sections[1].id
    second_answers = form_values(q, second, persona("pme_industrielle")["answers"])
    token = csrf_token(client.get(f"/step/{second}"))
    cookie = client.get_cookie("session")
    assert cookie is not None
    other_tab = app.test_client()
    other_tab.set_cookie("session", cookie.value)
    reposted = {**GOOD_FIRST_STEP, "growth_priority": "les_deux"}
    interrupted: list[int] = []

    def posted(name: str) -> list[str]:
        if not interrupted:
            # The draft is read; before this post writes, the other tab saves the second step.
            response = other_tab.post(
                f"/step/{second}", data={**second_answers, "csrf_token": token}
            )
            interrupted.append(response.status_code)
        return [reposted[name]] if name in reposted else []

    with app.test_request_context():
        outcome = submissions.save_section(q, draft_key(app), "entreprise", posted)
    assert interrupted == [303]
    assert outcome.errors == {}
    assert outcome.next_step == second
    draft = saved(app)
    assert draft.answers["growth_priority"] == "les_deux"
    assert set(second_answers) <= set(draft.answers)
    assert draft.steps_done == ["entreprise", second]


def test_a_draft_that_keeps_changing_is_saved_under_the_lock(app, client):
    start(client)
    q = questionnaire(app)
    key = draft_key(app)
    changes: list[str] = []

    def posted(name: str) -> list[str]:
        if name == "has_sales_team":
            changes.append(name)
            if len(changes) <= submissions.OPTIMISTIC_ATTEMPTS:
                # Each unlocked attempt sees the draft change before it writes.
                with app.app_context():
                    db.session.execute(Submission.__table__.update().values(updated_at=utcnow()))
                    db.session.commit()
        return [GOOD_FIRST_STEP[name]] if name in GOOD_FIRST_STEP else []

    with app.test_request_context():
        outcome = submissions.save_section(q, key, "entreprise", posted)
    # Three unlocked attempts, then one under the lock.
    assert len(changes) == submissions.OPTIMISTIC_ATTEMPTS + 1
    assert outcome.next_step == q.sections[1].id
    assert saved(app).answers["growth_priority"] == "conquete"
