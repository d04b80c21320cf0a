"""The migrations build the schema the models describe, and come back down."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from assess.db.models import (
    AddressConfirmation,
    AuditEntry,
    Lead,
    LeadEvent,
    Note,
    Submission,
    Touch,
    WebhookDelivery,
)
from assess.extensions import db
from assess.tracker.lead_list import search_condition
from tests.helpers.lead_records import make_lead_in_old_schema
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import CONTACT, complete, questionnaire

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


# Tables whose ids leave the database (links, webhooks, e-mails, the audit log).
NEVER_REUSED = (
    "users",
    "leads",
    "submissions",
    "notes",
    "touches",
    "lead_events",
    "audit_entries",
    "deliveries",
    "team_invitations",
    "webhook_deliveries",
    "bookings",
)


def _counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }


def test_ids_that_leave_the_database_are_never_given_twice(app):
    with app.app_context(), db.engine.connect() as connection:
        for name in NEVER_REUSED:
            if db.engine.dialect.name == "sqlite":
                ddl = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": name},
                ).scalar_one()
                assert "AUTOINCREMENT" in ddl, name
            else:  # a sequence never hands out a value twice
                sequence = connection.execute(
                    text("SELECT pg_get_serial_sequence(:name, 'id')"), {"name": name}
                ).scalar_one()
                assert sequence, name


def test_rebuilding_the_tables_keeps_every_row_and_the_search(app):
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        lead = db.session.execute(select(Lead)).scalar_one()
        key, lead_id = lead.link_key, lead.id
        gdpr_audit = AuditEntry(action="lead.delete", target=f"lead:{lead_id + 40}")
        db.session.add(gdpr_audit)
        db.session.commit()
        before = _counts()
        assert before["submissions"] and before["touches"] and before["deliveries"]
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0d043c57dde2")
        # Tables of later migrations go with the downgrade; the rebuilt ones keep every row.
        kept = set(inspect(db.engine).get_table_names())
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
        after = _counts()
        assert {name: after[name] for name in before if name in kept} == {
            name: count for name, count in before.items() if name in kept
        }
        assert set(NEVER_REUSED) - {"bookings"} <= kept  # bookings came later
        again = db.session.get(Lead, lead_id)
        assert again is not None and again.link_key != key  # a new secret, never the id
        found = db.session.execute(
            select(Lead.id).where(search_condition(CONTACT["company"][:8]))
        ).scalars()
        assert list(found) == [lead_id]
        # the ids the audit log names are skipped too
        newer = Lead(**{**_lead_fields(again), "email": "autre@example.com"})
        db.session.add(newer)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            assert newer.id > lead_id + 40
        assert _differences() == []


def _lead_fields(lead: Lead) -> dict[str, Any]:
    names = ("first_name", "last_name", "company", "job_title", "company_size", "sector")
    return {
        **{name: getattr(lead, name) for name in names},
        "locale": "fr",
        "consent_at": lead.consent_at,
        "consent_text_version": lead.consent_text_version,
    }


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


def _submission(lead_id: int, key: str, completed: datetime | None, **fields: Any) -> Submission:
    return Submission(
        lead_id=lead_id,
        draft_key=key,
        status="completed" if completed else "draft",
        questionnaire_id="diagnostic",
        questionnaire_version="1",
        questionnaire_hash="x" * 64,
        locale="fr",
        completed_at=completed,
        **fields,
    )


def test_leads_sharing_an_address_are_merged_into_the_oldest(app):
    """Two completed leads of one address (typed in different cases) become the oldest; a
    lead still at its contact step and another person's lead are left as they were."""
    jan, mar = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    with app.app_context():
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="7da1ca11c0de")  # before the merge
        db.engine.dispose()
    oldest = make_lead_in_old_schema(
        app,
        email="anne.petit@example.com",
        created_at=jan,
        completed_at=jan,
        status="contacted",
        status_changed_at=jan,
        overall_score=40.0,
    )
    newer = make_lead_in_old_schema(
        app,
        email=" Anne.Petit@Example.COM",
        created_at=mar,
        completed_at=mar,
        status="meeting_booked",
        status_changed_at=mar,
        overall_score=70.0,
    )
    unfinished = make_lead_in_old_schema(app, email="ANNE.PETIT@example.com", completed_at=None)
    other = make_lead_in_old_schema(app, email="paul@example.com", created_at=jan)
    with app.app_context():
        first = _submission(oldest, "k1", jan)
        second = _submission(newer, "k2", mar, pending_email=" Anne.Petit@Example.COM")
        draft = _submission(unfinished, "k3", None)
        db.session.add_all([first, second, draft])
        db.session.flush()
        # a Core update: the ORM's Lead has columns added since this revision
        db.session.execute(
            text("UPDATE leads SET latest_submission_id = :s WHERE id = :id"),
            {"s": second.id, "id": newer},
        )
        due = datetime(2026, 4, 1, tzinfo=UTC)
        for lead_id in (oldest, newer):
            db.session.add_all(
                [
                    Touch(lead_id=lead_id, number=1, channel="email", due_at=jan, status="done"),
                    Touch(lead_id=lead_id, number=2, channel="phone", due_at=due),
                ]
            )
        db.session.add_all(
            [
                Note(lead_id=newer, body="Rappeler"),
                LeadEvent(lead_id=newer, kind="note", data={}),
                AuditEntry(action="lead.note", target=f"lead:{newer}"),
                WebhookDelivery(
                    event="lead.status_changed",
                    url="https://crm.example.com",
                    lead_id=newer,
                    payload={},
                ),
                AddressConfirmation(
                    token="t2",
                    lead_id=newer,
                    submission_id=second.id,
                    email="Anne.Petit@Example.COM",
                ),
            ]
        )
        db.session.commit()
        second_id = second.id
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
        assert _differences() == []
        assert db.session.get(Lead, newer) is None
        assert {lead.id for lead in db.session.execute(select(Lead)).scalars()} == {
            oldest,
            unfinished,
            other,
        }
        kept = db.session.get(Lead, oldest)
        assert kept.email == "anne.petit@example.com"
        assert db.session.get(Lead, unfinished).email == "anne.petit@example.com"
        # the status changed last, the latest completion's scores, one cadence (stopped)
        assert (kept.status, kept.overall_score) == ("meeting_booked", 70.0)
        assert kept.latest_submission_id == second_id
        assert (kept.touches_done, kept.next_touch_at) == (2, None)
        for model in (Touch, Note, LeadEvent, WebhookDelivery, AddressConfirmation):
            rows = db.session.execute(select(model)).scalars().all()
            assert rows and {row.lead_id for row in rows} == {oldest}, model
        assert {t.status for t in db.session.execute(select(Touch)).scalars()} == {
            "done",
            "cancelled",
        }
        submissions = {s.draft_key: s for s in db.session.execute(select(Submission)).scalars()}
        assert submissions["k2"].lead_id == oldest
        assert submissions["k2"].pending_email == "anne.petit@example.com"
        assert submissions["k3"].lead_id == unfinished
        confirmation = db.session.execute(select(AddressConfirmation)).scalar_one()
        assert confirmation.email == "anne.petit@example.com"
        targets = db.session.execute(select(AuditEntry.target)).scalars().all()
        assert targets == [f"lead:{oldest}"]
        if db.engine.dialect.name == "sqlite":  # PostgreSQL's index is on the column itself
            indexed = db.session.execute(
                text("SELECT rowid FROM leads_search WHERE search_text LIKE '%petit%'")
            ).scalars()
            assert newer not in set(indexed)  # the merged lead left the search index
