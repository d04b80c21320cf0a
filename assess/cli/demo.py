"""Demo data: fake leads (Faker fr_FR) that answered, were scored and were worked like real ones.

The respondents come from `demo_respondents`, their pipeline so far from `demo_history`;
here they go through `record_completion` and `plan_cadence` as at a real completion, and
rows are bulk-inserted a batch at a time. No delivery rows: no e-mail is ever sent about
demo data. The same seed and day give the same leads.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from typing import Any

from faker import Faker
from flask import current_app
from sqlalchemy import func, insert, inspect, select, text, update

from assess.cli.demo_history import fake_history
from assess.cli.demo_respondents import fake_respondent, slug
from assess.core.questionnaire import Questionnaire
from assess.db.database import refresh_statistics, write_transaction
from assess.db.models import Lead, LeadEvent, Note, Submission, Touch, User
from assess.db.questionnaire_store import current_questionnaire, remember_current_version
from assess.extensions import db
from assess.tracker import cadence
from assess.tracker.accounts import create_user
from assess.tracker.leads import record_completion

BATCH = 1000


@dataclass(frozen=True)
class DemoSummary:
    """What the seeding wrote, and how long it took."""

    leads: int
    touches: int
    notes: int
    events: int
    seconds: float


def seed_demo(
    count: int,
    seed: int | None = None,
    today: date | None = None,
    months: int = 12,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Write `count` demo leads completed over the last `months` months before `today`."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (fake data, not secrets)
    faker = Faker("fr_FR")
    faker.seed_instance(seed if seed is not None else rng.getrandbits(32))
    now = datetime.combine(today or datetime.now(UTC).date(), clock(18), UTC)
    q = current_questionnaire()
    consent_text_version = current_app.config["CONSENT_TEXT_VERSION"]
    with write_transaction():
        remember_current_version()
    owners = _consultants()
    totals = {"leads": 0, "touches": 0, "notes": 0, "events": 0}
    while totals["leads"] < count:
        size = min(BATCH, count - totals["leads"])
        people = [
            fake_respondent(q, rng, faker, now, months, consent_text_version) for _ in range(size)
        ]
        with write_transaction():
            for name, written in _write_batch(q, people, owners, rng, now).items():
                totals[name] += written
        if progress is not None:
            progress(totals["leads"])
    refresh_statistics()  # thousands of rows at once: the planner needs to know
    return DemoSummary(seconds=time.perf_counter() - started, **totals)


def _consultants() -> list[int]:
    """The active accounts leads are given to; three demo consultants when there are none."""
    ids = list(db.session.execute(select(User.id).where(User.active.is_(True))).scalars())
    if ids:
        return sorted(ids)
    # Random passwords nobody knows: an admin sets one before such an account is used.
    for name in ("Camille Martin", "Julien Bernard", "Sophie Lefèvre"):
        email = f"demo.{slug(name, '.')}@example.org"
        ids.append(create_user(email, secrets.token_urlsafe(24), "consultant", name).id)
    return ids


def _unique_addresses(people: list[dict[str, Any]]) -> None:
    """One address per person (unique among completed leads): one already taken, in the
    database or the batch, gets a number."""
    wanted = [person["lead"]["email"] for person in people]
    taken = set(db.session.execute(select(Lead.email).where(Lead.email.in_(wanted))).scalars())
    for person in people:
        address = person["lead"]["email"]
        local, domain = address.rsplit("@", 1)
        number = 1
        while address in taken or (
            number > 1 and db.session.execute(select(Lead.id).where(Lead.email == address)).first()
        ):
            number += 1
            address = f"{local}.{number}@{domain}"
        taken.add(address)
        person["lead"]["email"] = address


def _write_batch(
    q: Questionnaire,
    people: list[dict[str, Any]],
    owners: list[int],
    rng: random.Random,
    now: datetime,
) -> dict[str, int]:
    """Insert one batch: leads, submissions, cadences, then their history (one transaction)."""
    _unique_addresses(people)
    lead_ids = _allocate_ids(Lead, len(people))
    submission_ids = _allocate_ids(Submission, len(people))
    pairs = []
    events: list[dict[str, Any]] = []
    with db.session.no_autoflush:
        for person, lead_id, submission_id in zip(people, lead_ids, submission_ids, strict=True):
            lead = Lead(id=lead_id, **person["lead"])
            # The results address and the draft's key are secrets, never drawn from the seed.
            submission = Submission(
                id=submission_id,
                lead_id=lead_id,
                **person["submission"],
                draft_key=secrets.token_urlsafe(32),
                public_token=secrets.token_urlsafe(24),
            )
            record_completion(lead, submission, submission.result or {})
            for row in _harvest()[LeadEvent]:
                events.append({**row, "at": row.get("at") or submission.completed_at})
            pairs.append((lead, submission))
    # The pair of foreign keys is circular: leads first, latest_submission_id set at the end.
    _insert(Lead, [_row(lead, skip="latest_submission_id") for lead, _ in pairs])
    _insert(Submission, [_row(submission) for _, submission in pairs])
    with db.session.no_autoflush:
        for lead, submission in pairs:
            cadence.plan_cadence(lead, submission, q)
        planned = _harvest()
    touches = planned.pop(Touch, [])
    touches_by_lead: dict[int, list[dict[str, Any]]] = {}
    # Explicit ids, so that each touch's timeline event names it as a real one does.
    for touch, touch_id in zip(touches, _allocate_ids(Touch, len(touches)), strict=True):
        touch["id"] = touch_id
        touches_by_lead.setdefault(touch["lead_id"], []).append(touch)
    notes: list[dict[str, Any]] = []
    updates = [
        fake_history(lead, touches_by_lead.get(lead.id, []), owners, rng, now, events, notes)
        for lead, _ in pairs
    ]
    for note, note_id in zip(notes, _allocate_ids(Note, len(notes)), strict=True):
        note["id"] = note_id
        note.pop("_event")["data"]["note_id"] = note_id
    for model, rows in ((Touch, touches), (Note, notes), (LeadEvent, events), *planned.items()):
        _insert(model, rows)
    db.session.execute(update(Lead), updates)  # by primary key, one executemany
    return dict(leads=len(pairs), touches=len(touches), notes=len(notes), events=len(events))


def _allocate_ids(model: Any, count: int) -> list[int]:
    """Ids for rows inserted with explicit keys (PostgreSQL: from the table's own sequence)."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        return list(
            db.session.execute(
                select(func.nextval(sequence)).select_from(func.generate_series(1, count))
            ).scalars()
        )
    highest = db.session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    # SQLite (AUTOINCREMENT): past the highest id ever given, deleted rows' included.
    given = db.session.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table.name}
    ).scalar_one_or_none()
    start = max(highest, given or 0) + 1
    return list(range(start, start + count))


def _harvest() -> dict[Any, list[dict[str, Any]]]:
    """The objects use cases added to the session, taken out of it as rows for bulk inserts."""
    found: dict[Any, list[dict[str, Any]]] = {LeadEvent: []}
    for instance in db.session.new:
        found.setdefault(type(instance), []).append(_row(instance))
    # The seeding owns its session: emptying it at once is far cheaper than one expunge each.
    db.session.expunge_all()
    return found


def _row(instance: Any, skip: str = "") -> dict[str, Any]:
    state = inspect(instance)
    return {
        attr.key: state.dict[attr.key]
        for attr in state.mapper.column_attrs
        if attr.key in state.dict and attr.key != skip
    }


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany of Core inserts; unset keys take the column's scalar default, or null."""
    if not rows:
        return
    table = model.__table__
    keys = {key for row in rows for key in row}
    filler = {
        key: column.default.arg if column.default is not None and column.default.is_scalar else None
        for key in keys
        for column in (table.c[key],)
    }
    db.session.execute(insert(table), [{**filler, **row} for row in rows])
