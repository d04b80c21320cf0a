"""SVG chart geometry shared by the results page, the back office and the PDF report.

Plain numbers in, plain coordinates out: the templates draw the markup, so the
same chart renders in a browser and in WeasyPrint, with its text extractable.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
        lift = (
            (len(lines) - 1) * 13
            if sin < -0.3
            else (len(lines) - 1) * 6.5
            if abs(sin) <= 0.3
            else 0
        )
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
            points.append(
                f"{center_x + r * math.cos(angle):.2f},{center + r * math.sin(angle):.2f}"
            )
        rings.append((threshold, " ".join(points)))
    polygon = " ".join(f"{s.point_x},{s.point_y}" for s in spokes)
    return Radar(size, width, center_x, center, radius, spokes, rings, polygon)


# Bar charts: the numbers come with their text (formatted by the caller, in the
# reader's language), so this module stays free of Flask and Babel.
BAR_LABEL_WIDTH = 26
FONT_SIZE = 12


@dataclass(frozen=True)
class Tick:
    """A gridline of a bar chart: its value, its text and its position along the value axis."""

    value: float
    text: str
    position: float


@dataclass(frozen=True)
class Bar:
    """One column of a vertical bar chart, with its label below and its value above."""

    label: str
    value: float
    value_text: str
    x: float
    y: float
    width: float
    height: float
    center: float
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    """A vertical bar chart: columns on a baseline, gridlines at round values."""

    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    baseline: float
    label_y: float
    bars: list[Bar]
    ticks: list[Tick]
    empty: bool


@dataclass(frozen=True)
class HorizontalBar:
    """One row of a horizontal bar chart: its label on the left, its bar and its value."""

    label: str
    lines: list[str]
    value: float
    value_text: str
    y: float
    height: float
    width: float
    label_y: float
    value_x: float
    value_y: float
    muted: bool


@dataclass(frozen=True)
class HorizontalBarChart:
    """A horizontal bar chart: one labelled row per item, bars from a common left edge."""

    width: float
    height: float
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    bars: list[HorizontalBar]
    ticks: list[Tick]
    empty: bool


def _plain(value: float) -> str:
    return f"{value:g}"


def nice_scale(maximum: float, target_ticks: int = 4, integer: bool = True) -> tuple[float, float]:
    """The axis top and the gridline step: round numbers (1, 2, 5 x 10^n) covering `maximum`."""
    if not maximum or maximum <= 0 or not math.isfinite(maximum):
        return 1.0, 1.0
    raw = maximum / max(target_ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [float(f"{m * magnitude:.12g}") for m in (1, 2, 2.5, 5, 10)]
    if integer:  # counts: whole steps only, at least 1
        steps = [step for step in steps if step >= 1 and step.is_integer()] or [1.0]
    step = next((step for step in steps if step >= raw), steps[-1])
    top = math.ceil(round(maximum / step, 9)) * step
    return float(f"{top:.12g}"), step


def _ticks(top: float, step: float) -> list[float]:
    count = round(top / step)
    return [float(f"{step * i:.12g}") for i in range(count + 1)]


def _share(value: float, top: float) -> float:
    """The value's share of the axis, between 0 and 1 (negative or missing values draw nothing)."""
    if top <= 0 or not math.isfinite(value) or value <= 0:
        return 0.0
    return min(value / top, 1.0)


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    formatter: Callable[[float], str] = _plain,
    tick_formatter: Callable[[float], str] | None = None,
    maximum: float | None = None,
    integer: bool = True,
    width: float = 640,
    height: float = 260,
    max_labels: int = 13,
) -> BarChart:
    """Lay out (label, value) as columns, their heights proportional to value / axis top."""
    plot_left, plot_right, plot_top = 44.0, width - 8.0, 22.0
    baseline = height - 28.0
    values = [max(float(value), 0.0) for _, value in items]
    top, step = nice_scale(max(values, default=0) if maximum is None else maximum, 4, integer)
    write_tick = tick_formatter or formatter
    plot_height = baseline - plot_top
    ticks = [
        Tick(value, write_tick(value), round(baseline - plot_height * value / top, 2))
        for value in _ticks(top, step)
    ]
    slot = (plot_right - plot_left) / max(len(items), 1)
    bar_width = slot * 0.7
    # Crowded charts label every n-th column; the table beside the chart has every value.
    every = max(1, math.ceil(len(items) / max_labels))
    bars = []
    for index, (label, value) in enumerate(items):
        bar_height = round(plot_height * _share(float(value), top), 2)
        x = plot_left + slot * index + (slot - bar_width) / 2
        bars.append(
            Bar(
                label=label,
                value=float(value),
                value_text=formatter(float(value)),
                x=round(x, 2),
                y=round(baseline - bar_height, 2),
                width=round(bar_width, 2),
                height=bar_height,
                center=round(x + bar_width / 2, 2),
                show_label=(len(items) - 1 - index) % every == 0,
            )
        )
    empty = not any(value > 0 for value in values)
    return BarChart(
        width, height, plot_left, plot_right, plot_top, baseline, height - 10, bars, ticks, empty
    )


