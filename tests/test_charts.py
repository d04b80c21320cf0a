"""Bar chart geometry (assess.core.charts) and the SVG macros that draw it."""

from __future__ import annotations

import math
import re

import pytest
from flask import Flask, render_template_string

from assess.core.charts import bar_chart, horizontal_bars, nice_scale

MACROS = '{% from "charts/bars.html" import bar_chart, horizontal_bar_chart %}'


@pytest.mark.parametrize(
    ("maximum", "integer", "top", "step"),
    [
        (0, True, 1, 1),
        (-5, True, 1, 1),
        (math.nan, True, 1, 1),
        (math.inf, True, 1, 1),
        (0.3, True, 1, 1),
        (3, True, 3, 1),
        (7, True, 8, 2),
        (10, True, 10, 5),
        (10, False, 10, 2.5),
        (99, True, 100, 25),
        (101, True, 150, 50),
        (1234, True, 1500, 500),
        (0.3, False, 0.3, 0.1),
    ],
)
def test_the_axis_ends_on_a_round_number_covering_the_maximum(maximum, integer, top, step):
    assert nice_scale(maximum, 4, integer) == (top, step)


def test_the_axis_always_covers_the_largest_value_with_whole_steps():
    for value in range(1, 2000, 7):
        top, step = nice_scale(value)
        assert top >= value
        assert step.is_integer()
        assert top / step <= 5
        assert math.isclose(top / step, round(top / step))


def test_column_heights_are_proportional_to_the_values():
    chart = bar_chart([("a", 1), ("b", 2), ("c", 4), ("d", 0)])
    heights = [bar.height for bar in chart.bars]
    plot_height = chart.baseline - chart.plot_top
    top = chart.ticks[-1].value
    for bar in chart.bars:
        assert bar.height == pytest.approx(plot_height * bar.value / top, abs=0.01)
        assert bar.y + bar.height == pytest.approx(chart.baseline, abs=0.01)
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    assert heights[3] == 0
    assert not chart.empty


def test_columns_sit_side_by_side_inside_the_plot():
    chart = bar_chart([(str(i), i) for i in range(12)])
    lefts = [bar.x for bar in chart.bars]
    assert lefts == sorted(lefts)
    assert chart.bars[0].x >= chart.plot_left
    assert chart.bars[-1].x + chart.bars[-1].width <= chart.plot_right
    for left, right in zip(chart.bars, chart.bars[1:], strict=False):
        assert left.x + left.width < right.x


def test_gridlines_go_from_zero_at_the_baseline_to_the_top_of_the_plot():
    chart = bar_chart([("a", 7)])
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    assert chart.ticks[0].position == chart.baseline
    assert chart.ticks[-1].position == chart.plot_top
    assert [tick.text for tick in chart.ticks] == ["0", "2", "4", "6", "8"]


def test_no_data_and_zero_data_draw_nothing_without_dividing_by_zero():
    for items in ([], [("a", 0), ("b", 0)]):
        chart = bar_chart(items)
        assert chart.empty
        assert all(bar.height == 0 for bar in chart.bars)
        assert [tick.value for tick in chart.ticks] == [0, 1]
        flat = horizontal_bars(items)
        assert flat.empty
        assert all(bar.width == 0 for bar in flat.bars)


def test_negative_or_missing_values_draw_no_bar():
    chart = bar_chart([("a", -3), ("b", math.nan), ("c", 2)])
    assert [bar.height for bar in chart.bars][:2] == [0, 0]
    flat = horizontal_bars([("a", -3), ("b", 2)])
    assert flat.bars[0].width == 0


def test_crowded_columns_label_every_few_weeks_ending_with_the_latest():
    chart = bar_chart([(f"w{i}", i) for i in range(52)], max_labels=13)
    shown = [bar.label for bar in chart.bars if bar.show_label]
    assert len(shown) <= 13
    assert shown[-1] == "w51"
    assert all(bar.show_label for bar in bar_chart([("a", 1)] * 12).bars)


def test_the_formatter_writes_values_and_ticks():
    chart = bar_chart([("a", 1500)], formatter=lambda v: f"{v:,.0f}".replace(",", " "))
    assert chart.bars[0].value_text == "1 500"
    assert chart.ticks[-1].text == "1 500"


def test_horizontal_bar_lengths_are_proportional_to_the_values():
    chart = horizontal_bars([("a", 10), ("b", 5), ("c", 0)], maximum=None)
    top = chart.ticks[-1].value
    for bar in chart.bars:
        assert bar.width == pytest.approx(chart.plot_width * bar.value / top, abs=0.01)
    assert chart.bars[0].width == pytest.approx(2 * chart.bars[1].width, abs=0.02)
    assert chart.bars[0].value_x > chart.plot_left + chart.bars[0].width
    ys = [bar.y for bar in chart.bars]
    assert ys == sorted(ys)
    assert chart.plot_bottom <= chart.height


def test_a_fixed_maximum_scales_scores_out_of_100():
    chart = horizontal_bars([("a", 50), ("b", 100), ("c", 150)], maximum=100, integer=False)
    assert chart.bars[0].width == pytest.approx(chart.plot_width / 2)
    assert chart.bars[1].width == pytest.approx(chart.plot_width)
    assert chart.bars[2].width == pytest.approx(chart.plot_width)  # capped, never outside
    assert [tick.value for tick in chart.ticks] == [0, 25, 50, 75, 100]


def test_long_labels_wrap_on_two_lines_at_most():
    label = "Portefeuille prospects et transformation des opportunités en chiffre d'affaires"
    [bar] = horizontal_bars([(label, 3)]).bars
    assert len(bar.lines) == 2
    assert bar.lines[-1].endswith("…")
    assert bar.label == label
    [short] = horizontal_bars([("Stratégie", 3)]).bars
    assert short.lines == ["Stratégie"]


def test_muted_rows_are_marked():
    chart = horizontal_bars([("a", 1), ("b", 2)], muted=[False, True])
    assert [bar.muted for bar in chart.bars] == [False, True]


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context():
        return render_template_string(MACROS + source, **context)


def test_the_macros_draw_accessible_svg_without_inline_style(app):
    columns = bar_chart([("1 mai", 3), ("8 mai", 0)])
    rows = horizontal_bars([("Prospection", 12), ("Conversion", 4)])
    html = render(
        app,
        '{{ bar_chart(columns, "Per week", "c1", "One column per week") }}'
        '{{ horizontal_bar_chart(rows, "Funnel", "c2") }}',
        columns=columns,
        rows=rows,
    )
    assert html.count('role="img"') == 2
    assert '<title id="c1-title">Per week</title>' in html
    assert '<desc id="c1-desc">One column per week</desc>' in html
    assert 'aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c2-title">Funnel</title>' in html
    for text in ("1 mai", "8 mai", "Prospection", "Conversion", ">12<", ">4<", ">3<"):
        assert text in html
    assert "style=" not in html
    assert "<script" not in html
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', html)]
    assert heights[1] == 0  # the zero column is drawn flat


def test_labels_are_escaped(app):
    rows = horizontal_bars([('<script>alert("x")</script>', 1)])
    html = render(app, '{{ horizontal_bar_chart(rows, "<b>t</b>", "c") }}', rows=rows)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html


def test_ticks_may_be_written_apart_from_the_values():
    chart = horizontal_bars(
        [("a", 49.14)],
        formatter=lambda v: f"{v:.1f}",
        tick_formatter=lambda v: f"{v:.0f}",
        maximum=100,
        integer=False,
    )
    assert chart.bars[0].value_text == "49.1"
    assert [tick.text for tick in chart.ticks] == ["0", "25", "50", "75", "100"]
