"""peer score counts (the peer benchmark), filled from the submissions already completed

Revision ID: a4b506602c4f
Revises: f5fc7a7f476c
Create Date: 2026-11-27 12:49:45.843180

"""
import json
from collections import Counter

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4b506602c4f'
down_revision = 'f5fc7a7f476c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_score_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=100), nullable=False),
    sa.Column('group_key', sa.String(length=120), nullable=False),
    sa.Column('score_name', sa.String(length=100), nullable=False),
    sa.Column('point', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_score_counts')),
    sa.UniqueConstraint('questionnaire_id', 'group_key', 'score_name', 'point', name='uq_peer_score_counts')
    )
    _count_completed_submissions()


def _point(score):
    return min(max(round(score), 0), 100)


def _count_completed_submissions():
    """The counts of the submissions completed before this revision (as assess.db.peer_stats
    keeps them from now on)."""
    rows = op.get_bind().execute(sa.text(
        "SELECT s.questionnaire_id, s.result, l.company_size, l.sector FROM submissions s "
        "JOIN leads l ON l.id = s.lead_id WHERE s.status = 'completed' AND s.result IS NOT NULL"
    ))
    counts = Counter()
    for questionnaire_id, result, size, sector in rows:
        result = json.loads(result) if isinstance(result, str) else result
        scores = {"overall": result.get("overall")}
        for category_id, figures in (result.get("categories") or {}).items():
            scores[category_id] = (figures or {}).get("score")
        for group in (f"size={size};sector={sector}", "all"):
            for name, value in scores.items():
                if value is not None:
                    counts[(questionnaire_id, group, name, _point(value))] += 1
    if counts:
        table = sa.table(
            "peer_score_counts",
            sa.column("questionnaire_id"), sa.column("group_key"), sa.column("score_name"),
            sa.column("point"), sa.column("count"),
        )
        op.bulk_insert(table, [
            {"questionnaire_id": q, "group_key": g, "score_name": n, "point": p, "count": c}
            for (q, g, n, p), c in counts.items()
        ])


def downgrade():
    op.drop_table('peer_score_counts')
