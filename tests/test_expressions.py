"""Expressions and rule texts: compiled once, evaluated in Jinja2's sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from assess.expressions import (
    ExpressionError,
    Reference,
    compile_expression,
    compile_text,
)

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
