"""The test database between tests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from assess.extensions import db


def empty_tables(app: Flask) -> None:
    """Delete every row of the app's database, children first."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                # table names come from our own metadata, not from input
                connection.execute(text(f'DELETE FROM "{table.name}"'))  # noqa: S608
