"""Peer benchmark: where a score stands among the scores of comparable companies.

Pure: the scores of a group come as a histogram (how many submissions scored each whole
point from 0 to 100), kept up to date by the database side (assess/peer_stats.py), so a
page view reads at most 101 counts per score instead of every submission.

The percentile of a score is the share of the group's other submissions that scored
lower, ties counting half ("mid-rank"): 50 means in the middle of the pack. A group with
fewer other submissions than the minimum gives no figure at all: nobody can work out a
small group's answers from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Histogram = Mapping[int, int]
OVERALL = "overall"


def bucket(score: float) -> int:
    """The whole point a score is counted under (0 to 100)."""
    return min(max(round(score), 0), 100)


def percentile(histogram: Histogram, score: float, minimum: int) -> float | None:
    """Where `score` (counted in `histogram`) stands among the others; None for a group
    of fewer than `minimum` others."""
    own = bucket(score)
    others = sum(histogram.values()) - 1
    if others < max(minimum, 1) or histogram.get(own, 0) < 1:
        return None
    below = sum(count for point, count in histogram.items() if point < own)
    ties = histogram[own] - 1
    return round(100 * (below + ties / 2) / others, 1)


def median_of_others(histogram: Histogram, score: float, minimum: int) -> float | None:
    """The median score of the others in `histogram` (which counts `score` once); None for
    a group of fewer than `minimum` others."""
    own = bucket(score)
    others = {point: count - (point == own) for point, count in histogram.items()}
    total = sum(others.values())
    if total < max(minimum, 1) or histogram.get(own, 0) < 1:
        return None
    middle = [(total - 1) // 2, total // 2]  # the rank(s) of the median, from 0
    found: list[int] = []
    seen = 0
    for point in sorted(others):
        seen += others[point]
        while len(found) < 2 and seen > middle[len(found)]:
            found.append(point)
    return (found[0] + found[1]) / 2


@dataclass(frozen=True)
class PeerGroup:
    """Who a respondent is compared with: their size band and sector, or everybody."""

    key: str
    company_size: str | None = None
    sector: str | None = None

    @property
    def is_segment(self) -> bool:
        return self.company_size is not None


ALL = PeerGroup("all")


def segment(company_size: str, sector: str) -> PeerGroup:
    """The group of one size band in one sector."""
    return PeerGroup(f"size={company_size};sector={sector}", company_size, sector)


@dataclass(frozen=True)
class PeerComparison:
    """The percentiles of one submission within the group used, and that group's size."""

    group: PeerGroup
    others: int
    overall: float | None
    categories: dict[str, float | None]
    # The others' median score in each category (the marker on the results page's bars).
    medians: dict[str, float | None] = field(default_factory=dict)


def compare(
    scores: Mapping[str, float | None],
    histograms: Mapping[PeerGroup, Mapping[str, Histogram]],
    groups: tuple[PeerGroup, ...],
    minimum: int,
) -> PeerComparison | None:
    """The first group, in order, with at least `minimum` other submissions; None if none.

    `scores` maps OVERALL and each category id to the submission's score (None: not
    scored); `histograms` maps each group to its histogram per score name.
    """
    for group in groups:
        found = histograms.get(group, {})
        overall_histogram = found.get(OVERALL, {})
        others = sum(overall_histogram.values()) - 1
        if others < max(minimum, 1):
            continue
        figures = {
            name: percentile(found.get(name, {}), value, minimum) if value is not None else None
            for name, value in scores.items()
        }
        medians = {
            name: median_of_others(found.get(name, {}), value, minimum)
            if value is not None
            else None
            for name, value in scores.items()
            if name != OVERALL
        }
        return PeerComparison(
            group=group,
            others=others,
            overall=figures.pop(OVERALL, None),
            categories=figures,
            medians=medians,
        )
    return None
