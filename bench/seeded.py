"""Seeded databases for the back-office benchmark, kept between runs.

Seeding 100,000 demo leads through the real scoring takes minutes, so the seeded
database is kept: a file in BENCH_CACHE (default `.bench-cache/`) for SQLite, a
template database on the PostgreSQL server. Each run works on a copy, migrated to
the current head, and throws it away. The cache is keyed by the number of leads and
a digest of what shapes the data (the demo seeder, the scoring, the cadence, the
questionnaire); BENCH_RESEED=1 seeds again anyway. Seeded data is relative to the day
it was seeded on (completions over the twelve months before).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("BENCH_CACHE", str(ROOT / ".bench-cache")))
SHAPES_THE_DATA = (
    "assess/cli/demo.py",
    "assess/cli/demo_respondents.py",
    "assess/cli/demo_history.py",
    "assess/core/scoring.py",
    "assess/tracker/cadence.py",
    "questions.yaml",
)


def cache_key(leads: int) -> str:
    """The number of leads and a short digest of the code and file the data comes from."""
    digest = hashlib.sha256()
    for name in SHAPES_THE_DATA:
        digest.update((ROOT / name).read_bytes())
    return f"{leads}_{digest.hexdigest()[:10]}"


def _reseed() -> bool:
    return os.environ.get("BENCH_RESEED", "") not in ("", "0")


def sqlite_copy(leads: int, folder: Path, seed: Callable[[str], None]) -> tuple[str, str]:
    """A copy of the cached seeded SQLite file in `folder` (seeded first when missing)."""
    cached = CACHE / f"backoffice_{cache_key(leads)}.sqlite3"
    note = f"from the cache ({cached.name})"
    if _reseed() or not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        seed(f"sqlite:///{partial}")
        seconds = time.perf_counter() - started
        note = f"seeded in {seconds:.0f} s ({leads / seconds:,.0f} leads/s), kept in {CACHE}"
        for extra in ("-wal", "-shm"):  # the seeding checkpointed: nothing left in them
            Path(f"{partial}{extra}").unlink(missing_ok=True)
        partial.replace(cached)
    copy = folder / "bench.sqlite3"
    shutil.copyfile(cached, copy)
    return f"sqlite:///{copy}", note


@contextmanager
def postgres_copy(
    server: str, leads: int, seed: Callable[[str], None]
) -> Iterator[tuple[str, str]]:
    """A throw-away copy of the cached seeded database on the server BENCH_DATABASE_URL names.

    Database names start with that URL's database name (default `assess_bench`): the
    cache is `<name>_seed_<key>`, each run's copy `<name>_run_<random>`.
    """
    given = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    base = given.database or "assess_bench"
    # CREATE and DROP DATABASE run from the maintenance database, never from one they touch.
    admin = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    cached = f"{base}_seed_{cache_key(leads)}"
    run = f"{base}_run_{uuid.uuid4().hex[:8]}"
    note = f"from the cache (database {cached})"

    def url_of(name: str) -> str:
        return str(admin.url.set(database=name).render_as_string(hide_password=False))

    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": cached}
            ).scalar()
            if exists and _reseed():
                connection.execute(text(f'DROP DATABASE "{cached}" WITH (FORCE)'))
                exists = None
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{cached}"'))
        if not exists:
            started = time.perf_counter()
            try:
                seed(url_of(cached))
            except BaseException:
                _drop(admin, cached)
                raise
            seconds = time.perf_counter() - started
            note = f"seeded in {seconds:.0f} s ({leads / seconds:,.0f} leads/s), kept as {cached}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{run}" TEMPLATE "{cached}"'))
        try:
            yield url_of(run), note
        finally:
            _drop(admin, run)
    finally:
        admin.dispose()


def _drop(admin: Any, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
