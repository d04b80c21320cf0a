"""The bounds on what expressions compute: sizes counted cheaply, operands checked first."""

from __future__ import annotations

import pytest

from assess.core.questionnaire.expression_bounds import (
    MAX_INT_BITS,
    MAX_SIZE,
    BoundExceeded,
    check_modulo,
    check_power,
    check_product,
    check_sum,
    size_of,
)
from assess.core.questionnaire.expressions import compile_expression, compile_text


def test_size_of_counts_nested_items_and_stops_past_its_budget() -> None:
    assert size_of("abc") == 3
    assert size_of(["ab", ["c", "de"], {"k": "vv"}]) == 3 + 2 + 2 + 1 + 2 + 1 + 1 + 2
    shared = ["x" * 1000] * 1000  # a million characters behind a thousand references
    assert 100 < size_of(shared, budget=100) <= 100 + 1000


@pytest.mark.parametrize(
    ("check", "left", "right"),
    [
        (check_power, 2, MAX_INT_BITS),
        (check_power, -3, 10**6),
        (check_product, 2**3000, 2**3000),
        (check_product, "ab", MAX_SIZE),
        (check_product, MAX_SIZE + 1, [0]),
        (check_sum, "a" * MAX_SIZE, "b"),
        (check_sum, [0] * 60_000, [1] * 60_000),
    ],
)
def test_operands_past_the_bounds_are_refused_before_computing(check, left, right) -> None:
    with pytest.raises(BoundExceeded):
        check(left, right)


@pytest.mark.parametrize(
    ("check", "left", "right"),
    [
        (check_power, 2, 100),
        (check_power, 1, 10**100),
        (check_power, 10, -(10**100)),
        (check_power, 2.5, 10**9),  # a float overflows on its own, at once
        (check_product, 2**2000, 2**2000),
        (check_product, "ab", 1000),
        (check_product, "ab", -(10**100)),
        (check_sum, "a" * 1000, "b" * 1000),
        (check_sum, 1, 2),
    ],
)
def test_operands_within_the_bounds_pass(check, left, right) -> None:
    check(left, right)


def test_percent_formats_numbers_but_never_a_text() -> None:
    check_modulo(7)
    with pytest.raises(BoundExceeded, match="formatting of a text is refused"):
        check_modulo("%d")


def test_methods_that_cannot_grow_a_value_are_callable() -> None:
    context = {"answers": {"company": " ACME ", "channels": ["a", "b"], "d": {"k": 1}}}
    assert compile_expression("answers.company.strip().lower() == 'acme'").is_true(context)
    assert compile_expression("answers.d.get('k') == 1 and 'k' in answers.d.keys()").is_true(
        context
    )
    assert compile_expression("answers.channels.count('a') == 1").is_true(context)
    assert not compile_expression("answers.channels.append('c')").is_true(context)
    assert context["answers"]["channels"] == ["a", "b"]  # append was refused
    text = compile_text(
        "{% for c in answers.channels %}{{ loop.cycle('odd', 'even') }}{% endfor %}"
    )
    assert text.render(context) == "oddeven"
