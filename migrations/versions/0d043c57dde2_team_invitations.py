"""team invitations: team members asked to answer the team sections

Revision ID: 0d043c57dde2
Revises: a4b506602c4f
Create Date: 2026-11-27 12:57:45.028547

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0d043c57dde2'
down_revision = 'a4b506602c4f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_team_invitations_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations')),
    sa.UniqueConstraint('submission_id', 'email', name='uq_team_invitations_submission_email'),
    sa.UniqueConstraint('token', name=op.f('uq_team_invitations_token'))
    )
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_invitations_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_invitations_submission_id'))

    op.drop_table('team_invitations')
