"""Booking benchmark (issue #19), two parts.

1. Free slots with a year of bookings: one consultant (Monday to Friday 9-12 and 14-17 in
   Paris, 30-minute meetings, 30 days ahead) and about 2,500 bookings over twelve months,
   past and future, most booked or cancelled. The free slots the booking page shows
   (`assess.tracker.booking.open_slots`) against a primary-key read of the consultant, same
   run, alternating; p50 and p95 and their ratio. SQLite, then PostgreSQL when
   BENCH_DATABASE_URL names a server (a throw-away database is created on it and dropped).
2. Booking under load: 16 executives race for 8 slots on gunicorn (4 workers, production
   settings), two per slot, their POSTs released together by a barrier. Checks, raised when
   wrong (correctness, not timing): exactly 8 bookings per race in the database, no 5xx, every
   loser gets the French "taken" page (409 or 422). Prints the POST p95 against the p95 of the
   booking page's GET the same clients made together just before. SQLite, then PostgreSQL
   when LOAD_DATABASE_URL names a server (a fresh database on it, dropped afterwards).

`python -m bench booking` or `python -m bench.booking [--quick]` (fewer runs and races; not in
.ci/run: over a minute with both databases).
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from typing import Any

from bench.server import CSRF, ROOT, Browser, gunicorn

BOOKINGS = 2_500  # about a year of a busy consultant's meetings, booked or cancelled
RUNS, QUICK_RUNS = 200, 50
RACES, QUICK_RACES = 4, 1  # timed races, after a warm-up one
CLIENTS, SLOTS = 16, 8
SLOT = re.compile(r'name="slot" value="([^"]+)"')
TAKEN = "vient de réserver cet horaire"  # "Quelqu'un vient de réserver cet horaire."


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


@contextmanager
def fresh_postgres(server: str, purpose: str) -> Iterator[str]:
    """A new empty database on the server `server` names (`<its name>_<purpose>_<random>`),
    dropped afterwards; its URL."""
    from sqlalchemy import create_engine, make_url, text

    given = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{given.database or 'assess_bench'}_{purpose}_{uuid.uuid4().hex[:8]}"
    # CREATE and DROP DATABASE run from the maintenance database.
    admin = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield str(given.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def database(server: str | None, purpose: str, folder: Path) -> Iterator[str]:
    """A throw-away database: a SQLite file in `folder`, or a fresh one on `server`."""
    if server:
        with fresh_postgres(server, purpose) as url:
            yield url
    else:
        yield f"sqlite:///{folder / f'{purpose}.sqlite3'}"


def _lead_row(number: int, now: datetime, prefix: str) -> dict[str, Any]:
    return {
        "email": f"{prefix}{number}@example.com",
        "first_name": "Camille",
        "last_name": f"Martin {number}",
        "company": f"Entreprise {number}",
        "job_title": "Dirigeant",
        "company_size": "pe",
        "sector": "industrie",
        "locale": "fr",
        "consent_at": now,
        "consent_text_version": "bench",
        "status": "new",
        "touches_done": 0,
        "search_text": "",
        "created_at": now,
        "marketing_opt_in": False,
        "completed_at": now,
    }


def make_consultant(email: str, availability: Any) -> Any:
    """An account (the real path) with its availability; the User."""
    from assess.tracker.accounts import create_user
    from assess.tracker.booking import save_availability

    user = create_user(email, secrets.token_urlsafe(18), "consultant", email.split("@")[0])
    save_availability(user.id, availability)
    return user


# Part 1: free slots with a year of bookings.


def seed_year(availability: Any, consultant_id: int, count: int, now: datetime) -> Counter[str]:
    """`count` bookings on the consultant's grid from six months back to six months ahead,
    in one transaction: 60 % booked, 40 % cancelled; a lead each. Their statuses, counted."""
    from sqlalchemy import insert

    from assess.core.booking_slots import grid
    from assess.db.models import Booking, Lead
    from assess.db.models.booking import new_uid
    from assess.extensions import db

    rng = random.Random(19)
    today = now.date()
    slots = []
    for offset in range(-183, 183):
        slots += grid(availability, today + timedelta(days=offset))
    chosen = sorted(rng.sample(slots, min(count, len(slots))))
    db.session.execute(
        insert(Lead),
        [{"id": n + 1, **_lead_row(n, now, "year")} for n in range(len(chosen))],
    )
    rows = []
    for number, slot in enumerate(chosen):
        status = "booked" if rng.random() < 0.6 else "cancelled"
        rows.append(
            {
                "consultant_id": consultant_id,
                "lead_id": number + 1,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "status": status,
                "uid": new_uid(),
                "sequence": 0 if status == "booked" else 1,
                "created_at": slot.starts_at - timedelta(days=rng.randint(1, 20)),
                "cancelled_at": None if status == "booked" else slot.starts_at - timedelta(days=1),
                "status_before": "new",
            }
        )
    db.session.execute(insert(Booking), rows)
    db.session.commit()
    return Counter(row["status"] for row in rows)


def alternate(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Each action `runs` times, in turn; the seconds of each call."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
    return times


def free_slots_bench(label: str, server: str | None, runs: int) -> list[str]:
    from flask_migrate import downgrade, upgrade

    from assess import create_app
    from assess.core.booking_slots import Availability, Hours
    from assess.db.models import User, utcnow
    from assess.extensions import db
    from assess.tracker.booking import open_slots

    folder = Path(tempfile.mkdtemp(prefix="assess-booking-"))
    try:
        with database(server, "slots", folder) as url:
            app = create_app(
                {
                    "SECRET_KEY": "booking",
                    "DATABASE_URL": url,
                    "HUEY_SQLITE_PATH": str(folder / "q"),
                }
            )
            try:
                with app.app_context():
                    migrations = str(ROOT / "migrations")
                    if url.startswith("postgresql"):
                        downgrade(directory=migrations, revision="base")
                    upgrade(directory=migrations)
                    hours = (Hours(wall(9), wall(12)), Hours(wall(14), wall(17)))
                    availability = Availability(weekly={day: hours for day in range(5)})
                    consultant = make_consultant("year@example.com", availability)
                    consultant_id = consultant.id
                    now = utcnow()
                    started = time.perf_counter()
                    statuses = seed_year(availability, consultant_id, BOOKINGS, now)
                    seeded = time.perf_counter() - started
                    consultant = db.session.get(User, consultant_id)
                    db.session.expunge(consultant)  # loaded and detached: its id, no query

                    def read() -> None:
                        assert db.session.get(User, consultant_id) is not None
                        db.session.rollback()
                        db.session.expunge_all()

                    def slots() -> None:
                        assert open_slots(consultant)
                        db.session.rollback()
                        db.session.expunge_all()

                    shown = len(open_slots(consultant))
                    db.session.rollback()
                    times = alternate({"read": read, "slots": slots}, runs)
            finally:
                with app.app_context():
                    db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    read_p50, read_p95 = statistics.median(times["read"]), quantile(times["read"], 0.95)
    slots_p50, slots_p95 = statistics.median(times["slots"]), quantile(times["slots"], 0.95)
    return [
        f"  {label}: {statuses.total()} bookings over 12 months "
        f"({statuses['booked']} booked, {statuses['cancelled']} cancelled, seeded in "
        f"{seeded:.1f} s); {shown} free slots shown (30 days ahead); {runs} runs each, alternating",
        f"    consultant read by primary key (baseline): p50 {read_p50 * 1000:.2f} ms, "
        f"p95 {read_p95 * 1000:.2f} ms",
        f"    free slots (open_slots): p50 {slots_p50 * 1000:.2f} ms, "
        f"p95 {slots_p95 * 1000:.2f} ms = {slots_p95 / read_p95:.1f}x the baseline's p95 "
        f"({slots_p50 / read_p50:.1f}x at p50)",
    ]


# Part 2: 16 executives racing for 8 slots on gunicorn.


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a 303 as the answer: the POST is timed alone, without the page it leads to."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Executive(Browser):
    def __init__(self, base: str):
        super().__init__(base)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def send(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        """GET (or POST `data`); the status and the body, whatever the status."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode(errors="replace")


