"""Database engine set-up and the write transaction every use case runs in.

SQLite: WAL, a busy timeout, and `BEGIN IMMEDIATE` for writes. Measured on these
machines: WAL with a deferred BEGIN lost most concurrent writes ("database is
locked" at once, the timeout does not help); WAL with BEGIN IMMEDIATE wrote them all.
PostgreSQL: rows a use case changes are locked with SELECT ... FOR UPDATE.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.sql.base import Executable

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
        # What is deleted is overwritten with zeros, not merely unlinked (GDPR erasure).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def refresh_statistics() -> None:
    """Give SQLite's planner fresh statistics on the leads (PostgreSQL's autovacuum keeps its own).

    Without them the leads list's filtered views took twice as long at 100,000 leads.
    The whole table is read (0.4 s at that size): statistics sampled with
    `analysis_limit` misled the planner worse than none.
    """
    if db.engine.dialect.name != "sqlite":
        return
    with write_transaction() as connection:
        connection.exec_driver_sql("ANALYZE leads")


def flush_deleted_data() -> bool:
    """After an erasure, leave no copy of the deleted rows in the database's files; True when
    done. SQLite: the write-ahead log still holds the pages as they were before the deletion,
    so copy it into the database (whose deleted rows secure_delete zeroed) and truncate it.
    It waits up to the busy timeout for readers; False if one still held an older snapshot
    (the next checkpoint completes it). PostgreSQL: nothing to do here (VACUUM reclaims the
    dead rows)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return True
    connection = engine.raw_connection()  # outside any transaction: a checkpoint needs that
    try:
        cursor = connection.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        connection.close()
    return not busy


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """Run the block as one write transaction: commit at the end, roll back on error.

    On SQLite it takes the write lock first (BEGIN IMMEDIATE), so concurrent
    writers queue instead of failing; the block must start no other transaction.
    The block gets the session's connection, for prepared statements (`run_in`).
    """
    if db.session().in_transaction():
        db.session.commit()
    connection = db.session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield connection
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def serialise(name: str) -> None:
    """Inside a write transaction: wait for every other one that serialises on `name`, so a
    count checked before a write still holds when it commits. (SQLite's BEGIN IMMEDIATE
    already runs write transactions one at a time; PostgreSQL takes an advisory lock.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class PreparedStatement:
    """A Core statement compiled once per dialect and run straight on a DBAPI connection.

    SQLAlchemy's per-execution machinery (events, execution context, result objects)
    costs about 0.1 ms a statement, more than the statement itself; the wizard's hot
    statements skip it. Values still go through the dialect's type processors (JSON,
    dates), so the same statement runs on SQLite and PostgreSQL.
    """

    def __init__(self, statement: Executable):
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def first(
        self, dbapi_connection: Any, dialect: Dialect, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Run on this DBAPI connection; the first row by column name, or None."""
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            row = cursor.fetchone() if compiled.columns else None
        finally:
            cursor.close()
        if row is None:
            return None
        return {
            name: process(value) if process else value
            for (name, process), value in zip(compiled.columns, row, strict=True)
        }

    def rowcount(self, dbapi_connection: Any, dialect: Dialect, params: Mapping[str, Any]) -> int:
        """Run a write on this DBAPI connection; the number of rows it changed."""
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = [
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in getattr(self.statement, "selected_columns", ())
        ]
        found = _Compiled(compiled.string, compiled.positiontup, binds, columns, compiled)
        self._compiled[dialect.name] = found
        return found


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: list[str] | None  # the parameters' order for a positional paramstyle
    binds: dict[str, Callable[[Any], Any] | None]
    columns: list[tuple[str, Callable[[Any], Any] | None]]
    compiled: Any

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = self.compiled.construct_params(params)
        for name, process in self.binds.items():
            if process is not None:
                values[name] = process(values[name])
        return [values[name] for name in self.positions] if self.positions is not None else values


def read_one(statement: PreparedStatement, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """Run a read on a pooled connection of its own, outside any transaction: one statement."""
    engine = db.engine
    connection = engine.raw_connection()
    try:
        return statement.first(connection.dbapi_connection, engine.dialect, params)
    finally:
        connection.close()


def write_one(statement: PreparedStatement, params: Mapping[str, Any]) -> int:
    """Run one write statement as its own transaction on a pooled connection; rows changed.

    Nothing else runs in that transaction, so on SQLite it holds the write lock only for
    the statement itself.
    """
    engine = db.engine
    connection = engine.raw_connection()
    try:
        dbapi_connection: Any = connection.dbapi_connection
        try:
            changed = statement.rowcount(dbapi_connection, engine.dialect, params)
            dbapi_connection.commit()
        except BaseException:
            dbapi_connection.rollback()
            raise
        return changed
    finally:
        connection.close()


def run_in(
    connection: Connection, statement: PreparedStatement, params: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Run a statement in the transaction of this connection (see `write_transaction`)."""
    return statement.first(connection.connection.dbapi_connection, connection.dialect, params)


def dialect_insert(table: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can take ON CONFLICT DO UPDATE, for the app's database (SQLite or
    PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
