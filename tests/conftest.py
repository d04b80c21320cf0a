"""Shared fixtures: an app per questionnaire on a migrated database, and a client.

The database is SQLite in a temporary folder, or the PostgreSQL database named
by TEST_DATABASE_URL (the CI's second pass). Tables are emptied after each test.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from assess import create_app
from assess.extensions import db
from assess.outbox.tasks import huey_of
from tests.helpers.database import empty_tables
from tests.helpers.database_use import uses_the_database
from tests.helpers.paths import OTHER_TOPIC, ROOT, SHIPPED
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.worker_process import Worker, app_environment


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `no_database` the tests that do not use the test database (the CI's PostgreSQL
    pass leaves them to the SQLite pass: tests/helpers/database_use.py)."""
    sources: dict[str, str] = {}
    for item in items:
        path = str(item.path)
        if path not in sources:
            sources[path] = Path(path).read_text(encoding="utf-8")
        if not uses_the_database(getattr(item, "fixturenames", ()), sources[path]):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: TEST_DATABASE_URL, or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def work_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test apps keep their job queue and outbox."""
    return tmp_path_factory.mktemp("work")


@pytest.fixture(scope="session")
def make_app(database_url: str, work_folder: Path) -> Iterator[Callable[..., Flask]]:
    """Build (once per questionnaire and settings) an app on the migrated test database."""
    built: dict[tuple[Any, ...], Flask] = {}
    migrated = False

    def build(questionnaire: Path = SHIPPED, **overrides: Any) -> Flask:
        nonlocal migrated
        key = (str(questionnaire), tuple(sorted(overrides.items())))
        if key not in built:
            settings = {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "DATABASE_URL": database_url,
                "ASSESS_QUESTIONNAIRE": str(questionnaire),
                "HUEY_SQLITE_PATH": str(work_folder / "huey.sqlite3"),
                "OUTBOX_FOLDER": str(work_folder / "outbox"),
                "REDIS_URL": os.environ.get("TEST_REDIS_URL", ""),
                # Rate limits are tested on their own app (tests/test_security.py).
                "RATELIMIT_ENABLED": False,
                **overrides,
            }
            app = create_app(settings)
            huey_of(app).flush()  # no task left over from another run or another app
            if not migrated:
                with app.app_context():
                    upgrade(directory=str(ROOT / "migrations"))
                migrated = True
            built[key] = app
        return built[key]

    yield build
    for app in built.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app running the shipped diagnostic."""
    application = make_app()
    yield application
    empty_tables(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the shipped diagnostic."""
    return app.test_client()


@pytest.fixture
def other_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app running a small questionnaire on another topic (lead capture at the start)."""
    application = make_app(OTHER_TOPIC)
    yield application
    empty_tables(application)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback for the whole run; cleared before each test using it."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The loopback SMTP server, with nothing received yet."""
    smtp_server.recorder.clear()
    return smtp_server


@pytest.fixture
def smtp_allowed() -> set[tuple[str, int]]:
    """The SMTP servers this test may reach; a test adds the ones it starts itself."""
    return set()


@pytest.fixture(autouse=True)
def only_our_smtp_server(
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    smtp_allowed: set[tuple[str, int]],
) -> None:
    """No test reaches a mail server by accident: only the test's own loopback servers answer."""
    if "smtp" in request.fixturenames or "smtp_server" in request.fixturenames:
        server: SmtpServer = request.getfixturevalue("smtp_server")
        smtp_allowed.add(("127.0.0.1", server.port))
    real_connect = smtplib.SMTP.connect

    def guarded(
        self: smtplib.SMTP, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> Any:
        if (host, int(port)) not in smtp_allowed:
            raise AssertionError(f"test tried to reach SMTP server {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)


@pytest.fixture
def mailing_app(
    make_app: Callable[..., Flask], smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The shipped diagnostic sending through the loopback SMTP server, with its own queue."""
    queue = tmp_path_factory.mktemp("mailing-queue") / "huey.sqlite3"
    application = make_app(
        SHIPPED,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_TIMEOUT=3,
        CONSULTANT_EMAIL="consultant@example.com",
        HUEY_SQLITE_PATH=str(queue),
        DELIVERY_RETRY_BASE_SECONDS=1,
        DELIVERY_STUCK_SECONDS=30,
    )
    yield application
    empty_tables(application)


@pytest.fixture
def mailing_worker(mailing_app: Flask, tmp_path: Path) -> Iterator[Worker]:
    """A real worker process on the database and queue of mailing_app."""
    settings = {**mailing_app.config, "DATABASE_URL": mailing_app.config["SQLALCHEMY_DATABASE_URI"]}
    process = Worker(app_environment(settings), tmp_path / "worker.log").start()
    yield process
    process.stop()
