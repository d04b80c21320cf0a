"""back-office sessions kept on the server: logout, a password change or a disabled account ends them

The per-account session token (one column on users) gives way to a table of sessions: the
cookie carries a random id, the table its SHA-256 digest, the account, when it opened and
when it was last seen.

Revision ID: 15c0c0ffee03
Revises: 15b0c0ffee02
Create Date: 2026-12-03 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '15c0c0ffee03'
down_revision = "15b0c0ffee02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('backoffice_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_backoffice_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backoffice_sessions'))
    )
    with op.batch_alter_table('backoffice_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backoffice_sessions_user_id'), ['user_id'], unique=False)

    # Not in batch mode: on SQLite a batch copies `users` into a new table and drops the old
    # one, and with foreign keys on, that drop fires ON DELETE SET NULL on every row that
    # points at an account (audit log, notes, touches). SQLite drops a column itself (3.35+).
    op.drop_column('users', 'session_token')


def downgrade():
    # Every session ends: the old per-account tokens start empty, so nobody is logged in.
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False, server_default=''))

    with op.batch_alter_table('backoffice_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_backoffice_sessions_user_id'))

    op.drop_table('backoffice_sessions')
