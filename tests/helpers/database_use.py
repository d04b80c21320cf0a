"""Which tests use the test database: the CI's PostgreSQL pass runs only those.

A test uses it when `database_url` is among its fixtures (through `app`, `make_app`,
`client`...), or when its module reads TEST_DATABASE_URL or TEST_REDIS_URL itself (the
replayed attacks and the gunicorn rate limits start servers of their own on them).
Every other test (the questionnaire's loader, scoring properties, the install check...)
gives the same answer on either pass, so the SQLite pass is enough.
"""

from __future__ import annotations

from collections.abc import Iterable

SETTINGS_READ = ("TEST_DATABASE_URL", "TEST_REDIS_URL")


def uses_the_database(fixtures: Iterable[str], module_source: str) -> bool:
    """Whether a test with these fixtures, in a module of this source, uses the test database."""
    return "database_url" in fixtures or any(name in module_source for name in SETTINGS_READ)
