"""The peer percentile from score counts: mid-rank, anonymous below the minimum."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from assess.core.peers import (
    ALL,
    OVERALL,
    bucket,
    compare,
    median_of_others,
    percentile,
    segment,
)


def histogram(*scores: float) -> Counter[int]:
    return Counter(bucket(score) for score in scores)


def test_the_middle_of_the_pack_is_the_50th_percentile():
    counts = histogram(10, 20, 30, 40, 50)
    assert percentile(counts, 30, minimum=4) == 50.0
    assert percentile(counts, 10, minimum=4) == 0.0
    assert percentile(counts, 50, minimum=4) == 100.0


def test_ties_count_half():
    counts = histogram(40, 40, 40, 60)  # the respondent is one of the 40s
    assert percentile(counts, 40, minimum=3) == round(100 * (0 + 2 / 2) / 3, 1)


def test_no_figure_for_a_group_smaller_than_the_minimum():
    counts = histogram(*range(0, 100, 5))  # 20 submissions: 19 others
    assert percentile(counts, 50, minimum=20) is None
    assert percentile(counts, 50, minimum=19) is not None


def test_scores_are_counted_on_whole_points_within_0_and_100():
    assert [bucket(s) for s in (-3, 0.4, 0.6, 99.5, 130)] == [0, 0, 1, 100, 100]


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=60), st.data())
def test_a_percentile_is_between_0_and_100_and_grows_with_the_score(scores, data):
    counts = histogram(*scores)
    low, high = sorted(data.draw(st.sampled_from(scores)) for _ in range(2))
    first, second = percentile(counts, low, 1), percentile(counts, high, 1)
    assert first is not None and second is not None
    assert 0 <= first <= second <= 100


def test_the_segment_is_used_when_large_enough_else_everybody_else_nothing():
    mine = segment("pe", "industrie")
    small = {OVERALL: histogram(50, 60, 70), "strategie": histogram(10, 20, 30)}
    large = {OVERALL: histogram(*range(0, 100, 4)), "strategie": histogram(*range(0, 100, 4))}
    scores = {OVERALL: 60.0, "strategie": 20.0, "equipe": None}
    found = compare(scores, {mine: large, ALL: large}, (mine, ALL), minimum=20)
    assert found is not None and found.group == mine and found.others == 24
    assert found.categories["equipe"] is None
    fallback = compare(scores | {OVERALL: 60.0}, {mine: small, ALL: large}, (mine, ALL), 20)
    assert fallback is not None and fallback.group == ALL and not fallback.group.is_segment
    assert compare(scores, {mine: small, ALL: small}, (mine, ALL), minimum=20) is None


def test_the_median_leaves_the_respondent_out():
    # The others scored 10, 20, 30 and 90: their median is 25, whatever the respondent scored.
    assert median_of_others(histogram(10, 20, 30, 90, 80), 80, minimum=4) == 25.0
    assert median_of_others(histogram(10, 20, 30, 90, 0), 0, minimum=4) == 25.0
    # An odd count of others: the middle one.
    assert median_of_others(histogram(10, 20, 30, 55), 55, minimum=3) == 20.0
    assert median_of_others(histogram(10, 20, 30, 55), 55, minimum=4) is None


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=60))
def test_the_median_is_the_sorted_middle_of_the_others(scores):
    own, others = scores[0], sorted(scores[1:])
    middle = len(others) // 2
    expected = others[middle] if len(others) % 2 else (others[middle - 1] + others[middle]) / 2
    assert median_of_others(histogram(*scores), own, minimum=1) == expected


def test_the_comparison_carries_the_median_of_each_area():
    counts = {OVERALL: histogram(40, 50, 60, 70), "strategie": histogram(10, 20, 30, 90)}
    found = compare({OVERALL: 70.0, "strategie": 90.0}, {ALL: counts}, (ALL,), minimum=3)
    assert found is not None and found.medians == {"strategie": 20.0}
