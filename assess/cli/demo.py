"""Demo data: fake leads (Faker fr_FR) that answered, were scored and were worked like real ones.

Answers are drawn from the questionnaire's own questions around a maturity that grows with
company size, then go through `validate_answers`, `score`, `record_completion` and
`plan_cadence` as at a real completion; rows are bulk-inserted a batch at a time. No
delivery rows: no e-mail is ever sent about demo data. The same seed and day give the same leads.
"""

from __future__ import annotations

import random
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from faker import Faker
from flask import current_app
from sqlalchemy import func, insert, inspect, select, text, update

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.contact import COMPANY_SIZES, SECTORS
from assess.core.questionnaire import Question, Questionnaire
from assess.core.scoring import score
from assess.core.steps import CONTACT_STEP
from assess.core.visibility import visible_sections
from assess.db.database import refresh_statistics, write_transaction
from assess.db.models import Lead, LeadEvent, Note, Submission, Touch, User
from assess.db.questionnaire_store import current_questionnaire, remember_current_version
from assess.extensions import db
from assess.tracker import cadence
from assess.tracker.accounts import create_user
from assess.tracker.leads import CADENCE_STOPS, record_completion

BATCH = 1000
DOMAINS = ("example.com", "example.org")
SIZE_WEIGHTS = (40, 30, 20, 10)  # tpe, pe, me, eti: most leads are small companies
# Larger companies tend to be better organised: the centre of their answers' maturity.
SIZE_MATURITY = {"tpe": 0.32, "pe": 0.45, "me": 0.56, "eti": 0.66}
SECTOR_WEIGHTS = (18, 14, 22, 10, 12, 6, 8, 10)
# (utm_source, utm_medium, campaigns, weight); no source at all is a direct visit.
SOURCES = (
    ("linkedin", "social", ("diagnostic-2026", "webinar-pilotage", "post-sponsorise"), 30),
    ("newsletter", "email", ("newsletter-mensuelle", "relance-diagnostic"), 18),
    ("google", "cpc", ("performance-commerciale", "diagnostic-gratuit"), 15),
    ("google", "organic", (None,), 10),
    ("salon", "event", ("salon-franchise-paris", "salon-pme-lyon"), 9),
    ("partenaire", "referral", ("cci-idf", "expert-comptable"), 5),
    (None, None, (None,), 13),
)
REFERRERS = {
    "linkedin": "https://www.linkedin.com/",
    "google": "https://www.google.com/",
    "partenaire": "https://www.cci.fr/",
}
JOB_TITLES = tuple(
    "Dirigeant|Dirigeante|Gérant|Gérante|Directeur commercial|Directrice commerciale|"  # noqa: SIM905
    "Responsable des ventes|Directeur général|Responsable développement|Chef des ventes|"
    "Directrice marketing et ventes|Président|Associée|Business developer".split("|")
)
TEXT_ANSWERS = ("Recruter un commercial terrain.", "Mieux suivre les relances.")
NOTES = (
    "Appel de découverte : intéressé par un accompagnement sur la prospection.",
    "Pas disponible avant la rentrée, rappeler en septembre.",
    "Le dirigeant veut impliquer son directeur commercial au prochain échange.",
    "Budget à valider en comité de direction.",
    "A déjà travaillé avec un cabinet, attentes précises sur les indicateurs.",
    "Très réactif, demande une proposition pour un atelier d'une journée.",
)
LOST_REASONS = ("Budget gelé cette année.", "A choisi un autre cabinet.", "Pas prioritaire.")
# Outcomes of a touch done; the cadence module's list is used when it has one.
OUTCOMES: tuple[str, ...] = cadence.OUTCOMES
# The outcome of the touch that stopped the cadence, by the status it led to.
STOPPING = {"meeting_booked": "meeting_booked", "lost": "not_interested"}
ON_THE_WAY = tuple(o for o in OUTCOMES if o not in STOPPING.values())
# The statuses a lead went through to reach its current one.
PATHS: dict[str, tuple[str, ...]] = {
    "new": (),
    "contacted": ("contacted",),
    "meeting_booked": ("contacted", "meeting_booked"),
    "proposal_sent": ("contacted", "meeting_booked", "proposal_sent"),
    "won": ("contacted", "meeting_booked", "proposal_sent", "won"),
    "lost": ("contacted", "lost"),
}
_SLUG = re.compile(r"[^a-z0-9]+")


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
    with write_transaction():
        remember_current_version()
    owners = _consultants()
    totals = {"leads": 0, "touches": 0, "notes": 0, "events": 0}
    while totals["leads"] < count:
        size = min(BATCH, count - totals["leads"])
        people = [_person(q, rng, faker, now, months) for _ in range(size)]
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
        email = f"demo.{_slug(name, '.')}@example.org"
        ids.append(create_user(email, secrets.token_urlsafe(24), "consultant", name).id)
    return ids


