"""Anonymous score counts for the peer benchmark: no submission or lead is named here."""

from __future__ import annotations

from sqlalchemy import SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.extensions import db


class PeerScoreCount(db.Model):  # type: ignore[name-defined]
    """How many completed submissions of a questionnaire, in a group of companies, scored a
    given whole point (0-100) on a score (the overall one or a category's)."""

    __tablename__ = "peer_score_counts"
    __table_args__ = (
        UniqueConstraint(
            "questionnaire_id", "group_key", "score_name", "point", name="uq_peer_score_counts"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    # "all", or "size=<band>;sector=<sector>"
    group_key: Mapped[str] = mapped_column(String(120))
    # "overall" or a category id
    score_name: Mapped[str] = mapped_column(String(100))
    point: Mapped[int] = mapped_column(SmallInteger)
    count: Mapped[int] = mapped_column(default=0)