def tomorrow_in_paris() -> date:
    from assess.core.booking_slots import PARIS

    return datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=1)


def seed_race(number: int, day: date) -> tuple[int, list[str]]:
    """A consultant offering exactly 8 slots (09:00 to 13:00 in Paris on `day`, no notice,
    two days ahead, so no other day is in reach) and 16 completed leads it owns, each with
    its results token; the consultant's id and the tokens."""
    from assess.core.booking_slots import Availability, Hours
    from assess.db.models import Lead, Submission, utcnow
    from assess.extensions import db

    availability = Availability(
        weekly={day.weekday(): (Hours(wall(9), wall(13)),)}, notice_hours=0, horizon_days=2
    )
    consultant = make_consultant(f"race{number}@example.com", availability)
    now, tokens = utcnow(), []
    for index in range(CLIENTS):
        lead = Lead(**_lead_row(index, now, f"race{number}."), owner_id=consultant.id)
        token = secrets.token_urlsafe(24)
        db.session.add(lead)
        db.session.flush()
        db.session.add(
            Submission(
                draft_key=secrets.token_urlsafe(24),
                public_token=token,
                status="completed",
                lead_id=lead.id,
                questionnaire_id="diagnostic",
                questionnaire_version="1",
                questionnaire_hash="0" * 64,
                locale="fr",
                answers={},
                result={},
                completed_at=now,
            )
        )
        tokens.append(token)
    db.session.commit()
    return int(consultant.id), tokens


