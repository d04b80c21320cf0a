"""A real job worker process (`flask --app assess worker`), started and stopped by the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.paths import ROOT


def app_environment(settings: dict[str, Any]) -> dict[str, str]:
    """The environment that gives a process the same settings as a test app."""
    names = (
        "SECRET_KEY",
        "DATABASE_URL",
        "ASSESS_QUESTIONNAIRE",
        "HUEY_SQLITE_PATH",
        "REDIS_URL",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_TIMEOUT",
        "MAIL_FROM",
        "CONSULTANT_EMAIL",
        "OUTBOX_FOLDER",
        "DELIVERY_RETRY_BASE_SECONDS",
        "DELIVERY_RETRY_MAX_SECONDS",
        "DELIVERY_MAX_ATTEMPTS",
        "DELIVERY_STUCK_SECONDS",
        "PUBLIC_URL",
        "WEBHOOK_URLS",
        "WEBHOOK_SECRET",
        "WEBHOOK_ALLOW_PRIVATE",
        "WEBHOOK_TIMEOUT",
        "FOLLOW_UP_HOURS",
        "FOLLOW_UP_SKIP_PUBLIC_HOLIDAYS",
        "FOLLOW_UP_LEGITIMATE_INTEREST",
    )
    env = {k: v for k, v in os.environ.items() if k not in names}
    for name in names:
        if name in settings and settings[name] is not None:
            env[name] = str(settings[name])
    return env


class Worker:
    """`flask --app assess worker` as a child process."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "assess", "worker", "--workers", "2"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, mid-task if it was in one."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.process = None


def wait_for(condition: Callable[[], bool], timeout: float = 60, step: float = 0.2) -> bool:
    """Poll until the condition holds or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
