"""Expressions and rule texts: compiled once, evaluated in Jinja2's sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from markupsafe import Markup

from assess.core.questionnaire.expressions import (
    ExpressionError,
    Reference,
    compile_expression,
    compile_text,
)
from tests.helpers.bounded_run import run_bounded

CONTEXT: dict[str, Any] = {
    "answers": {
        "has_sales_team": True,
        "channels": ["phone", "email"],
        "contacts_before_giving_up": 3,
        "budget": None,
        "company": "ACME",
    },
    "scores": {"prospection": 40.0, "pilotage": None},
    "levels": {"prospection": "debutant"},
    "overall": 55.0,
    "level": "en_progression",
    "contact": {"company_size": "pe", "sector": None},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("answers.has_sales_team", True),
        ("not answers.has_sales_team", False),
        ("'linkedin' not in (answers.channels or []) and scores.prospection < 50", True),
        ("answers.budget is not none and answers.budget < 7", False),
        ("answers.company is not none and answers.contacts_before_giving_up < 7", True),
        ("answers['company'] == 'ACME'", True),
        ("answers.budget is none", True),
        ("scores.pilotage is none", True),
        ("overall >= 50 and level == 'en_progression'", True),
        ("levels.prospection == 'debutant'", True),
        ("contact.company_size in ['tpe', 'pe']", True),
        ("answers.channels | length == 2", True),
    ],
)
def test_expressions_evaluate_in_the_sandbox(source: str, expected: bool) -> None:
    assert compile_expression(source).is_true(CONTEXT) is expected


def test_evaluate_returns_the_value_and_none_for_what_is_missing() -> None:
    assert compile_expression("answers.contacts_before_giving_up + 1").evaluate(CONTEXT) == 4
    assert compile_expression("answers.missing").evaluate(CONTEXT) is None


@pytest.mark.parametrize(
    ("source", "references"),
    [
        ("answers.x", [Reference("answers", "x")]),
        ("answers['x']", [Reference("answers", "x")]),
        ('answers["x"] and answers.x', [Reference("answers", "x")]),
        ("scores.prospection < 50", [Reference("scores", "prospection")]),
        ("levels.pilotage == 'debutant'", [Reference("levels", "pilotage")]),
        ("contact.sector", [Reference("contact", "sector")]),
        ("overall < 50", [Reference("overall")]),
        ("level == 'expert'", [Reference("level")]),
        ("'a' in answers", [Reference("answers")]),
        (
            "answers.a and not answers.b or scores.c > 1",
            [Reference("answers", "a"), Reference("answers", "b"), Reference("scores", "c")],
        ),
        ("unknown_name", [Reference("unknown_name")]),
        ("foo.bar", [Reference("foo", "bar")]),
        ("1 < 2", []),
        ("none", []),
    ],
)
def test_references_are_collected(source: str, references: list[Reference]) -> None:
    assert list(compile_expression(source).references) == references


def test_reference_str_and_values_for_the_explanation() -> None:
    expression = compile_expression("answers.contacts_before_giving_up < 7 and overall > 50")
    assert [str(r) for r in expression.references] == [
        "answers.contacts_before_giving_up",
        "overall",
    ]
    assert expression.values(CONTEXT) == {
        "answers.contacts_before_giving_up": 3,
        "overall": 55.0,
    }


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   ",
        "answers.x ==",
        "answers.x answers.y",
        "answers.x }} {{ 1",
        "(answers.x",
        "answers.x = 3",
    ],
)
def test_an_expression_that_does_not_parse_raises(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source)


@pytest.mark.parametrize(
    "source",
    [
        "answers.budget < 7",  # none < 7
        "answers.company + 1",  # str + int
        "answers.contacts_before_giving_up // 0",
        "answers.channels[10] == 'x'",
        "answers.company()",
        "range(3)",  # no globals in scope
        "answers.company.missing_method()",
    ],
)
def test_runtime_errors_count_as_false(source: str) -> None:
    expression = compile_expression(source)
    assert expression.evaluate(CONTEXT) in (False, None)
    assert expression.is_true(CONTEXT) is False


@pytest.mark.parametrize(
    "source",
    [
        "answers.__class__",
        "answers.__class__.__mro__",
        "answers.__class__.__mro__[1].__subclasses__()",
        "answers['__class__']",
        "answers.company.__class__.__base__.__subclasses__()",
        "(answers | attr('__class__'))",
        "answers.items.__self__",
        "answers.company.format.__globals__",
        "'{0.__class__.__mro__}'.format(answers)",
        "answers.__init__.__globals__['os']",
        "lipsum.__globals__",
        "cycler.__init__.__globals__",
    ],
)
def test_the_sandbox_blocks_attribute_escapes(source: str) -> None:
    expression = compile_expression(source)
    result = expression.evaluate(CONTEXT)
    assert result in (False, None)
    assert expression.is_true(CONTEXT) is False


def test_rule_text_renders_answers_as_plain_text() -> None:
    template = compile_text("Votre société : {{ answers.company }}.")
    html_ish = "<b>ACME</b> & <script>alert(1)</script>"
    rendered = template.render({"answers": {"company": html_ish}})
    # Plain text: the page or the PDF escapes it once, so it is not escaped here.
    assert rendered == f"Votre société : {html_ish}."
    assert type(rendered) is str
    assert not isinstance(rendered, Markup)


def test_rule_text_never_evaluates_template_syntax_inside_an_answer() -> None:
    template = compile_text("Vous avez écrit : {{ answers.comment }}")
    rendered = template.render(
        {"answers": {"comment": "{{ 7 * 7 }} {% for x in [1] %}loop{% endfor %} {{ answers }}"}}
    )
    assert (
        rendered == "Vous avez écrit : {{ 7 * 7 }} {% for x in [1] %}loop{% endfor %} {{ answers }}"
    )
    assert "49" not in rendered


def test_rule_text_references_skip_names_it_sets_itself() -> None:
    template = compile_text(
        "{% for c in answers.channels %}{{ c }} {% endfor %}{% set n = scores.prospection %}{{ n }}"
    )
    assert template.references == (
        Reference("answers", "channels"),
        Reference("scores", "prospection"),
    )


def test_rule_text_with_a_runtime_error_shows_its_source() -> None:
    source = "Score : {{ scores.prospection + 'x' }}"
    assert compile_text(source).render(CONTEXT) == source


def test_rule_text_that_does_not_parse_raises() -> None:
    with pytest.raises(ExpressionError, match="text does not parse"):
        compile_text("Vous relancez {{ answers.x fois.")


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ answers.__class__.__mro__ }}",
        "{{ answers.company.__class__.__subclasses__() }}",
        "{{ '{0.__class__}'.format(answers) }}",
    ],
)
def test_rule_text_cannot_escape_the_sandbox(source: str) -> None:
    rendered = compile_text(source).render(CONTEXT)
    assert "<class" not in rendered
    assert "object" not in rendered


# Each hostile expression is compiled (and evaluated) in a child interpreter with a time and
# memory limit: before the bounds, `9**999999999` hung and `'a'*10**9` took a gigabyte.
COMPILE_HOSTILE = """
from assess.core.questionnaire.expressions import ExpressionError, compile_expression, compile_text
found = []
for kind, source, context in json.loads(sys.argv[1] if len(sys.argv) > 1 else {cases!r}):
    try:
        compiled = compile_expression(source) if kind == "expression" else compile_text(source)
    except ExpressionError as error:
        found.append(["refused", str(error)])
        continue
    value = compiled.evaluate(context) if kind == "expression" else compiled.render(context)
    shown = value if isinstance(value, (bool, type(None))) else repr(value)[:80]
    found.append(["evaluated", shown])
