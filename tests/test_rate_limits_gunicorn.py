"""Rate limits hold across gunicorn workers when they share Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.helpers.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/14"


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.skipif(
    not redis_answers() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379"
)
def test_the_resume_limit_is_shared_by_two_workers(tmp_path, database_url):
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "limits",
        "DATABASE_URL": database_url,
        "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
        "RATELIMIT_RESUME": "6 per minute",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "assess:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if status(base + "/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.3)
        codes = [status(f"{base}/resume/not-a-token-{n}") for n in range(12)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # 6 allowed in all, whichever worker answered: with per-process counters it would be 12.
    assert codes[:6] == [404] * 6, codes
    assert codes[6:] == [429] * 6, codes
