"""A real server, a real job worker and Debian's Chromium for the browser tests.

The app runs in a thread of this process (werkzeug's own server, threaded) on the
test database; a `flask --app assess worker` process renders the PDF reports. The
browser is /usr/bin/chromium driven by pytest-playwright: never a downloaded build.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from tests.browser.page_checks import PageChecks
from tests.helpers.database import empty_tables
from tests.helpers.paths import AXE, ROOT, SHIPPED, VNU
from tests.helpers.worker_process import Worker, app_environment

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The flags of ../shared/STACK.md: headless, no sandbox (root in CI), nothing phoning home.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = ROOT / "test-output"


def missing_tool(message: str) -> None:
    """Skip on a developer's machine without the tool; fail in CI, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must have it: see .ci/run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, headless, with the flags of STACK.md.

    Playwright gives each launch a fresh temporary profile (user data dir).
    """
    if not CHROMIUM.exists():
        missing_tool(f"no Chromium at {CHROMIUM}: apt-get install chromium for the browser tests")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A laptop-sized window, and downloads allowed (the PDF report)."""
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "accept_downloads": True,
    }


@pytest.fixture(scope="session")
def live_app(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The shipped diagnostic with its own job queue and outbox (no SMTP, no consultant mail),
    the consultant's card and the legal links."""
    folder = tmp_path_factory.mktemp("browser")
    return make_app(
        SHIPPED,
        HUEY_SQLITE_PATH=str(folder / "huey.sqlite3"),
        OUTBOX_FOLDER=str(folder / "outbox"),
        SMTP_HOST="",
        CONSULTANT_EMAIL="",
        # Who is behind the offer, as a deployment fills it in: the pages are checked with it.
        CONSULTANT_NAME="Hélène Martin",
        CONSULTANT_CREDENTIALS="20 ans de direction commerciale en PME industrielles",
        CONSULTANT_CREDENTIALS_EN="20 years leading sales teams in industrial SMEs",
        LEGAL_NOTICE_URL="https://www.cabinet-martin.fr/mentions-legales",
        PRIVACY_POLICY_URL="https://www.cabinet-martin.fr/confidentialite",
    )


@pytest.fixture(scope="session")
def served_html() -> dict[str, str]:
    """The last HTML page the live server sent to each address (path and query)."""
    return {}


@pytest.fixture(scope="session")
def live_server(live_app: Flask, served_html: dict[str, str]) -> Iterator[str]:
    """The app served over HTTP on loopback by werkzeug, in a thread; yields its base URL."""

    @live_app.after_request
    def keep_html(response: Response) -> Response:
        if response.mimetype == "text/html" and not response.direct_passthrough:
            query = request.query_string.decode()
            served_html[request.path + (f"?{query}" if query else "")] = response.get_data(True)
        return response

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright resolves page.goto("/...") against the live server."""
    return live_server


@pytest.fixture(scope="module")
def report_worker(live_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """A real job worker on the live app's database and queue: it renders the PDF reports.

    Module-scoped: the worker sweeps due deliveries of the whole test database every minute,
    so one left running would claim rows that later tests deliver themselves.
    """
    settings = {**live_app.config, "DATABASE_URL": live_app.config["SQLALCHEMY_DATABASE_URI"]}
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    worker = Worker(app_environment(settings), log).start()
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _fresh_tables(live_app: Flask) -> Iterator[None]:
    """Each journey starts on empty tables."""
    yield
    empty_tables(live_app)


@pytest.fixture(scope="session")
def page_checks(served_html: dict[str, str]) -> PageChecks:
    """Checks every page of the journeys and keeps its HTML and screenshots in test-output/."""
    if not AXE.exists() or not VNU.exists():
        missing_tool("axe-core and vnu-jar are not installed: run `npm ci --ignore-scripts`")
    if shutil.which("java") is None:
        missing_tool("no java on the PATH: the HTML checker (vnu.jar) needs Java 17")
    folder = OUTPUT / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    return PageChecks(folder, AXE.read_text(encoding="utf-8"), served_html)
