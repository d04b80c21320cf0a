"""The questions' pre-built markup: values checked or shown again, errors tied to their field,
hidden questions disabled, and everything the respondent or the file wrote escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.web.question_fragments import build_fields

SHIPPED = Path(__file__).resolve().parent.parent / "questions.yaml"
UI = {"(optional)": "(facultatif)", "Yes": "Oui", "No": "Non"}


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(SHIPPED)


@pytest.fixture(scope="module")
def fields(q: Questionnaire) -> dict:
    return build_fields(q, "fr", "fr", lambda text: UI.get(text, text))


def first_of(q: Questionnaire, kind: str) -> str:
    return next(question.id for question in q.questions if question.type == kind)


def test_each_answer_type_is_checked_or_filled_again(q, fields):
    single = next(x for x in q.questions if x.type == "single")
    html = fields[single.id].render(single.options[1].value, None, True)
    assert f'value="{single.options[1].value}" checked>' in html
    assert html.count(" checked") == 1
    multiple = next(x for x in q.questions if x.type == "multiple")
    chosen = [o.value for o in multiple.options[:2]]
    assert fields[multiple.id].render(chosen, None, True).count(" checked") == 2
    boolean = first_of(q, "boolean")
    assert 'value="no" checked>' in fields[boolean].render(False, None, True)
    assert 'value="yes" checked>' in fields[boolean].render("yes", None, True)  # as posted
    scale = next(x for x in q.questions if x.type == "scale")
    assert f'value="{int(scale.min or 0)}" checked>' in fields[scale.id].render(
        int(scale.min or 0), None, True
    )
    number = first_of(q, "number")
    assert 'value="12,5"' in fields[number].render("12,5", None, True)


def test_a_hidden_question_is_hidden_and_its_inputs_disabled(q, fields):
    conditional = next(x for x in q.questions if x.show_if)
    html = fields[conditional.id].render(None, None, False)
    assert f'data-question="{conditional.id}" data-conditional hidden>' in html
    assert html.count(" disabled") == html.count("<input") + html.count("<textarea")


def test_an_error_is_tied_to_its_field(q, fields):
    number = first_of(q, "number")
    html = fields[number].render("beaucoup", ["Merci de saisir un nombre."], True)
    assert 'class="question has-error"' in html
    assert f'<p class="field-error" id="err-{number}">Merci de saisir un nombre. </p>' in html
    assert f"err-{number}" in html.split('aria-describedby="')[1].split('"')[0]
    assert 'aria-invalid="true"' in html
    single = first_of(q, "single")
    assert f'<fieldset id="q-{single}" aria-describedby="err-{single}">' in fields[single].render(
        None, ["x"], True
    )


def test_what_the_respondent_typed_and_the_messages_are_escaped(q, fields):
    text = first_of(q, "text")
    html = fields[text].render('</textarea><script>alert("x")</script>', ["<b>&</b>"], True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    number = first_of(q, "number")
    assert '"><script>' not in fields[number].render('"><script>', None, True)


def test_labels_are_in_the_language_asked(q):
    english = build_fields(q, "en", "fr", lambda text: text)
    boolean = first_of(q, "boolean")
    assert "<span>Yes</span>" in english[boolean].render(None, None, True)
    question = q.questions_by_id[boolean]
    assert question.label.get("en", "fr").split("?")[0] in english[boolean].render(None, None, True)


def test_an_exclusive_option_carries_its_marker_and_no_other_does(fields):
    additions = load_questionnaire(
        Path(__file__).resolve().parent / "fixtures" / "contract_additions.yaml"
    )
    built = build_fields(additions, "fr", "fr", lambda text: UI.get(text, text))
    html = built["channels"].render(["aucun"], None, True)
    assert '<input type="checkbox" name="channels" value="aucun" data-exclusive checked>' in html
    assert html.count("data-exclusive") == 1
    # in the shipped questions, the marker is on their "none" options and on nothing else
    marked = {
        qid: field.render(None, None, True).count("data-exclusive") for qid, field in fields.items()
    }
    assert {qid: n for qid, n in marked.items() if n} == {
        "action_plan_elements": 1,
        "kpi_tracked": 1,
        "customer_communication": 1,
        "digital_tools": 1,
    }
    assert 'value="aucun_plan" data-exclusive>' in fields["action_plan_elements"].render(
        None, None, True
    )
