"""A draft's progress written only if the row is as it was read (the wizard's unlocked save)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assess.db.models import Submission
from assess.extensions import db
from assess.respondent.drafts import DraftState, read_draft, save_progress_if_unchanged
from tests.helpers.wizard_driver import FIRST_STEP, GOOD_FIRST_STEP, post_step, start


def started_draft(app: Flask, client: FlaskClient) -> tuple[str, DraftState]:
    """A respondent starts: their draft's key, and the draft as read now."""
    start(client)
    with app.app_context():
        key = db.session.execute(select(Submission.draft_key)).scalar_one()
        draft = read_draft(key)
    assert draft is not None
    return key, draft


def test_progress_is_written_when_the_draft_is_as_it_was_read(app, client):
    key, draft = started_draft(app, client)
    with app.app_context():
        assert save_progress_if_unchanged(draft, {"has_sales_team": True}, ["entreprise"], "x")
        after = read_draft(key)
    assert after is not None
    assert after.answers == {"has_sales_team": True}
    assert after.steps_done == ["entreprise"] and after.current_step == "x"
    assert after.updated_at != draft.updated_at


def test_progress_read_before_another_change_is_not_written(app, client):
    key, stale = started_draft(app, client)
    # Another tab saves the first step in between.
    assert post_step(client, FIRST_STEP, GOOD_FIRST_STEP).status_code == 303
    with app.app_context():
        assert not save_progress_if_unchanged(stale, {}, [], None)
        current = read_draft(key)
        assert current is not None
        assert current.answers["growth_priority"] == "conquete"
        assert current.steps_done == ["entreprise"]
        # Read again, the change goes through.
        assert save_progress_if_unchanged(
            current, {**current.answers, "x": 1}, ["entreprise"], None
        )


def test_a_completed_or_deleted_draft_is_never_written(app, client):
    _, draft = started_draft(app, client)
    with app.app_context():
        row = db.session.execute(select(Submission)).scalar_one()
        db.session.execute(
            Submission.__table__.update()
            .where(Submission.id == row.id)
            .values(status="completed", updated_at=draft.updated_at)
        )
        db.session.commit()
        assert not save_progress_if_unchanged(draft, {"a": 1}, [], None)
        db.session.execute(Submission.__table__.delete())
        db.session.commit()
        assert not save_progress_if_unchanged(draft, {"a": 1}, [], None)