print(json.dumps(found))
"""


def run_hostile(cases: list[tuple[str, str, dict[str, Any]]]) -> list[list[Any]]:
    """Compile (then evaluate or render) each case in a bounded child: its outcome."""
    found: list[list[Any]] = run_bounded(COMPILE_HOSTILE.format(cases=json.dumps(cases)))
    return found


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("9**999999999 > 1", "is too large (over 4096 bits)"),
        ("((9**99)**99)**99 > 1", "is too large (over 4096 bits)"),
        ("2**-1 < 1 and 7**(10**10) > 1", "is too large (over 4096 bits)"),
        ("'a'*10**9", "is too long (over 100000 characters or items)"),
        ("('a' * 10 ** 9) | length > 1", "is too long (over 100000 characters or items)"),
        ("10**9 * [0]", "is too long (over 100000 characters or items)"),
        ("'ab' ~ ('c' * 10**9) == 'x'", "is too long (over 100000 characters or items)"),
        ("'%0999999999d' % 1", "'%' formatting of a text is refused"),
    ],
)
def test_huge_constants_are_refused_at_load(source: str, message: str) -> None:
    [(outcome, detail)] = run_hostile([("expression", source, {})])
    assert outcome == "refused" and message in detail


def test_powers_and_repetitions_of_a_sane_size_still_work() -> None:
    assert compile_expression("2 ** 10 == 1024 and 'ab' * 3 == 'ababab'").is_true(CONTEXT)
    assert compile_expression("[0] * 3 == [0, 0, 0] and 10 ** 9 > 1").is_true(CONTEXT)
    assert compile_expression("answers.contacts_before_giving_up ** 2 == 9").is_true(CONTEXT)
    assert compile_expression("7 % 3 == 1 and 2 ** 0.5 > 1").is_true(CONTEXT)


ANSWERS = {
    "n": 9,
    "m": 999_999_999,
    "t": "a",
    "l": [0],
    "big": 2**4000,
    "many": 10**10,
    "fmt": "%0*d",
}


@pytest.mark.parametrize(
    "source",
    [
        "answers.n ** answers.m > 1",
        "(answers.t * answers.m) | length > 1",
        "answers.m * answers.l == []",
        "answers.big * answers.big > 1",
        "answers.t.center(answers.many) == ''",
        "answers.t.ljust(answers.many) == ''",
        "answers.fmt % (answers.many, 1) == ''",
        "'{:>2000000000}'.format(1) == ''",
    ],
)
def test_answer_driven_operands_are_capped_at_run_time(source: str) -> None:
    [(outcome, value)] = run_hostile([("expression", source, {"answers": ANSWERS})])
    assert (outcome, value) == ("evaluated", False)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ answers.t | center(999999999) }}", "the filter 'center' is not allowed"),
        ("{{ answers.t | indent(999999999) }}", "the filter 'indent' is not allowed"),
        ("{{ answers.t | format() }}", "the filter 'format' is not allowed"),
        ("{{ (answers.l * 9) | batch(999999999) | list }}", "the filter 'batch' is not allowed"),
        (
            "{% macro f() %}{{ f() }}{{ f() }}{% endmacro %}{{ f() }}",
            "'{% macro %}' is not allowed in a rule text",
        ),
        (
            "{% set a = answers.t * 9999 %}{% set b = a ~ a %}{% set c = b ~ b %}"
            "{% set d = c ~ c %}{% set e = d ~ d %}{% set f = e ~ e %}{% set g = f ~ f %}"
            "{% set h = g ~ g %}{% set i = h ~ h %}{% set j = i ~ i %}{% set k = j ~ j %}"
            "{% set l = k ~ k %}{% set m = l ~ l %}{% set n = m ~ m %}{{ n | length }}",
            "'{% set %}' may not read 'a', a name the text sets itself",
        ),
        (
            "{% set a %}{{ answers.t }}{% endset %}{{ a }}",
            "'{% set %}…{% endset %}' is not allowed in a rule text",
        ),
        (
            "{% for a in answers.l %}{% for b in answers.l %}{% for c in answers.l %}x"
            "{% endfor %}{% endfor %}{% endfor %}",
            "loops nested more than 2 deep",
        ),
        (
            "{% for a in [0] * 99999 %}{% for b in [0] * 99999 %}x{% endfor %}{% endfor %}",
            "a loop may only go over answers, scores, levels or contact",
        ),
        ("{% for a in answers.l recursive %}{{ loop(a) }}{% endfor %}", "recursive loop"),
    ],
)
def test_rule_texts_that_could_grow_without_bound_are_refused_at_load(
    source: str, message: str
) -> None:
    [(outcome, detail)] = run_hostile([("text", source, {"answers": ANSWERS})])
    assert outcome == "refused" and message in detail


@pytest.mark.parametrize(
    "source",
    [
        "{{ answers.t * answers.m }}",
        "{% for a in answers.ls %}{% for b in answers.ls %}{{ answers.t * 99999 }}"
        "{% endfor %}{% endfor %}",
    ],
)
def test_a_rule_text_that_grows_too_long_at_run_time_shows_its_source(source: str) -> None:
    context = {"answers": {**ANSWERS, "ls": list(range(60))}}
    assert run_hostile([("text", source, context)]) == [["evaluated", repr(source)[:80]]]


def test_rule_texts_keep_loops_sets_and_filters_of_a_sane_size() -> None:
    template = compile_text(
        "{% set n = answers.channels | length %}{% for c in answers.channels %}"
        "{{ loop.index }}. {{ c | upper }}{% if not loop.last %}, {% endif %}{% endfor %}"
        " ({{ n }}) {{ scores.prospection | round | int }} % {{ answers.company | lower }}"
    )
    assert template.render(CONTEXT) == "1. PHONE, 2. EMAIL (2) 40 % acme"
