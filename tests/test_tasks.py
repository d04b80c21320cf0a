"""The one way to hand work to the worker: rows reach the queue once their transaction commits."""

from __future__ import annotations

import pytest
from flask import Flask

from assess.db.database import write_transaction
from assess.outbox import tasks
from assess.outbox.tasks import (
    DELIVER,
    DELIVER_WEBHOOK,
    RENDER_REPORT,
    enqueue_after_commit,
    huey_of,
)


def _queued(app: Flask) -> list[tuple[str, tuple[int, ...]]]:
    return sorted((task.name, tuple(task.args)) for task in huey_of(app).pending())


@pytest.fixture
def queue(app: Flask):
    huey_of(app).flush()
    yield huey_of(app)
    huey_of(app).flush()


def test_every_task_the_app_sends_is_declared_with_its_sweep(app: Flask):
    declared = tasks._REGISTRY
    assert {DELIVER, DELIVER_WEBHOOK, RENDER_REPORT} <= declared.keys()
    # Rows that can be left behind (a lost enqueue, a killed worker) are swept again.
    assert declared[DELIVER].due is not None and declared[DELIVER_WEBHOOK].due is not None


def test_rows_reach_the_queue_when_the_transaction_commits(app: Flask, queue):
    with app.app_context():
        with write_transaction():
            enqueue_after_commit(DELIVER, [41, 42])
            enqueue_after_commit(DELIVER_WEBHOOK, [7])
            assert _queued(app) == []  # not before the commit
        assert _queued(app) == [(DELIVER, (41,)), (DELIVER, (42,)), (DELIVER_WEBHOOK, (7,))]


def test_nothing_is_queued_for_a_transaction_rolled_back(app: Flask, queue):
    with app.app_context():
        with pytest.raises(RuntimeError), write_transaction():
            enqueue_after_commit(DELIVER, [41])
            raise RuntimeError("the use case failed")
        # The next transaction does not inherit what the failed one asked for.
        with write_transaction():
            enqueue_after_commit(DELIVER, [43])
        assert _queued(app) == [(DELIVER, (43,))]


def test_an_unknown_task_is_refused_at_once(app: Flask):
    with app.app_context(), pytest.raises(ValueError, match="unknown task"):
        enqueue_after_commit("deliver_by_pigeon", [1])
