"""the lead's latest submission as a foreign key on PostgreSQL too

Revision ID: b7c2f4e9a1d3
Revises: 5d1e0c9a7b42
Create Date: 2026-11-27 13:00:00

The initial migration declared leads.latest_submission_id -> submissions.id with
`use_alter` (the two tables point at each other); Alembic leaves such a key out of
CREATE TABLE, so PostgreSQL never got it while SQLite did (found by the test that
compares the migrated schema with the models). A pointer to a submission that is
gone is cleared first: it points at nothing.
"""
from alembic import op
import sqlalchemy as sa


revision = "b7c2f4e9a1d3"
down_revision = "5d1e0c9a7b42"
branch_labels = None
depends_on = None

NAME = "fk_leads_latest_submission_id_submissions"


def _missing() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    keys = sa.inspect(bind).get_foreign_keys("leads")
    return not any(key["name"] == NAME for key in keys)


def upgrade():
    if not _missing():
        return
    op.execute(
        "UPDATE leads SET latest_submission_id = NULL WHERE latest_submission_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM submissions WHERE submissions.id = leads.latest_submission_id)"
    )
    op.create_foreign_key(
        NAME, "leads", "submissions", ["latest_submission_id"], ["id"], ondelete="SET NULL"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql" and not _missing():
        op.drop_constraint(NAME, "leads", type_="foreignkey")
