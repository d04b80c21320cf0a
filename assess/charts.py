"""SVG chart geometry shared by the results page, the back office and the PDF report.

Plain numbers in, plain coordinates out: the templates draw the markup, so the
same chart renders in a browser and in WeasyPrint, with its text extractable.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

# Labels wrap at this many characters, and the chart leaves room beside the circle.
LABEL_WIDTH = 18
SIDE_ROOM = 0.35


@dataclass(frozen=True)
class Spoke:
    """One category on the radar: its axis end, its score point and its label position."""

    label: str
    lines: list[str]
    score: float | None
    axis_x: float
    axis_y: float
    point_x: float
    point_y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Radar:
    """A radar chart: spokes, the rings at each level threshold and the score polygon."""

    size: float
    width: float
    center_x: float
    center: float
    radius: float
    spokes: list[Spoke]
    rings: list[tuple[float, str]]
    polygon: str


def radar(
    items: list[tuple[str, float | None]], thresholds: list[float], size: float = 360
) -> Radar:
    """Lay out (label, score 0-100 or None) around a circle; None sits at the centre."""
    center = size / 2
    width = size * (1 + 2 * SIDE_ROOM)
    center_x = width / 2
    radius = size * 0.34
    count = max(len(items), 3)
    spokes = []
    for index, (label, value) in enumerate(items):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        cos, sin = math.cos(angle), math.sin(angle)
        share = (value or 0) / 100
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        lines = textwrap.wrap(label, LABEL_WIDTH) or [""]
        # Labels above the centre grow upwards, so they never cross the chart.
        lift = (len(lines) - 1) * 13 if sin < -0.3 else (len(lines) - 1) * 6.5 if abs(sin) <= 0.3 else 0
        spokes.append(
            Spoke(
                label=label,
                lines=lines,
                score=value,
                axis_x=round(center_x + radius * cos, 2),
                axis_y=round(center + radius * sin, 2),
                point_x=round(center_x + radius * share * cos, 2),
                point_y=round(center + radius * share * sin, 2),
                label_x=round(center_x + (radius + 12) * cos, 2),
                label_y=round(center + (radius + 12) * sin + 4 - lift + (6 if sin > 0.3 else 0), 2),
                anchor=anchor,
            )
        )
    rings = []
    for threshold in [t for t in thresholds if t > 0] + [100]:
        points = []
        for index in range(count):
            angle = -math.pi / 2 + 2 * math.pi * index / count
            r = radius * threshold / 100
            points.append(f"{center_x + r * math.cos(angle):.2f},{center + r * math.sin(angle):.2f}")
        rings.append((threshold, " ".join(points)))
    polygon = " ".join(f"{s.point_x},{s.point_y}" for s in spokes)
    return Radar(size, width, center_x, center, radius, spokes, rings, polygon)
