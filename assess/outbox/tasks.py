"""Background jobs with Huey: SQLite-backed by default, Redis when REDIS_URL is set.

The same task code runs on both. Tasks are registered on the app's Huey
instance in `init_app`; `flask --app assess worker` runs the consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

_HUEY = "assess.huey"
_TASKS = "assess.tasks"


def make_huey(app: Flask) -> Huey:
    """The queue the configuration names."""
    config = app.config
    if config.get("REDIS_URL"):
        return RedisHuey("assess", url=config["REDIS_URL"], results=False)
    path = Path(config.get("HUEY_SQLITE_PATH") or Path(app.instance_path) / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("assess", filename=str(path), results=False)


def init_app(app: Flask) -> None:
    """Create the app's queue and register the tasks on it."""
    huey = make_huey(app)
    app.extensions[_HUEY] = huey
    app.extensions[_TASKS] = _register(huey, app)


def _register(huey: Huey, app: Flask) -> dict[str, Callable[..., Any]]:
    from assess.outbox import delivery, webhooks
    from assess.respondent import confirmation

    @huey.task(name="deliver")
    def deliver(delivery_id: int) -> None:
        """Send one outbox row; schedule the next attempt when it must be retried."""
        with app.app_context():
            attempt = delivery.deliver(delivery_id)
        if attempt.retry_at is not None:
            deliver.schedule(args=(delivery_id,), eta=attempt.retry_at)

    @huey.task(name="render_report")
    def render_report(submission_id: int) -> None:
        """Render a report whose address waits for confirmation, for the results page."""
        with app.app_context():
            confirmation.render_ahead(submission_id)

    @huey.task(name="deliver_webhook")
    def deliver_webhook(row_id: int) -> None:
        """Post one webhook row; schedule the next attempt when it must be retried."""
        with app.app_context():
            attempt = webhooks.deliver_webhook(row_id)
        if attempt.retry_at is not None:
            deliver_webhook.schedule(args=(row_id,), eta=attempt.retry_at)

    @huey.periodic_task(crontab(minute="*"), name="sweep_deliveries")
    def sweep_deliveries() -> None:
        """Re-enqueue rows left pending or stuck "sending" (a lost enqueue, a killed worker)."""
        with app.app_context():
            for delivery_id in delivery.due_delivery_ids():
                deliver(delivery_id)
            for row_id in webhooks.due_webhook_ids():
                deliver_webhook(row_id)

    @huey.periodic_task(crontab(minute="17"), name="refresh_statistics")
    def refresh_statistics() -> None:
        """Keep SQLite's planner statistics in step with the data, hourly."""
        from assess.db.database import refresh_statistics

        with app.app_context():
            refresh_statistics()

    return {
        "deliver": deliver,
        "deliver_webhook": deliver_webhook,
        "render_report": render_report,
        "sweep_deliveries": sweep_deliveries,
        "refresh_statistics": refresh_statistics,
    }


def huey_of(app: Flask | None = None) -> Huey:
    """The queue of the app."""
    huey: Huey = (app or current_app).extensions[_HUEY]
    return huey


def enqueue_deliveries(delivery_ids: Iterable[int]) -> None:
    """Hand delivery rows to the worker (after the transaction that wrote them committed).

    A failed enqueue is only logged: the sweeper finds the row later.
    """
    _enqueue("deliver", delivery_ids)


def enqueue_report_rendering(submission_ids: Iterable[int]) -> None:
    """Have the worker render reports ahead of their sending (after the commit)."""
    _enqueue("render_report", submission_ids)


def enqueue_webhooks(row_ids: Iterable[int]) -> None:
    """Hand webhook rows to the worker (after the transaction that wrote them committed)."""
    _enqueue("deliver_webhook", row_ids)


def _enqueue(task_name: str, row_ids: Iterable[int]) -> None:
    task = current_app.extensions[_TASKS][task_name]
    for row_id in row_ids:
        try:
            task(row_id)
        except Exception:  # the queue being down must not fail the respondent's request
            current_app.logger.exception("could not enqueue %s %s", task_name, row_id)