def _slug(text: str, joiner: str = "") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub(joiner, ascii_text.lower()).strip(joiner)


def _person(
    q: Questionnaire, rng: random.Random, faker: Faker, now: datetime, months: int
) -> dict[str, Any]:
    """One respondent: contact, source, answers scored, and when it all happened."""
    size = rng.choices(COMPANY_SIZES, SIZE_WEIGHTS)[0]
    sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
    source, medium, campaigns, _ = rng.choices(SOURCES, [s[-1] for s in SOURCES])[0]
    first, last = faker.first_name(), faker.last_name()
    # More leads lately (the campaigns grew), in office hours.
    age = timedelta(days=months * 30.44 * rng.random() ** 1.4)
    completed = (now - age).replace(hour=rng.choice(range(8, 20)), minute=rng.randrange(60))
    completed = min(completed, now)
    contact = {"company_size": size, "sector": sector}
    maturity = min(max(rng.gauss(SIZE_MATURITY[size], 0.17), 0.03), 0.98)
    answers = _valid_answers(q, maturity, contact, rng)
    result = score(q, answers, contact).as_json()
    lead = {
        "first_name": first,
        "last_name": last,
        "email": f"{_slug(first, '.')}.{_slug(last, '.')}{rng.randrange(10, 100)}"
        f"@{rng.choice(DOMAINS)}",
        "company": faker.company(),
        "job_title": rng.choice(JOB_TITLES),
        "phone": faker.phone_number() if rng.random() < 0.8 else None,
        "company_size": size,
        "sector": sector,
        "locale": "en" if rng.random() < 0.05 else "fr",
        "consent_at": completed - timedelta(minutes=1),
        # Demo leads stand for respondents who clicked their confirmation link.
        "email_confirmed_at": completed,
        "consent_text_version": current_app.config["CONSENT_TEXT_VERSION"],
        "marketing_opt_in": rng.random() < 0.35,
        "utm_source": source,
        "utm_medium": medium,
        "utm_campaign": rng.choice(campaigns),
        "referrer": REFERRERS.get(source or ""),
        "created_at": completed - timedelta(minutes=1),
    }
    copied = ("locale", "utm_source", "utm_medium", "utm_campaign", "referrer")
    submission = {
        **{name: lead[name] for name in copied},
        "status": "completed",
        "questionnaire_id": q.id,
        "questionnaire_version": q.version,
        "questionnaire_hash": q.source_hash,
        "answers": answers,
        "steps_done": [s.id for s in visible_sections(q, answers, contact)] + [CONTACT_STEP],
        "result": result,
        "overall_score": result["overall"],
        "level": result["level"],
        "created_at": completed - timedelta(minutes=rng.randrange(5, 25)),
        "updated_at": completed,
        "completed_at": completed,
    }
    return {"lead": lead, "submission": submission}


def _valid_answers(
    q: Questionnaire, maturity: float, contact: dict[str, str], rng: random.Random
) -> dict[str, Any]:
    """Answers valid for this questionnaire: refused ones are drawn again."""
    raw = {x.id: _answer(x, maturity, rng) for x in q.questions}
    for _ in range(5):
        try:
            return validate_answers(q, {k: v for k, v in raw.items() if v is not None}, contact)
        except InvalidAnswers as invalid:
            for qid in invalid.errors:
                question = q.questions_by_id.get(qid)
                raw[qid] = _answer(question, maturity, rng, required=True) if question else None
    raise RuntimeError(f"no valid answers could be drawn for {q.id}")


