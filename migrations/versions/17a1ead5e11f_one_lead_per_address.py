"""one lead per person: merge the leads that share an address, then one address per lead

Revision ID: 17a1ead5e11f
Revises: 7da1ca11c0de
Create Date: 2026-12-03 16:00:00

A diagnostic completed with the address of a known lead used to make a second lead. The
completed leads that share an address (stripped, in lower case) are merged into the oldest:
every submission, touch, note, timeline entry, address confirmation, webhook row and audit
entry of the others moves onto it, the others are deleted. The kept lead keeps its details
and its cadence (the others' planned touches are cancelled, their done ones kept); it takes
the status of the lead whose status changed last, the owner of the first that has one, and
the scores of the latest completion. Leads still at their contact step keep their rows: they
join the known lead when they complete. Then every stored address is normalised and a
unique index on the address of completed leads keeps them one per person.

The downgrade drops the index; the merged leads stay merged.
"""

import sqlalchemy as sa
from alembic import op

revision = "17a1ead5e11f"
down_revision = "7da1ca11c0de"
branch_labels = None
depends_on = None

# The tables whose rows name a lead, as of this revision.
LEAD_TABLES = (
    "submissions",
    "touches",
    "notes",
    "lead_events",
    "address_confirmations",
    "webhook_deliveries",
)
STOPS = ("meeting_booked", "proposal_sent", "won", "lost")
SUMMARY = (
    "latest_submission_id",
    "completed_at",
    "overall_score",
    "level",
    "weakest_category",
    "category_scores",
)


def normalised(address):
    """As assess.core.contact.normalise_email, frozen here with this revision."""
    return (address or "").strip().lower()


def _later(a, b):
    """Whether moment `a` comes after `b` (none comes before everything)."""
    if a is None:
        return False
    if b is None:
        return True
    return str(a) > str(b) if isinstance(a, str) or isinstance(b, str) else a > b


def _merge(bind, group):
    kept, others = group[0], group[1:]
    status_from = kept
    for lead in others:
        if _later(lead.status_changed_at, status_from.status_changed_at):
            status_from = lead
    latest = kept
    for lead in others:
        if _later(lead.completed_at, latest.completed_at):
            latest = lead
    owner = next((lead.owner_id for lead in group if lead.owner_id is not None), None)
    for other in others:
        bind.execute(
            sa.text(
                "UPDATE touches SET status = 'cancelled' WHERE lead_id = :id AND status = 'planned'"
            ),
            {"id": other.id},
        )
        for table in LEAD_TABLES:
            bind.execute(
                sa.text(f"UPDATE {table} SET lead_id = :kept WHERE lead_id = :other"),
                {"kept": kept.id, "other": other.id},
            )
        bind.execute(
            sa.text("UPDATE audit_entries SET target = :kept WHERE target = :other"),
            {"kept": f"lead:{kept.id}", "other": f"lead:{other.id}"},
        )
    if status_from.status in STOPS:
        bind.execute(
            sa.text(
                "UPDATE touches SET status = 'cancelled' WHERE lead_id = :id AND status = 'planned'"
            ),
            {"id": kept.id},
        )
    summary = bind.execute(
        sa.text(f"SELECT {', '.join(SUMMARY)} FROM leads WHERE id = :id"), {"id": latest.id}
    ).one()
    counts = bind.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM touches WHERE lead_id = :id AND status = 'done'), "
            "(SELECT min(due_at) FROM touches WHERE lead_id = :id AND status = 'planned')"
        ),
        {"id": kept.id},
    ).one()
    for other in others:  # before the update: the latest submission is the kept lead's now
        bind.execute(sa.text("DELETE FROM leads WHERE id = :id"), {"id": other.id})
    values = dict(zip(SUMMARY, summary))
    values.update(
        id=kept.id,
        status=status_from.status,
        lost_reason=status_from.lost_reason,
        status_changed_at=status_from.status_changed_at,
        owner_id=owner,
        touches_done=counts[0],
        next_touch_at=counts[1],
    )
    columns = [name for name in values if name != "id"]
    statement = sa.text(
        "UPDATE leads SET " + ", ".join(f"{name} = :{name}" for name in columns) + " WHERE id = :id"
    )
    if bind.dialect.name == "postgresql":
        statement = statement.bindparams(
            sa.bindparam("category_scores", type_=sa.JSON(none_as_null=True))
        )
    bind.execute(statement, values)


def upgrade():
    bind = op.get_bind()
    completed = bind.execute(
        sa.text(
            "SELECT id, email, status, lost_reason, status_changed_at, owner_id, completed_at "
            "FROM leads WHERE completed_at IS NOT NULL ORDER BY created_at, id"
        )
    ).all()
    groups = {}
    for lead in completed:
        groups.setdefault(normalised(lead.email), []).append(lead)
    merged = False
    for group in groups.values():
        if len(group) > 1:
            _merge(bind, group)
            merged = True
    for table, column in (
        ("leads", "email"),
        ("submissions", "pending_email"),
        ("address_confirmations", "email"),
    ):
        rows = bind.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        for row_id, address in rows:
            if normalised(address) != address:
                bind.execute(
                    sa.text(f"UPDATE {table} SET {column} = :address WHERE id = :id"),
                    {"address": normalised(address), "id": row_id},
                )
    if merged and bind.dialect.name == "sqlite":
        # nothing of the deleted leads' text stays in the search index
        op.execute("INSERT INTO leads_search(leads_search) VALUES ('optimize')")
    op.create_index(
        "uq_leads_completed_email",
        "leads",
        ["email"],
        unique=True,
        sqlite_where=sa.text("completed_at IS NOT NULL"),
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index("uq_leads_completed_email", table_name="leads")
