"""the follow-up e-mails: why they stopped for a lead

The worker sends the cadence's e-mail touches; the lead can unsubscribe in one click and
the consultant can pause them or mark a reply. `follow_up_stop` says which ("paused",
"replied", "unsubscribed"; none while they go out) and `follow_up_stopped_at` when.

Revision ID: 19f0110e5e0d
Revises: 17e0b00c1a05
Create Date: 2026-12-03 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "19f0110e5e0d"
down_revision = "17e0b00c1a05"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable): no copy of the leads table on SQLite, whose batch mode
    # would rebuild it with its partial unique index and AUTOINCREMENT.
    op.add_column("leads", sa.Column("follow_up_stop", sa.String(length=20), nullable=True))
    op.add_column(
        "leads", sa.Column("follow_up_stopped_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.drop_column("leads", "follow_up_stopped_at")
    op.drop_column("leads", "follow_up_stop")
