"""Shared fixtures: an app per questionnaire on a migrated database, and a client.

The database is SQLite in a temporary folder, or the PostgreSQL database named
by TEST_DATABASE_URL (the CI's second pass). Tables are emptied after each test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from assess import create_app
from assess.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questions.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OTHER_TOPIC = FIXTURES / "other_topic.yaml"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: TEST_DATABASE_URL, or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
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
                **overrides,
            }
            app = create_app(settings)
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
    _empty_tables(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the shipped diagnostic."""
    return app.test_client()


@pytest.fixture
def other_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app running a small questionnaire on another topic (lead capture at the start)."""
    application = make_app(OTHER_TOPIC)
    yield application
    _empty_tables(application)


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(text(f'DELETE FROM "{table.name}"'))