def _label_lines(label: str, width: int) -> list[str]:
    """At most two lines; a longer label ends with an ellipsis (the table shows it whole)."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder=" …")]
    return lines


def horizontal_bars(
    items: Sequence[tuple[str, float]],
    *,
    formatter: Callable[[float], str] = _plain,
    tick_formatter: Callable[[float], str] | None = None,
    maximum: float | None = None,
    integer: bool = True,
    muted: Sequence[bool] = (),
    width: float = 640,
    label_width: float = 190,
    row_height: float = 34,
) -> HorizontalBarChart:
    """Lay out (label, value) as rows, their lengths proportional to value / axis top."""
    plot_left = label_width + 8
    plot_width = width - plot_left - 64  # room for the value written after the longest bar
    plot_top, bar_height = 8.0, row_height * 0.62
    values = [max(float(value), 0.0) for _, value in items]
    top, step = nice_scale(max(values, default=0) if maximum is None else maximum, 4, integer)
    write_tick = tick_formatter or formatter
    plot_bottom = plot_top + row_height * len(items)
    ticks = [
        Tick(value, write_tick(value), round(plot_left + plot_width * value / top, 2))
        for value in _ticks(top, step)
    ]
    bars = []
    for index, (label, value) in enumerate(items):
        y = plot_top + row_height * index + (row_height - bar_height) / 2
        length = round(plot_width * _share(float(value), top), 2)
        lines = _label_lines(label, BAR_LABEL_WIDTH)
        middle = y + bar_height / 2 + FONT_SIZE * 0.35
        bars.append(
            HorizontalBar(
                label=label,
                lines=lines,
                value=float(value),
                value_text=formatter(float(value)),
                y=round(y, 2),
                height=round(bar_height, 2),
                width=length,
                label_y=round(middle - (len(lines) - 1) * (FONT_SIZE + 1) / 2, 2),
                value_x=round(plot_left + length + 5, 2),
                value_y=round(middle, 2),
                muted=bool(muted[index]) if index < len(muted) else False,
            )
        )
    height = plot_bottom + 22
    empty = not any(value > 0 for value in values)
    return HorizontalBarChart(
        width, height, plot_left, plot_width, plot_top, plot_bottom, bars, ticks, empty
    )


def score_bars(
    categories: Sequence[Mapping[str, Any]], medians: Mapping[str, float | None], focus: str | None
) -> list[dict[str, Any]]:
    """The scored areas, weakest first (ties in the file's order), each with the others'
    median when there is a comparison, and `focus` marked: the bar chart of the results page
    and of the report (templates/results/_score_bars.html)."""
    scored = [row for row in categories if row["score"] is not None]
    ordered = sorted(scored, key=lambda row: row["score"])
    return [
        {**row, "median": medians.get(row["id"]), "focus": row["id"] == focus} for row in ordered
    ]
