"""GDPR erasure and retention: after a deletion no table mentions the lead; old data is purged."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import func, select, update

from assess.core.booking_slots import Availability
from assess.db.models import (
    AuditEntry,
    Booking,
    Delivery,
    Lead,
    LeadEvent,
    Note,
    ReportFile,
    Submission,
    Touch,
    User,
    utcnow,
)
from assess.extensions import db
from assess.tracker import gdpr
from assess.tracker.booking import book, open_slots, save_availability
from assess.tracker.leads import add_note, assign_owner
from assess.tracker.pipeline import change_status
from tests.helpers.backoffice_client import log_in, make_user, token_of
from tests.helpers.booking_records import WORKING_HOURS
from tests.helpers.wizard_driver import complete_lead

TARGET = {
    "first_name": "Zéphyrine",
    "last_name": "Quenouille",
    "email": "zephyrine.quenouille@example.com",
    "company": "Zorglub Équipements",
    "phone": "06 99 88 77 66",
}
KEPT = {
    "first_name": "Paul",
    "last_name": "Martin",
    "email": "paul.martin@example.org",
    "company": "Martin SAS",
}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def mentions(deleted: dict[str, set[Any]], needles: list[str]) -> list[tuple[str, str, Any]]:
    """Every cell of every table that points at a deleted row or contains a needle."""
    found = []
    lowered = [needle.casefold() for needle in needles]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column in table.columns:
                value = row[column.name]
                if value is None:
                    continue
                targets = [fk.column.table.name for fk in column.foreign_keys]
                if column.primary_key:
                    targets.append(table.name)
                if any(value in deleted.get(target, ()) for target in targets):
                    found.append((table.name, column.name, value))
                text = _text(value).casefold()
                found.extend((table.name, column.name, n) for n in lowered if n in text)
    return found


def _rows_of(lead_id: int) -> dict[str, set[Any]]:
    submissions = set(
        db.session.execute(select(Submission.id).where(Submission.lead_id == lead_id)).scalars()
    )

    def ids(model: Any, column: Any, values: set[Any]) -> set[Any]:
        return set(db.session.execute(select(model.id).where(column.in_(values))).scalars())

    return {
        "leads": {lead_id},
        "submissions": submissions,
        "deliveries": ids(Delivery, Delivery.submission_id, submissions),
        "notes": ids(Note, Note.lead_id, {lead_id}),
        "touches": ids(Touch, Touch.lead_id, {lead_id}),
        "lead_events": ids(LeadEvent, LeadEvent.lead_id, {lead_id}),
        "bookings": ids(Booking, Booking.lead_id, {lead_id}),
    }


def _everything_about(app, lead_id: int, user_id: int) -> None:
    """Notes, touches, a second draft, a PDF, owner and status history, as real use would."""
    with app.app_context():
        add_note(lead_id, f"Appelé {TARGET['first_name']} chez {TARGET['company']}.", user_id)
        assign_owner(lead_id, user_id, user_id)
        change_status(lead_id, "contacted", "", user_id)
        for number in (1, 2):
            db.session.add(
                Touch(
                    lead_id=lead_id,
                    number=number,
                    channel="phone",
                    due_at=utcnow(),
                    status="done",
                    outcome="reached",
                    note=f"Parlé à {TARGET['last_name']}",
                    done_by_id=user_id,
                )
            )
        db.session.add(
            Submission(
                draft_key=f"again-{lead_id}",
                status="draft",
                lead_id=lead_id,
                questionnaire_id="q",
                questionnaire_version="1",
                questionnaire_hash="h",
                locale="fr",
                answers={"remarks": TARGET["company"]},
            )
        )
        of_lead = select(Submission.id).where(Submission.lead_id == lead_id)
        # A meeting booked, with its invitations and the timeline entry.
        save_availability(user_id, Availability(weekly={d: WORKING_HOURS for d in range(7)}))
        user = db.session.get(User, user_id)
        completed = (
            db.session.execute(
                select(Submission).where(
                    Submission.lead_id == lead_id, Submission.public_token.is_not(None)
                )
            )
            .scalars()
            .first()
        )
        book(completed, open_slots(user)[0].starts_at)
        db.session.execute(
            update(ReportFile)
            .where(ReportFile.submission_id.in_(of_lead))
            .values(pdf=f"%PDF {TARGET['company']}".encode(), attempts=1)
        )
        db.session.commit()


def test_deleting_a_lead_leaves_no_row_that_mentions_it(app, client):
    target = complete_lead(app, contact=TARGET, confirm=True).lead_id
    kept = complete_lead(app, contact=KEPT, confirm=True).lead_id
    user_id = make_user(app)
    log_in(app, client)
    _everything_about(app, target, user_id)
    with app.app_context():
        add_note(kept, "Client fidèle.", user_id)
        deleted = _rows_of(target)
        kept_rows = _rows_of(kept)
        assert all(deleted.values()), deleted  # every kind of row exists before
        needles = list(TARGET.values())
        assert len(mentions(deleted, needles)) > 20  # the scan does see them
    outbox = Path(app.config["OUTBOX_FOLDER"])
    outbox.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        message_ids = (
            db.session.execute(
                select(Delivery.message_id).where(Delivery.id.in_(deleted["deliveries"]))
            )
            .scalars()
            .all()
        )
    copies = [
        outbox / (re.sub(r"[^A-Za-z0-9._-]", "_", m.strip("<>")) + ".eml") for m in message_ids
    ]
    for copy in copies:
        copy.write_text(f"To: {TARGET['email']}")

    response = client.post(
        f"/backoffice/leads/{target}/delete",
        data={"csrf_token": token_of(client), "confirm_company": "  zorglub   ÉQUIPEMENTS "},
    )
    assert response.status_code == 303
    assert response.location.endswith("/backoffice/leads")
    assert 'class="flash flash-info"' in client.get(response.location).get_data(as_text=True)

    with app.app_context():
        assert mentions(deleted, needles) == []
        assert _rows_of(kept) == kept_rows  # the other lead keeps everything
        [entry] = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "lead.delete"))
            .scalars()
            .all()
        )
        assert entry.target == f"lead:{target}"
        assert entry.user_id == user_id
        assert entry.details == {"reason": "request"}
    assert not any(copy.exists() for copy in copies)
    assert client.get(f"/backoffice/leads/{target}/export.json").status_code == 404


def test_a_wrong_company_name_refuses_the_deletion(app, client):
    target = complete_lead(app, contact=TARGET, confirm=True).lead_id
    log_in(app, client)
    token = token_of(client)
    for typed in ("", "Zorglub", "Martin SAS", "Zorglub Equipements"):
        response = client.post(
            f"/backoffice/leads/{target}/delete",
            data={"csrf_token": token, "confirm_company": typed},
        )
        assert response.status_code == 422
        assert 'class="flash flash-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lead, target) is not None
        assert (
            db.session.execute(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "lead.delete")
            ).scalar_one()
            == 0
        )


def test_the_lead_page_offers_the_deletion_form(app, client):
    target = complete_lead(app, contact=TARGET, confirm=True).lead_id
    log_in(app, client)
    page = client.get(f"/backoffice/leads/{target}").get_data(as_text=True)
    assert f'action="/backoffice/leads/{target}/delete"' in page
    assert 'name="confirm_company"' in page
    assert "Zorglub Équipements" in page


def test_get_is_not_a_way_to_delete(app, client):
    target = complete_lead(app, contact=TARGET, confirm=True).lead_id
    log_in(app, client)
    assert client.get(f"/backoffice/leads/{target}/delete").status_code == 405


def test_confirmation_ignores_case_and_spacing_only():
    assert gdpr.confirms("Dubois Équipements", " dubois  équipements")
    assert not gdpr.confirms("Dubois Équipements", "Dubois Equipements")
    assert not gdpr.confirms("", "")
    assert not gdpr.confirms("Dubois", "")


def _age(app, lead_id: int, days: int, completed_days: int | None = None) -> None:
    with app.app_context():
        now = utcnow()
        completed = now - timedelta(days=completed_days) if completed_days is not None else None
        db.session.execute(
            update(Lead)
            .where(Lead.id == lead_id)
            .values(created_at=now - timedelta(days=days), completed_at=completed)
        )
        db.session.commit()


def _draft(app, key: str, days: int, lead_id: int | None = None) -> None:
    with app.app_context():
        db.session.add(
            Submission(
                draft_key=key,
                status="draft",
                lead_id=lead_id,
                questionnaire_id="q",
                questionnaire_version="1",
                questionnaire_hash="h",
                locale="fr",
                answers={},
                updated_at=utcnow() - timedelta(days=days),
            )
        )
        db.session.commit()


def test_retention_purges_old_drafts_and_leads_only(app):
    old = complete_lead(app, contact=TARGET, confirm=True).lead_id
    never_completed = complete_lead(
        app, contact={**KEPT, "email": "vieux@example.com"}, confirm=True
    ).lead_id
    came_back = complete_lead(
        app, contact={**KEPT, "email": "revenu@example.com"}, confirm=True
    ).lead_id
    recent = complete_lead(app, contact=KEPT, confirm=True).lead_id
    _age(app, old, days=1200, completed_days=1190)  # 39 months
    _age(app, never_completed, days=1200)
    _age(app, came_back, days=1200, completed_days=30)  # a new diagnostic last month
    _draft(app, "old-draft", days=31)
    _draft(app, "fresh-draft", days=29)
    _draft(app, "old-draft-of-a-kept-lead", days=45, lead_id=recent)
    with app.app_context():
        dry = gdpr.purge_expired(dry_run=True)
        assert (dry.drafts, dry.leads) == (2, 2)
        assert db.session.execute(select(func.count(Lead.id))).scalar_one() == 4
        counts = gdpr.purge_expired()
        assert (counts.drafts, counts.leads) == (2, 2)
        left = set(db.session.execute(select(Lead.id)).scalars())
        assert left == {came_back, recent}
        keys = set(db.session.execute(select(Submission.draft_key)).scalars())
        assert "fresh-draft" in keys and "old-draft" not in keys
        assert "old-draft-of-a-kept-lead" not in keys
        assert mentions(_rows_of(old) | {"leads": {old, never_completed}}, [TARGET["email"]]) == []
        actions = db.session.execute(
            select(AuditEntry.action, AuditEntry.target, AuditEntry.details).where(
                AuditEntry.action.in_(["lead.delete", "retention.purge"])
            )
        ).all()
        assert sorted(t for a, t, _ in actions if a == "lead.delete") == sorted(
            [f"lead:{old}", f"lead:{never_completed}"]
        )
        [summary] = [d for a, _, d in actions if a == "retention.purge"]
        assert (summary["drafts"], summary["leads"]) == (2, 2)
        assert gdpr.purge_expired().leads == 0


def database_bytes() -> bytes:
    """The SQLite database file and its write-ahead log, as they are on disk.

    Read by another process: closing a file this process opened would drop every POSIX lock
    SQLite holds on it here, and a worker process could then take the database for unused
    and remove the WAL under the open connections.
    """
    path = Path(str(db.engine.url.database))
    wal = path.with_name(path.name + "-wal")
    files = [str(path), *([str(wal)] if wal.exists() else [])]
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout


def test_after_a_deletion_the_database_files_hold_nothing_of_the_lead(app):
    """SQLite zeroes what it deletes (secure_delete) and the WAL is checkpointed and
    truncated, so the person's data is in neither file. PostgreSQL: the same deletion runs
    (its dead rows go at the next VACUUM)."""
    unique = uuid4().hex[:12]
    email = f"zephyrine.{unique}@example.com"
    target = complete_lead(
        app, contact={**TARGET, "email": email, "company": f"Zorglub {unique}"}, confirm=True
    ).lead_id
    with app.app_context():
        on_sqlite = db.engine.dialect.name == "sqlite"
        if on_sqlite:
            assert email.encode() in database_bytes()  # the scan does see it
        assert gdpr.delete_lead(target)
        assert db.session.get(Lead, target) is None
        if on_sqlite:
            found = database_bytes()
            assert unique.encode() not in found and email.encode() not in found


def test_the_retention_purge_leaves_nothing_in_the_database_files_either(app):
    unique = uuid4().hex[:12]
    target = complete_lead(
        app, contact={**TARGET, "email": f"ancien.{unique}@example.com"}, confirm=True
    ).lead_id
    with app.app_context():
        db.session.execute(
            update(Lead)
            .where(Lead.id == target)
            .values(completed_at=utcnow() - timedelta(days=900))
        )
        db.session.commit()
        counts = gdpr.purge_expired(lead_months=24)
        assert counts.leads == 1 and db.session.get(Lead, target) is None
        if db.engine.dialect.name == "sqlite":
            assert unique.encode() not in database_bytes()
