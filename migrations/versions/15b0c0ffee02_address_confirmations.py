"""address confirmations and invitation opt-outs: nothing sent on a respondent's behalf unconfirmed

Nothing is sent on a respondent's behalf before they confirm the address they typed
(address_confirmations, leads.email_confirmed_at, submissions.pending_email); an address that
reported an invitation as unwanted gets no more (invitation_opt_outs).

Revision ID: 15b0c0ffee02
Revises: 15a0c0ffee01
Create Date: 2026-12-03 09:00:00.000000

The two new columns are added and dropped in place (recreate='never'): copying the leads
table would drop the triggers of its SQLite search index. Leads created before this revision
keep email_confirmed_at empty: their address was never confirmed, so a re-assessment asks
for it once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '15b0c0ffee02'
down_revision = "15a0c0ffee01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leads', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('submissions', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))

    op.create_table('address_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_address_confirmations_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_address_confirmations_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_confirmations')),
    sa.UniqueConstraint('token', name=op.f('uq_address_confirmations_token')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_confirmations_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_confirmations_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index('ix_address_confirmations_email_created', ['email', 'created_at'], unique=False)
        batch_op.create_index('ix_address_confirmations_client_created', ['client_key', 'created_at'], unique=False)

    op.create_table('invitation_opt_outs',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_invitation_opt_outs')),
    )


def downgrade():
    op.drop_table('invitation_opt_outs')
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.drop_index('ix_address_confirmations_client_created')
        batch_op.drop_index('ix_address_confirmations_email_created')
        batch_op.drop_index(batch_op.f('ix_address_confirmations_submission_id'))
        batch_op.drop_index(batch_op.f('ix_address_confirmations_lead_id'))
    op.drop_table('address_confirmations')

    with op.batch_alter_table('submissions', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('pending_email')
    with op.batch_alter_table('leads', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('email_confirmed_at')