def race(base: str, tokens: list[str]) -> list[dict[str, Any]]:
    """Each executive GETs its booking page (all together), then all POST together, the
    i-th one the (i mod 8)-th slot; what each saw."""
    pages, posts = threading.Barrier(len(tokens)), threading.Barrier(len(tokens))
    seen: list[dict[str, Any]] = [{} for _ in tokens]

    def executive(index: int) -> None:
        browser, path = Executive(base), f"/results/{tokens[index]}/call"
        try:
            pages.wait(timeout=120)
            started = time.perf_counter()
            status, page = browser.send(path)
            seen[index]["get"] = (status, time.perf_counter() - started)
            found, slots = CSRF.search(page), SLOT.findall(page)
            if status != 200 or not found or len(slots) != SLOTS:
                raise RuntimeError(f"booking page: {status}, {len(slots)} slots")
            form = {"csrf_token": found.group(1), "slot": slots[index % SLOTS]}
            posts.wait(timeout=120)
            started = time.perf_counter()
            status, page = browser.send(path, form)
            seen[index]["post"] = (status, time.perf_counter() - started)
            seen[index]["taken"] = TAKEN in page.replace("&#39;", "'")
        except Exception as error:  # reported and raised by the caller
            seen[index]["error"] = repr(error)
            pages.abort()
            posts.abort()

    threads = [threading.Thread(target=executive, args=(n,)) for n in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def booked_slots(consultant_id: int) -> tuple[int, int]:
    """The consultant's booked meetings and their distinct starts, from the database."""
    from sqlalchemy import func, select

    from assess.db.models import Booking
    from assess.extensions import db

    rows = db.session.execute(
        select(func.count(Booking.id), func.count(func.distinct(Booking.starts_at))).where(
            Booking.consultant_id == consultant_id, Booking.status == "booked"
        )
    ).one()
    db.session.rollback()
    return int(rows[0]), int(rows[1])


def race_drill(label: str, server: str | None, races: int) -> list[str]:
    """`races` races on one gunicorn, each with its own consultant and 16 leads; raise when a
    race does not end with exactly 8 bookings, a 5xx appears or a loser is not told."""
    from assess import create_app
    from assess.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="assess-booking-load-"))
    gets: list[float] = []
    posts: list[float] = []
    statuses: Counter[int] = Counter()
    try:
        with database(server, "booking_load", folder) as url:
            settings = {
                "REDIS_URL": os.environ.get("LOAD_REDIS_URL", ""),
                "RATELIMIT_ENABLED": "false",  # every executive comes from 127.0.0.1
            }
            with gunicorn(4, url, "assess:create_app()", settings, folder) as server_run:
                app = create_app(
                    {
                        "SECRET_KEY": server_run.env["SECRET_KEY"],
                        "DATABASE_URL": url,
                        "HUEY_SQLITE_PATH": server_run.env["HUEY_SQLITE_PATH"],
                        "OUTBOX_FOLDER": server_run.env["OUTBOX_FOLDER"],
                    }
                )
                try:
                    day = tomorrow_in_paris()
                    for number in range(races + 1):
                        with app.app_context():
                            consultant_id, tokens = seed_race(number, day)
                        seen = race(server_run.base, tokens)
                        errors = [s["error"] for s in seen if "error" in s]
                        if errors:
                            raise RuntimeError(f"{label} race {number}: {errors[:3]}")
                        with app.app_context():
                            booked, starts = booked_slots(consultant_id)
                        codes = Counter(s["post"][0] for s in seen)
                        statuses.update(codes)
                        untold = [
                            s["post"][0]
                            for s in seen
                            if s["post"][0] != 303
                            and (s["post"][0] not in (409, 422) or not s["taken"])
                        ]
                        if booked != SLOTS or starts != SLOTS or codes[303] != SLOTS:
                            raise RuntimeError(
                                f"{label} race {number}: {booked} bookings on {starts} slots "
                                f"in the database, answers {dict(codes)} (expected {SLOTS})"
                            )
                        if any(code >= 500 for code in codes) or untold:
                            raise RuntimeError(
                                f"{label} race {number}: answers {dict(codes)}, "
                                f"{len(untold)} losers not shown the 'taken' message"
                            )
                        if number > 0:  # the first race warms the workers up, unmeasured
                            gets += [s["get"][1] for s in seen]
                            posts += [s["post"][1] for s in seen]
                finally:
                    with app.app_context():
                        db.engine.dispose()
            log = server_run.log.read_text(errors="replace")
            if "database is locked" in log:
                raise RuntimeError(f"{label}: 'database is locked' in the server log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    losers = sum(count for code, count in statuses.items() if code != 303)
    races += 1  # with the warm-up
    get_p95, post_p95 = quantile(gets, 0.95), quantile(posts, 0.95)
    return [
        f"  {label}: {races} races of {CLIENTS} executives for {SLOTS} slots: "
        f"{SLOTS} bookings each ({SLOTS * races} in all), 0 5xx, {losers} losers all shown "
        f"the 'taken' page (answers {dict(sorted(statuses.items()))}); the first race warms "
        "the workers up, the others are timed",
        f"    POST p50 {statistics.median(posts) * 1000:.0f} ms, p95 {post_p95 * 1000:.0f} ms "
        f"= {post_p95 / get_p95:.2f}x the p95 of the booking page's GET, 16 at once "
        f"(p50 {statistics.median(gets) * 1000:.0f} ms, p95 {get_p95 * 1000:.0f} ms)",
    ]


def run(quick: bool = False) -> list[str]:
    runs, races = (QUICK_RUNS, QUICK_RACES) if quick else (RUNS, RACES)
    lines = [f"booking (load average {load_average()} at start)", "free slots, a year of bookings"]
    lines += free_slots_bench("SQLite", None, runs)
    if os.environ.get("BENCH_DATABASE_URL"):
        lines += free_slots_bench("PostgreSQL", os.environ["BENCH_DATABASE_URL"], runs)
    else:
        lines.append("  PostgreSQL: skipped (set BENCH_DATABASE_URL to a server to measure it)")
    lines.append("booking race (gunicorn, 4 sync workers, production settings)")
    lines += race_drill("SQLite", None, races)
    if os.environ.get("LOAD_DATABASE_URL"):
        lines += race_drill("PostgreSQL", os.environ["LOAD_DATABASE_URL"], races)
    else:
        lines.append("  PostgreSQL: skipped (set LOAD_DATABASE_URL to a server to measure it)")
    lines.append(f"  (load average {load_average()} at the end)")
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print("\n".join(run(quick="--quick" in sys.argv)))
