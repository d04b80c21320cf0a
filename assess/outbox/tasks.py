"""Background jobs with Huey: SQLite-backed by default, Redis when REDIS_URL is set.

The same task code runs on both; `flask --app assess worker` runs the consumer.

One way to hand work to the worker: `enqueue_after_commit(TASK, row_ids)` inside the write
transaction that wrote the rows; they reach the queue once it commits, never for a change
rolled back. The modules that do the work declare it with `@task(NAME)` (a row's sender also
names the rows left behind, which a sweeper enqueues again every minute), so this module
imports none of them: `app.py` imports them, and `init_app` makes each a Huey task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from assess.db.database import refresh_statistics
from assess.extensions import db
from assess.outbox.rows import Attempt

_HUEY = "assess.huey"
_TASKS = "assess.tasks"
_AFTER_COMMIT = "assess.enqueue_after_commit"

# The tasks, by name.
DELIVER = "deliver"
DELIVER_WEBHOOK = "deliver_webhook"
RENDER_REPORT = "render_report"


@dataclass(frozen=True)
class Task:
    """Work on one row: `run(row_id)` returns an `Attempt` whose `retry_at` schedules the next
    one (None: done); `due()` lists the rows a lost enqueue or a killed worker left behind."""

    run: Callable[[int], Attempt | None]
    due: Callable[[], Iterable[int]] | None = None


_REGISTRY: dict[str, Task] = {}


def task(
    name: str, due: Callable[[], Iterable[int]] | None = None
) -> Callable[[Callable[[int], Attempt | None]], Callable[[int], Attempt | None]]:
    """Declare the function that does the task `name` (and how to find its forgotten rows)."""

    def register(run: Callable[[int], Attempt | None]) -> Callable[[int], Attempt | None]:
        _REGISTRY[name] = Task(run, due)
        return run

    return register


def enqueue_after_commit(name: str, row_ids: Iterable[int]) -> None:
    """Hand rows to the worker once the current transaction commits (not if it rolls back)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown task {name!r}")
    db.session().info.setdefault(_AFTER_COMMIT, []).extend((name, row_id) for row_id in row_ids)


def make_huey(app: Flask) -> Huey:
    """The queue the configuration names."""
    config = app.config
    if config.get("REDIS_URL"):
        return RedisHuey("assess", url=config["REDIS_URL"], results=False)
    path = Path(config.get("HUEY_SQLITE_PATH") or Path(app.instance_path) / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("assess", filename=str(path), results=False)


def init_app(app: Flask) -> None:
    """Create the app's queue, make each declared task a Huey task, enqueue after commits."""
    huey = make_huey(app)
    app.extensions[_HUEY] = huey
    app.extensions[_TASKS] = _register(huey, app)
    if not event.contains(Session, "after_commit", _enqueue_committed):
        event.listen(Session, "after_commit", _enqueue_committed)
        event.listen(Session, "after_rollback", _forget_rolled_back)


def _register(huey: Huey, app: Flask) -> dict[str, Any]:
    queued = {name: _queued(huey, app, name, declared) for name, declared in _REGISTRY.items()}

    @huey.periodic_task(crontab(minute="*"), name="sweep")
    def sweep() -> None:
        """Re-enqueue rows left pending or stuck "sending" (a lost enqueue, a killed worker)."""
        with app.app_context():
            for name, declared in _REGISTRY.items():
                for row_id in declared.due() if declared.due else ():
                    queued[name](row_id)

    @huey.periodic_task(crontab(minute="17"), name="refresh_statistics")
    def refresh_statistics_hourly() -> None:
        """Keep SQLite's planner statistics in step with the data, hourly."""
        with app.app_context():
            refresh_statistics()

    return {**queued, "sweep": sweep, "refresh_statistics": refresh_statistics_hourly}


def _queued(huey: Huey, app: Flask, name: str, declared: Task) -> Any:
    def run(row_id: int) -> None:
        with app.app_context():
            attempt = declared.run(row_id)
        if attempt is not None and attempt.retry_at is not None:
            queued.schedule(args=(row_id,), eta=attempt.retry_at)

    run.__doc__ = declared.run.__doc__
    queued = huey.task(name=name)(run)
    return queued


def huey_of(app: Flask | None = None) -> Huey:
    """The queue of the app."""
    huey: Huey = (app or current_app).extensions[_HUEY]
    return huey


def _enqueue_committed(session: Session) -> None:
    for name, row_id in session.info.pop(_AFTER_COMMIT, ()):
        try:
            current_app.extensions[_TASKS][name](row_id)
        except Exception:  # the queue being down must not fail the request: the sweeper sends
            current_app.logger.exception("could not enqueue %s %s", name, row_id)


def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
