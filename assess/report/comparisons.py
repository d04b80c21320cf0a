"""How the report words a company against others and against itself: the peer benchmark
and the change since the previous diagnostic."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date, format_decimal

from assess.core.peers import PeerComparison
from assess.core.progress import Progress
from assess.i18n import format_change


def percent(value: float | None) -> str:
    """A share as the report prints it: "42 %", or "–" when unknown."""
    return "–" if value is None else f"{format_decimal(round(value), format='0')} %"


def progress_words(progress: Progress | None) -> dict[str, Any] | None:
    """The change since the previous diagnostic, as the report words it."""
    if progress is None:
        return None
    return {
        "since": format_date(progress.previous_completed_at, format="long"),
        "overall": format_change(progress.overall),
        "overall_value": progress.overall,
    }


def peer_words(peers: PeerComparison | None) -> dict[str, Any] | None:
    """The peer benchmark, as the report words it (nothing for a group too small)."""
    if peers is None or peers.overall is None:
        return None
    return {
        "segment": peers.group.is_segment,
        "others": peers.others,
        "overall": percent(peers.overall),
    }
