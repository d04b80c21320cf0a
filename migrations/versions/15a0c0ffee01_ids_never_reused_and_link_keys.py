"""ids never given twice; links that name a lead by a secret; who holds a draft

Revision ID: 15a0c0ffee01
Revises: 0d043c57dde2
Create Date: 2026-12-03 06:00:00

Issue 15, item 1: on SQLite a table without AUTOINCREMENT gives the id of its newest row,
once deleted, to the next row, so a link or an audit entry naming that id named the next
person. SQLite cannot add AUTOINCREMENT to a table: each table whose ids leave the
database is rebuilt (batch mode). A PostgreSQL sequence never hands out a value twice, so
its tables stay as they are. Each lead gets a random `link_key` (its re-assessment link
names it by that), each draft a `holder` (item 4: what a browser holding it may see).
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = "15a0c0ffee01"
down_revision = "0d043c57dde2"
branch_labels = None
depends_on = None

# Tables whose ids leave the database: in the back office's links and the calendar feed,
# webhook payloads, e-mail Message-IDs and outbox kinds, the audit log. (peer_score_counts'
# ids go nowhere; the other tables have natural keys.)
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
)
# The audit log names rows by id ("lead:12"), deleted ones included: the ids those rows held
# before this migration are not given again either.
AUDIT_PREFIXES = {
    "leads": "lead:",
    "users": "user:",
    "deliveries": "delivery:",
    "webhook_deliveries": "webhook:",
}
# The leads' search index (5d1e0c9a7b42): its triggers go with the table a rebuild drops.
SQLITE_SEARCH_TRIGGERS = (
    "CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN "
    "INSERT INTO leads_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN "
    "DELETE FROM leads_search WHERE rowid = old.id; END",
    "CREATE TRIGGER leads_search_update AFTER UPDATE OF search_text ON leads BEGIN "
    "UPDATE leads_search SET search_text = new.search_text WHERE rowid = new.id; END",
)


def upgrade():
    bind = op.get_bind()
    op.add_column("leads", sa.Column("link_key", sa.String(length=64), nullable=True))
    op.add_column(
        "submissions",
        sa.Column(
            "holder", sa.String(length=20), nullable=False, server_default="respondent"
        ),
    )
    _give_link_keys(bind)
    if bind.dialect.name != "sqlite":
        op.alter_column("leads", "link_key", existing_type=sa.String(length=64), nullable=False)
        op.create_unique_constraint(op.f("uq_leads_link_key"), "leads", ["link_key"])
        return
    _require_foreign_keys_off(bind)
    for table in NEVER_REUSED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            if table == "leads":
                batch.alter_column(
                    "link_key", existing_type=sa.String(length=64), nullable=False
                )
                batch.create_unique_constraint(op.f("uq_leads_link_key"), ["link_key"])
    _restore_search_triggers()
    _skip_audited_ids(bind)
    _check_foreign_keys(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("uq_leads_link_key"), "leads", type_="unique")
        op.drop_column("leads", "link_key")
        op.drop_column("submissions", "holder")
        return
    _require_foreign_keys_off(bind)
    for table in NEVER_REUSED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ) as batch:
            if table == "leads":
                batch.drop_constraint(op.f("uq_leads_link_key"), type_="unique")
                batch.drop_column("link_key")
            elif table == "submissions":
                batch.drop_column("holder")
    _restore_search_triggers()
    _check_foreign_keys(bind)


def _give_link_keys(bind):
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM leads"))]
    if ids:
        bind.execute(
            sa.text("UPDATE leads SET link_key = :key WHERE id = :id"),
            [{"id": lead_id, "key": secrets.token_urlsafe(24)} for lead_id in ids],
        )


def _require_foreign_keys_off(bind):
    # A rebuild drops the old table: with foreign keys on, SQLite would first delete its rows,
    # and their children with them (ON DELETE CASCADE). migrations/env.py turns them off.
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("foreign keys must be off while SQLite tables are rebuilt")


def _restore_search_triggers():
    names = [
        row[0]
        for row in op.get_bind().execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads'")
        )
    ]
    for name in names:
        op.execute(f"DROP TRIGGER {name}")
    if op.get_bind().execute(
        sa.text("SELECT 1 FROM sqlite_master WHERE name = 'leads_search'")
    ).first():
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def _skip_audited_ids(bind):
    for table, prefix in AUDIT_PREFIXES.items():
        targets = bind.execute(
            sa.text("SELECT target FROM audit_entries WHERE target LIKE :pattern"),
            {"pattern": prefix + "%"},
        ).scalars()
        named = [int(t[len(prefix):]) for t in targets if t[len(prefix):].isdigit()]
        if not named:
            continue
        highest = max(named)
        found = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
        ).first()
        if found is None:
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"name": table, "seq": highest},
            )
        elif found[0] < highest:
            bind.execute(
                sa.text("UPDATE sqlite_sequence SET seq = :seq WHERE name = :name"),
                {"name": table, "seq": highest},
            )


def _check_foreign_keys(bind):
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
