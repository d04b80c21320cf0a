"""deliveries by creation time: the daily limits on team invitations count the last day's

The invitation limits count the team deliveries created in the last 24 hours
(`created_at >= now - 1 day`, kind `team-…`): an index on (created_at, kind) reads that day's
rows alone instead of the whole outbox.

Revision ID: 16d0c0ffee04
Revises: 15c0c0ffee03
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "16d0c0ffee04"
down_revision = "15c0c0ffee03"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_created_kind", ["created_at", "kind"], unique=False)


def downgrade():
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_created_kind")
