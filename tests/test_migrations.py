"""The migrations build the schema the models describe, and come back down."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from assess.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _differences() -> list[object]:
    def ours(name: str | None, type_: str, parent: object) -> bool:
        # SQLite's search index is an FTS5 table and its shadow tables: no model says them.
        return not (type_ == "table" and (name or "").startswith("leads_search"))

    dialect = db.engine.dialect.name

    def here(item: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        # Indexes made for one database only (`ddl_if`) are not expected in the other.
        condition = getattr(item, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": ours, "include_object": here}
        )
        return list(compare_metadata(context, db.metadata))


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context():
        assert _differences() == []


def test_the_latest_migration_comes_down_and_goes_up_again(app):
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="73bac64605ba")  # before this two
        indexes = {index["name"] for index in inspect(db.engine).get_indexes("leads")}
        assert "ix_leads_completed_at" in indexes and "ix_leads_completed_at_id" not in indexes
        assert "leads_search" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()  # connections that knew the old schema
        assert _differences() == []


def test_the_sessions_table_replaces_the_token_and_keeps_what_points_at_an_account(app):
    """SQLite: the column is dropped in place; copying `users` into a new table would have
    set to NULL every audit entry, note and touch that names an account (foreign keys on)."""
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0d043c57dde2")
        db.engine.dispose()
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, active, "
                    "failed_logins, session_token, calendar_token, created_at) VALUES (7, "
                    "'kept@example.com', '', 'x', 'admin', true, 0, 'old', 'cal', '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO audit_entries (at, user_id, action, target, details) "
                    "VALUES ('2026-01-01', 7, 'user.login', '', '{}')"
                )
            )
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
        columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
        assert "session_token" not in columns
        assert "backoffice_sessions" in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT user_id FROM audit_entries")).scalar() == 7
        assert _differences() == []
