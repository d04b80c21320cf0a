"""Database engine set-up and the write transaction every use case runs in.

SQLite: WAL, a busy timeout, and `BEGIN IMMEDIATE` for writes. Measured on these
machines: WAL with a deferred BEGIN lost most concurrent writes ("database is
locked" at once, the timeout does not help); WAL with BEGIN IMMEDIATE wrote them all.
PostgreSQL: rows a use case changes are locked with SELECT ... FOR UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from assess.extensions import db

_IMMEDIATE = "assess_write"


def init_app(app: Flask) -> None:
    """Install the SQLite connection hooks on the app's engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one write transaction: commit at the end, roll back on error.

    On SQLite it takes the write lock first (BEGIN IMMEDIATE), so concurrent
    writers queue instead of failing; the block must start no other transaction.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
