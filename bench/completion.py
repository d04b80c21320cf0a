"""Completion latency with the mail server up and down, and reports delivered per minute.

The request that completes a submission must not care whether SMTP works: it writes the
outbox rows and enqueues; the worker renders and sends. This benchmark completes the shipped
diagnostic in alternating blocks, SMTP up (aiosmtpd on loopback) then SMTP down (nothing
listens on its port), with one real worker running all along, rendering every report and
either sending it or recording the failure and scheduling the retry (the default backoff).
Printed: p95 of the completing request in each state and their ratio (goal <= 1.5). Before
that, with no retry pending, a backlog of reports is completed while no worker runs, and one
worker is timed draining it: reports (rendered and sent) per minute.

`python -m bench.completion` (`make bench` runs it); COMPLETION_DATABASE_URL and
COMPLETION_REDIS_URL run it on PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.ports import free_port  # noqa: E402
from tests.helpers.smtp_server import SmtpServer  # noqa: E402
from tests.helpers.wizard_driver import complete, confirm_address, plausible_answers  # noqa: E402
from tests.helpers.worker_process import Worker, app_environment, wait_for  # noqa: E402

BLOCKS = 6
PER_BLOCK = 8
BACKLOG = 12


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(quick: bool = False) -> list[str]:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from assess import create_app
    from assess.db.models import Delivery
    from assess.db.questionnaire_store import current_questionnaire
    from assess.extensions import db
    from assess.outbox.tasks import huey_of

    folder = Path(tempfile.mkdtemp(prefix="assess-completion-"))
    port = free_port()
    settings: dict[str, Any] = {
        "SECRET_KEY": "completion",
        "DATABASE_URL": os.environ.get("COMPLETION_DATABASE_URL")
        or f"sqlite:///{folder / 'completion.sqlite3'}",
        "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "REDIS_URL": os.environ.get("COMPLETION_REDIS_URL", ""),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_TIMEOUT": 5,
        "CONSULTANT_EMAIL": "consultant@example.com",
        "RATELIMIT_ENABLED": False,  # every simulated lead comes from 127.0.0.1
        "CONFIRM_PER_CLIENT_DAY": 100_000,  # likewise for the confirmation e-mails
    }
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        q = current_questionnaire()
    huey_of(app).flush()
    answers = plausible_answers(q)
    env = app_environment(settings)
    server = SmtpServer(port)
    worker = Worker(env, folder / "worker.log")

    def complete_block(count: int, into: list[float]) -> None:
        for _ in range(count):
            email = f"lead.{time.monotonic_ns()}@example.com"
            complete(app.test_client(), q, answers, {"email": email}, completion_times=into)
            confirm_address(app, email)  # the lead clicks their link: the report is sent

    def reports_sent_after(first_id: int) -> int:
        """Reports sent among the delivery rows numbered above `first_id`."""
        with app.app_context():
            found = db.session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.id > first_id, Delivery.kind == "report")
                .where(Delivery.status == "sent")
            )
            db.session.remove()
            return int(found or 0)

    up: list[float] = []
    down: list[float] = []
    try:
        # First the drain, on a clean outbox: no retry of the SMTP-down blocks is due yet, so
        # the worker renders and sends only these reports (and their notifications).
        server.start()
        count = BACKLOG // 2 if quick else BACKLOG
        complete_block(count, [])
        started = time.monotonic()
        worker.start()
        if not wait_for(lambda: reports_sent_after(0) >= count, timeout=600, step=0.2):
            raise AssertionError(f"{count} reports not sent: {worker.log.read_text()[-2000:]}")
        drained = time.monotonic() - started
        server.stop()
        complete_block(2, [])  # warm-up of the latency blocks
        for _ in range(2 if quick else BLOCKS):
            server.start()
            complete_block(PER_BLOCK, up)
            server.stop()
            complete_block(PER_BLOCK, down)
    finally:
        worker.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    ratio = p95(down) / p95(up)
    return [
        f"completion latency, shipped diagnostic, one worker rendering all along "
        f"({'PostgreSQL' if os.environ.get('COMPLETION_DATABASE_URL') else 'SQLite'})",
        f"  completing request p95: SMTP up {p95(up) * 1000:.0f} ms, SMTP down "
        f"{p95(down) * 1000:.0f} ms ({len(up)} + {len(down)} completions, alternating blocks): "
        f"ratio {ratio:.2f} (goal <= 1.5)",
        f"  medians: SMTP up {statistics.median(up) * 1000:.0f} ms, "
        f"SMTP down {statistics.median(down) * 1000:.0f} ms",
        f"  one worker drained {count} new reports (render + send) in {drained:.1f} s from its "
        f"start: {count / drained * 60:.0f} reports/min",
    ]


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv)))
