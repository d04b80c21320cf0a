"""Start the app under gunicorn on a throw-away database, for the HTTP benchmarks."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# What production runs (Procfile); gunicorn would also read it from the working folder.
PRODUCTION_CONFIG = ROOT / "gunicorn.conf.py"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running gunicorn, the address it serves, its environment and its log."""

    base: str
    env: dict[str, str]
    log: Path


def bench_environment(folder: Path, database_url: str | None = None) -> dict[str, str]:
    """Settings for a throw-away app: its database, queue and outbox under `folder`."""
    return {
        **os.environ,
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "OUTBOX_FOLDER": str(folder / "outbox"),
        "SMTP_HOST": "",
    }


@contextmanager
def gunicorn(
    workers: int = 2,
    database_url: str | None = None,
    app: str = "bench.wsgi:app",
    settings: dict[str, str] | None = None,
    folder: Path | None = None,
    config: Path = PRODUCTION_CONFIG,
) -> Iterator[Server]:
    """Serve `app` with gunicorn sync workers on loopback on a migrated database; stop it after.

    `settings` override the environment; the server's output goes to `folder`/gunicorn.log
    (a temporary folder, removed afterwards, unless one is given). `config` is gunicorn's
    settings file: production's (access log, workers recycled), unless told otherwise; the
    workers and the address given here override it.
    """
    own_folder = folder is None
    folder = folder or Path(tempfile.mkdtemp(prefix="assess-bench-"))
    env = {**bench_environment(folder, database_url), **(settings or {})}
    subprocess.run(
        [str(BIN / "flask"), "--app", "assess", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = folder / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--config",
                str(config),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/healthz")
        yield Server(base, env, log)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start: {url}")


class Browser:
    """A minimal client with cookies that follows the wizard's forms."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return str(response.read().decode())

    def post(self, path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as response:
            return str(response.geturl())

    def token(self, path: str) -> str:
        found = CSRF.search(self.get(path))
        if not found:
            raise RuntimeError(f"no CSRF token on {path}")
        return found.group(1)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