def _answer(question: Question, maturity: float, rng: random.Random, required: bool = False) -> Any:
    """One plausible answer: a mature company tends to pick the options worth more."""
    if not (required or question.is_required) and rng.random() < 0.15:
        return None
    if question.type in {"single", "multiple"}:
        options = sorted(question.options or (), key=lambda o: o.points)
        if question.type == "single":
            index = round(maturity * (len(options) - 1) + rng.gauss(0, 0.8))
            return options[min(max(index, 0), len(options) - 1)].value
        chosen = [o.value for o in options if rng.random() < (maturity if o.points > 0 else 0.2)]
        return chosen or [rng.choice(options).value]
    if question.type == "boolean":
        return rng.random() < maturity
    if question.type == "text":
        return rng.choice(TEXT_ANSWERS)[: question.text_max_length]
    low = question.min if question.min is not None else 0.0
    high = question.max if question.max is not None else low + 100
    if question.type == "number" and high - low > 100:
        high = low + min(high - low, 60)  # leads per month, deal value: the low end is common
    target = low + (high - low) * min(max(maturity + rng.gauss(0, 0.15), 0.0), 1.0)
    step = question.step or (1 if question.type == "scale" else None)
    value = target if step is None else low + round((target - low) / step) * step
    value = min(max(value, low), high)
    return int(value) if float(value).is_integer() else round(value, 6)


def _write_batch(
    q: Questionnaire,
    people: list[dict[str, Any]],
    owners: list[int],
    rng: random.Random,
    now: datetime,
) -> dict[str, int]:
    """Insert one batch: leads, submissions, cadences, then their history (one transaction)."""
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
        _history(lead, touches_by_lead.get(lead.id, []), owners, rng, now, events, notes)
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


def _history(
    lead: Lead,
    touches: list[dict[str, Any]],
    owners: list[int],
    rng: random.Random,
    now: datetime,
    events: list[dict[str, Any]],
    notes: list[dict[str, Any]],
) -> dict[str, Any]:
    """A plausible pipeline so far: owner, touches done, status path, notes; the lead's update."""
    completed = cadence.aware(lead.completed_at or now)
    age_days = (now - completed).total_seconds() / 86400
    status = rng.choices(tuple(PATHS), (22, 38, 12, 8, 7, 13))[0]
    if age_days < 1 or (status != "contacted" and rng.random() > min(1.0, age_days / 30)):
        status = "new" if age_days < 1 or rng.random() < 0.5 else "contacted"
    owner = rng.choice(owners) if owners and (status != "new" or rng.random() < 0.4) else None

    def event(at: datetime, kind: str, **data: Any) -> dict[str, Any]:
        events.append({"lead_id": lead.id, "at": at, "kind": kind, "user_id": owner, "data": data})
        return events[-1]

    if owner is not None:
        event(completed + timedelta(hours=2), "owner", owner_id=owner)
    for touch in touches:
        touch["due_at"] = cadence.aware(touch["due_at"])
    touches.sort(key=lambda t: t["number"])
    due = [t for t in touches if t["due_at"] <= now]
    # Most follow-ups stop early: 80% of salespeople give up after the 3rd contact.
    done = 0 if status == "new" else min(len(due), rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 5, 7)))
    moment = completed + timedelta(hours=3)
    # The touch that ended the cadence booked the meeting, or heard "not interested".
    stopper = STOPPING.get(PATHS[status][1]) if len(PATHS[status]) > 1 else None
    for index, touch in enumerate(due[:done], 1):
        moment = min(max(touch["due_at"], moment) + timedelta(hours=rng.randrange(1, 30)), now)
        outcome = stopper if stopper and index == done else rng.choice(ON_THE_WAY)
        touch.update(status="done", done_at=moment, outcome=outcome, done_by_id=owner)
        data = {"touch_id": touch["id"], "number": touch["number"], "channel": touch["channel"]}
        event(moment, "touch", outcome=outcome, **data)
    if status in CADENCE_STOPS:
        for touch in touches:
            if touch.get("status", "planned") == "planned":
                touch["status"] = "cancelled"
    previous, reason = "new", None
    for step in PATHS[status]:
        moment = min(moment + timedelta(days=rng.uniform(0.5, 12)), now)
        reason = rng.choice(LOST_REASONS) if step == "lost" else None
        event(moment, "status", **{"from": previous, "to": step, "reason": reason})
        previous = step
    if status != "new" and rng.random() < 0.35:
        at = min(completed + timedelta(days=rng.uniform(0.2, 20)), now)
        # The note's id is allocated with the batch's; its event points at it.
        note = {"lead_id": lead.id, "author_id": owner, "body": rng.choice(NOTES)}
        notes.append({**note, "created_at": at, "_event": event(at, "note", note_id=None)})
    planned = [t["due_at"] for t in touches if t.get("status", "planned") == "planned"]
    return {
        "id": lead.id,
        "latest_submission_id": lead.latest_submission_id,
        "status": status,
        "status_changed_at": moment if PATHS[status] else None,
        "lost_reason": reason,
        "owner_id": owner,
        "touches_done": sum(1 for t in touches if t.get("status") == "done"),
        "next_touch_at": min(planned, default=None),
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
