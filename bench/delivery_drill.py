"""Fault drill for delivery: SMTP down, then hanging, then back; then the worker SIGKILLed
three times mid-sends. Every lead must get its report: nothing lost, duplicates at most one
per kill that hit the send window. Also: messages delivered per minute by one worker once
SMTP is back. (Completion latency with SMTP up and down: bench/completion.py.)

Runs on a small questionnaire (tests/fixtures/other_topic.yaml) so the drill measures
delivery, not PDF layout. `python -m bench.delivery_drill [--quick]`; CI runs --quick.
"""

from __future__ import annotations

import collections
import os
import shutil
import socket
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

QUESTIONNAIRE = ROOT / "tests" / "fixtures" / "other_topic.yaml"
# Each lead: the confirmation of their address, their report once confirmed, the consultant's
# notification.
MESSAGES_PER_LEAD = 3


class Silent:
    """A server that accepts connections and never says a word."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(50)

    def close(self) -> None:
        self.sock.close()


def run(quick: bool = False) -> list[str]:
    """Run the drill; raise AssertionError when a message is lost or duplicated too often."""
    from flask_migrate import upgrade

    from assess import create_app
    from assess.db.models import Delivery
    from assess.db.questionnaire_store import current_questionnaire
    from assess.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="assess-drill-"))
    port = free_port()
    submissions_count = 20 if quick else 50
    kill_batch = 12 if quick else 30
    settings: dict[str, Any] = {
        "SECRET_KEY": "drill",
        "DATABASE_URL": os.environ.get("DRILL_DATABASE_URL")
        or f"sqlite:///{folder / 'drill.sqlite3'}",
        "ASSESS_QUESTIONNAIRE": str(QUESTIONNAIRE),
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "REDIS_URL": os.environ.get("DRILL_REDIS_URL", ""),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_TIMEOUT": 1,
        "CONSULTANT_EMAIL": "consultant@example.com",
        "DELIVERY_RETRY_BASE_SECONDS": 1,
        "DELIVERY_RETRY_MAX_SECONDS": 3,
        "DELIVERY_MAX_ATTEMPTS": 1000,
        "DELIVERY_STUCK_SECONDS": 8,
        "RATELIMIT_ENABLED": False,  # every simulated lead comes from 127.0.0.1
        "CONFIRM_PER_CLIENT_DAY": 100_000,  # likewise for the confirmation e-mails
    }
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        q = current_questionnaire()
    from assess.outbox.tasks import huey_of

    huey_of(app).flush()
    env = app_environment(settings)
    worker = Worker(env, folder / "worker.log").start()
    lines: list[str] = []

    def statuses() -> collections.Counter[str]:
        with app.app_context():
            found = collections.Counter(db.session.execute(db.select(Delivery.status)).scalars())
            db.session.remove()
            return found

    def complete_many(count: int) -> None:
        for index in range(count):
            client = app.test_client()
            email = f"lead{index}.{time.monotonic_ns()}@example.com"
            complete(client, q, plausible_answers(q), {"email": email})
            confirm_address(app, email)  # the lead clicks the link (its e-mail may wait)

    server = SmtpServer(port)
    try:
        # Phase 1: SMTP down (nothing listens), then a server that never answers.
        complete_many(submissions_count // 2)
        silent = Silent(port)
        complete_many(submissions_count - submissions_count // 2)
        time.sleep(3)
        silent.close()
        before = statuses()
        assert before.get("sent", 0) == 0, before
        # Phase 2: SMTP back.
        server.start()
        back_at = time.monotonic()
        expected = MESSAGES_PER_LEAD * submissions_count
        assert wait_for(lambda: statuses().get("sent", 0) == expected, timeout=240), statuses()
        drained = time.monotonic() - back_at
        received = collections.Counter(m["Message-ID"] for m in server.recorder.received())
        assert len(received) == expected and max(received.values()) == 1, received.most_common(3)
        lines.append(
            f"  SMTP down then hanging while {submissions_count} submissions completed: "
            f"{expected} messages, each received exactly once after SMTP came back "
            f"({drained:.1f} s to drain: {expected / drained * 60:.0f} messages/min, one worker)"
        )
        # Phase 3: SIGKILL the worker three times during sends.
        complete_many(kill_batch)
        kills = 0
        for _ in range(3):
            target = len(server.recorder.received()) + MESSAGES_PER_LEAD
            wait_for(
                lambda target=target: len(server.recorder.received()) >= target,
                timeout=60,
                step=0.05,
            )
            worker.kill()
            kills += 1
            worker = Worker(env, folder / "worker.log").start()
        total = expected + MESSAGES_PER_LEAD * kill_batch
        assert wait_for(lambda: statuses().get("sent", 0) == total, timeout=300), statuses()
        received = collections.Counter(m["Message-ID"] for m in server.recorder.received())
        duplicates = sum(count - 1 for count in received.values())
        assert len(received) == total, f"lost: {total - len(received)}"
        assert duplicates <= kills, f"{duplicates} duplicates for {kills} kills"
        lines.append(
            f"  worker SIGKILLed {kills} times during sends of {MESSAGES_PER_LEAD * kill_batch} "
            "more messages: "
            f"none lost, {duplicates} duplicate(s) (allowed: at most {kills})"
        )
    finally:
        worker.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return ["delivery fault drill", *lines]


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv)))
