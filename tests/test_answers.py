"""Answer validation and form parsing, on tests/fixtures/scoring.yaml."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from assess.core.answers import (
    AnswerError,
    InvalidAnswers,
    apply_step,
    clean_answer,
    parse_form_value,
    validate_answers,
)
from assess.core.questionnaire import Questionnaire, load_questionnaire
from assess.core.visibility import visible_sections, walk

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "scoring.yaml"

# Every required question answered, no sales team (so the team section is hidden).
VALID: dict[str, Any] = {
    "has_sales_team": False,
    "qualification": "formal",
    "channels": ["phone", "linkedin"],
    "weekly_review": True,
    "contacts_before_giving_up": 8,
    "discipline": 5,
}


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(FIXTURE)


def errors_of(q: Questionnaire, raw: dict[str, Any], **kwargs: Any) -> dict[str, list[AnswerError]]:
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(q, raw, **kwargs)
    return caught.value.errors


def test_valid_answers_come_back_clean(q: Questionnaire) -> None:
    assert validate_answers(q, VALID) == VALID


# (question, answer given, error code, parameters)
ERRORS = [
    ("qualification", None, "required", {}),
    ("qualification", "", "required", {}),
    ("qualification", "   ", "required", {}),
    ("channels", [], "required", {}),
    ("channels", (), "required", {}),
    ("has_sales_team", None, "required", {}),
    ("qualification", 3, "not_a_choice", {}),
    ("qualification", ["formal"], "not_a_choice", {}),
    ("qualification", True, "not_a_choice", {}),
    ("qualification", "excellent", "unknown_option", {"value": "excellent"}),
    ("qualification", "x" * 60, "unknown_option", {"value": "x" * 40}),
    ("qualification", "Formal", "unknown_option", {"value": "Formal"}),
    ("channels", ["phone", "fax"], "unknown_option", {"value": "fax"}),
    ("channels", "fax", "unknown_option", {"value": "fax"}),
    ("channels", 3, "not_a_list", {}),
    ("channels", {"phone": True}, "not_a_list", {}),
    ("channels", ["phone", 2], "not_a_list", {}),
    ("channels", [None], "not_a_list", {}),
    ("channels", ["phone", "phone"], "duplicate_option", {"value": "phone"}),
    ("contacts_before_giving_up", True, "not_a_number", {}),
    ("contacts_before_giving_up", False, "not_a_number", {}),
    ("contacts_before_giving_up", math.nan, "not_a_number", {}),
    ("contacts_before_giving_up", math.inf, "not_a_number", {}),
    ("contacts_before_giving_up", -math.inf, "not_a_number", {}),
    ("contacts_before_giving_up", "5", "not_a_number", {}),
    ("contacts_before_giving_up", "cinq", "not_a_number", {}),
    ("contacts_before_giving_up", "12,5", "not_a_number", {}),
    ("contacts_before_giving_up", [5], "not_a_number", {}),
    ("contacts_before_giving_up", {"value": 5}, "not_a_number", {}),
    ("contacts_before_giving_up", 10**400, "not_a_number", {}),
    ("contacts_before_giving_up", -1, "below_min", {"min": "0"}),
    ("contacts_before_giving_up", 21, "above_max", {"max": "20"}),
    ("contacts_before_giving_up", 2.5, "off_step", {"step": "1"}),
    ("deal_value", -0.01, "below_min", {"min": "0"}),
    ("deal_value", 1_000_000.01, "above_max", {"max": "1e+06"}),
    ("deal_value", 12.345, "off_step", {"step": "0.01"}),
    ("deal_value", 999999.991, "off_step", {"step": "0.01"}),
    ("discipline", 2.5, "off_step", {"step": "1"}),
    ("discipline", 0, "below_min", {"min": "1"}),
    ("discipline", 6, "above_max", {"max": "5"}),
    ("discipline", True, "not_a_number", {}),
    ("discipline", math.nan, "not_a_number", {}),
    ("discipline", math.inf, "not_a_number", {}),
    ("discipline", "3", "not_a_number", {}),
    ("has_sales_team", "yes", "not_a_boolean", {}),
    ("has_sales_team", "true", "not_a_boolean", {}),
    ("has_sales_team", 1, "not_a_boolean", {}),
    ("has_sales_team", 0, "not_a_boolean", {}),
    ("about", 5, "not_text", {}),
    ("about", ["texte"], "not_text", {}),
    ("about", True, "not_text", {}),
    ("comment", "x" * 201, "too_long", {"max_length": 200}),
    ("about", "x" * 1001, "too_long", {"max_length": 1000}),
]


@pytest.mark.parametrize(("question_id", "value", "code", "params"), ERRORS)
def test_each_error_code(
    q: Questionnaire, question_id: str, value: Any, code: str, params: dict[str, Any]
) -> None:
    raw = {**VALID, question_id: value}
    if value is None:
        del raw[question_id]
    errors = errors_of(q, raw)
    assert errors == {question_id: [AnswerError(code, params)]}
    # Every code has a message for the API and the CLI.
    assert errors[question_id][0].message


def test_an_unknown_question_id_is_an_error(q: Questionnaire) -> None:
    errors = errors_of(q, {**VALID, "budget": 12, "Qualification": "formal"})
    assert errors == {
        "budget": [AnswerError("unknown_question")],
        "Qualification": [AnswerError("unknown_question")],
    }


# (question, answer given, clean value)
CLEAN = [
    ("qualification", " formal ", "formal"),
    ("channels", ["linkedin", "phone"], ["phone", "linkedin"]),
    ("channels", ("linkedin", "email"), ["email", "linkedin"]),
    ("channels", "phone", ["phone"]),
    ("contacts_before_giving_up", 8.0, 8),
    ("contacts_before_giving_up", 0, 0),
    ("contacts_before_giving_up", 20, 20),
    ("discipline", 3.0, 3),
    ("discipline", 1, 1),
    ("deal_value", 12.34, 12.34),
    ("deal_value", 1_000_000, 1_000_000),
    ("deal_value", 0.07, 0.07),
    # float noise grows with the number of steps: 99,990,119 steps of 0.01
    ("deal_value", 999901.19, 999901.19),
    ("about", "x" * 1000, "x" * 1000),
    ("comment", "x" * 200, "x" * 200),
    ("about", "  Négoce de vins  ", "Négoce de vins"),
    ("about", "a\x00b\x07c\x1b\x7fd", "abcd"),
    ("about", "colonne\tà\ttabulations", "colonne\tà\ttabulations"),
    ("about", "ligne 1\r\nligne 2\rligne 3", "ligne 1\nligne 2\nligne 3"),
    # CRLF counts as one character: 100 lines of "x\r\n" are 199 characters once cleaned.
    ("comment", "x\r\n" * 100, ("x\n" * 100).strip()),
]


@pytest.mark.parametrize(("question_id", "value", "expected"), CLEAN)
def test_clean_values(q: Questionnaire, question_id: str, value: Any, expected: Any) -> None:
    cleaned = validate_answers(q, {**VALID, question_id: value})
    assert cleaned[question_id] == expected
    assert type(cleaned[question_id]) is type(expected)


@pytest.mark.parametrize("value", [None, "", "   ", "\r\n", []])
def test_an_optional_question_left_empty_is_absent(q: Questionnaire, value: Any) -> None:
    for question_id in ("about", "comment", "deal_value", "crm_usage"):
        assert question_id not in validate_answers(q, {**VALID, question_id: value})


def test_a_text_of_control_characters_only_is_absent(q: Questionnaire) -> None:
    assert "about" not in validate_answers(q, {**VALID, "about": "\x00\x07 \x1b\n"})


def test_all_errors_come_at_once_keyed_by_question(q: Questionnaire) -> None:
    raw = {
        "has_sales_team": "oui",
        "qualification": "formal",
        "channels": ["phone", "phone"],
        "contacts_before_giving_up": 99,
        "discipline": 4,
        "comment": "x" * 300,
        "nope": 1,
    }
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(q, raw)
    assert {qid: [e.code for e in found] for qid, found in caught.value.errors.items()} == {
        "nope": ["unknown_question"],
        "has_sales_team": ["not_a_boolean"],
        "channels": ["duplicate_option"],
        "weekly_review": ["required"],
        "contacts_before_giving_up": ["above_max"],
        "comment": ["too_long"],
    }
    # The answers that were fine are kept, clean.
    assert caught.value.cleaned == {"qualification": "formal", "discipline": 4}
    assert "weekly_review: An answer is required." in str(caught.value)


def test_a_hidden_section_drops_its_answers_and_needs_none(q: Questionnaire) -> None:
    # The team section is shown only with a sales team: its answers, even invalid, are dropped.
    raw = {**VALID, "team_size": "garbage", "team_training": "bogus", "coaching": 3}
    assert validate_answers(q, raw) == VALID


def test_a_shown_section_needs_its_required_answers(q: Questionnaire) -> None:
    errors = errors_of(q, {**VALID, "has_sales_team": True})
    # coaching is asked only from 3 salespeople on: with no team size it stays hidden.
    assert {qid: [e.code for e in found] for qid, found in errors.items()} == {
        "team_size": ["required"],
        "team_training": ["required"],
    }


def test_a_hidden_question_drops_its_answer_and_needs_none(q: Questionnaire) -> None:
    team = {**VALID, "has_sales_team": True, "team_training": "yearly"}
    assert validate_answers(q, {**team, "team_size": 2, "coaching": "garbage"}) == {
        **team,
        "team_size": 2,
    }
    assert validate_answers(q, {**team, "team_size": 2}) == {**team, "team_size": 2}


def test_a_question_shown_by_an_earlier_answer_is_required(q: Questionnaire) -> None:
    team = {**VALID, "has_sales_team": True, "team_training": "yearly"}
    assert errors_of(q, {**team, "team_size": 3}) == {"coaching": [AnswerError("required")]}
    assert errors_of(q, {**team, "team_size": 3, "coaching": "yes"}) == {
        "coaching": [AnswerError("not_a_boolean")]
    }
    assert validate_answers(q, {**team, "team_size": 3, "coaching": False})["coaching"] is False


def test_an_invalid_answer_never_shows_a_question(q: Questionnaire) -> None:
    # team_size 30.5 is off step: coaching's show_if reads none, so coaching is not asked.
    team = {**VALID, "has_sales_team": True, "team_training": "yearly"}
    assert errors_of(q, {**team, "team_size": 30.5}) == {
        "team_size": [AnswerError("off_step", {"step": "1"})]
    }


def test_only_sections_reports_errors_for_those_sections_only(q: Questionnaire) -> None:
    raw = {"qualification": "excellent", "contacts_before_giving_up": -4, "discipline": 3}
    errors = errors_of(q, raw, only_sections={"pipeline"})
    assert {qid: [e.code for e in found] for qid, found in errors.items()} == {
        "qualification": ["unknown_option"],
        "channels": ["required"],
        "weekly_review": ["required"],
    }
    # Another step's errors are dropped, its valid answers kept.
    step = {"has_sales_team": True, "deal_value": 12.5, "contacts_before_giving_up": -4}
    assert validate_answers(q, step, only_sections={"company"}) == {
        "has_sales_team": True,
        "deal_value": 12.5,
    }
    assert (
        validate_answers(q, {**VALID, "team_size": 0}, only_sections={"company", "team"}) == VALID
    )


def test_only_sections_still_reports_unknown_questions(q: Questionnaire) -> None:
    assert errors_of(q, {"has_sales_team": True, "nope": 1}, only_sections={"company"}) == {
        "nope": [AnswerError("unknown_question")]
    }


def test_walk_and_visible_sections(q: Questionnaire) -> None:
    alone = [(item.question.id, item.shown) for item in walk(q, VALID, None)]
    assert [qid for qid, _ in alone] == [x.id for x in q.questions]
    assert {qid for qid, shown in alone if not shown} == {"team_size", "team_training", "coaching"}
    team = {**VALID, "has_sales_team": True, "team_size": 3}
    assert all(item.shown for item in walk(q, team, None))
    assert [s.id for s in visible_sections(q, VALID, None)] == ["company", "pipeline", "follow_up"]
    assert [s.id for s in visible_sections(q, team, None)][-1] == "team"


def test_apply_step_replaces_the_sections_answers_and_keeps_the_others(q: Questionnaire) -> None:
    stored = {**VALID, "deal_value": 100}
    company = q.sections[0]
    step = apply_step(q, stored, company, {"has_sales_team": True, "about": "Négoce"}, None)
    assert step.errors == {}
    # deal_value left empty (optional): its stored answer goes; other sections' answers stay.
    assert step.answers == {**VALID, "has_sales_team": True, "about": "Négoce"}
    # The walk is made on the new answers: the team section is now asked.
    assert ("team_size", True) in {(question.id, shown) for _, question, shown in step.walked}


def test_apply_step_keeps_the_stored_answer_when_the_posted_one_is_refused(
    q: Questionnaire,
) -> None:
    stored = {**VALID, "has_sales_team": True, "team_size": 5, "team_training": "yearly"}
    team = next(section for section in q.sections if section.id == "team")
    posted = {"team_size": "many", "team_training": None, "coaching": True}
    step = apply_step(q, stored, team, posted, None)
    # coaching stays asked: the refused team size leaves the stored one (5) in place.
    assert set(step.errors) == {"team_size", "team_training"}
    assert step.answers["coaching"] is True
    assert step.errors["team_training"] == [AnswerError("required")]
    assert step.answers["team_size"] == 5
    assert step.answers["team_training"] == "yearly"


def test_apply_step_drops_what_the_sections_own_answers_now_hide(q: Questionnaire) -> None:
    stored = {**VALID, "has_sales_team": True, "team_size": 5, "coaching": True}
    team = next(section for section in q.sections if section.id == "team")
    # coaching is asked from 3 people on; its posted value is refused but no longer asked.
    step = apply_step(
        q, stored, team, {"team_size": 2, "team_training": "yearly", "coaching": "maybe"}, None
    )
    assert step.errors == {}
    assert "coaching" not in step.answers
    assert step.answers["team_size"] == 2
    assert ("coaching", False) in {(question.id, shown) for _, question, shown in step.walked}


def test_clean_answer_one_question(q: Questionnaire) -> None:
    question = q.questions_by_id["discipline"]
    assert clean_answer(question, 4) == (4, None)
    assert clean_answer(question, None) == (None, AnswerError("required"))
    assert clean_answer(q.questions_by_id["comment"], None) == (None, None)


# parse_form_value: what an HTML form posts (lists of strings) into contract values.
FORM = [
    ("deal_value", ["12,5"], 12.5),
    ("deal_value", ["12.5"], 12.5),
    ("deal_value", ["1 000"], 1000),
    ("deal_value", ["1\u202f000,50"], 1000.5),
    ("deal_value", ["1\xa0000"], 1000),
    ("deal_value", [" 42 "], 42),
    ("deal_value", ["12,0"], 12),
    ("deal_value", [""], None),
    ("deal_value", ["   "], None),
    ("deal_value", [], None),
    ("deal_value", ["douze"], "douze"),
    ("deal_value", ["1,000.5"], "1,000.5"),
    ("deal_value", ["3", "4"], 4),
    ("discipline", ["3"], 3),
    ("discipline", ["2,5"], 2.5),
    ("has_sales_team", ["yes"], True),
    ("has_sales_team", ["no"], False),
    ("has_sales_team", [""], None),
    ("has_sales_team", [], None),
    ("has_sales_team", ["peut-être"], "peut-être"),
    ("channels", ["phone", "", "email"], ["phone", "email"]),
    ("channels", [], []),
    ("channels", ["phone"], ["phone"]),
    ("qualification", ["formal"], "formal"),
    ("qualification", [""], ""),
    ("about", ["Bonjour,\r\nmerci"], "Bonjour,\r\nmerci"),
]


@pytest.mark.parametrize(("question_id", "posted", "expected"), FORM)
def test_parse_form_value(
    q: Questionnaire, question_id: str, posted: list[str], expected: Any
) -> None:
    value = parse_form_value(q.questions_by_id[question_id], posted)
    assert value == expected
    assert type(value) is type(expected)


# A posted value that does not convert goes on as posted, and validation names the error.
PARSED_ERRORS = [
    ("contacts_before_giving_up", ["douze"], "not_a_number"),
    ("contacts_before_giving_up", ["nan"], "not_a_number"),
    ("contacts_before_giving_up", ["inf"], "not_a_number"),
    ("contacts_before_giving_up", ["1e400"], "not_a_number"),
    ("contacts_before_giving_up", ["12,5"], "off_step"),
    ("contacts_before_giving_up", ["-1"], "below_min"),
    ("discipline", ["2,5"], "off_step"),
    ("has_sales_team", ["peut-être"], "not_a_boolean"),
    ("qualification", ["excellent"], "unknown_option"),
    ("qualification", [""], "required"),
    ("channels", ["phone", "phone"], "duplicate_option"),
    ("channels", [""], "required"),
]


@pytest.mark.parametrize(("question_id", "posted", "code"), PARSED_ERRORS)
def test_parsed_garbage_is_reported_by_validation(
    q: Questionnaire, question_id: str, posted: list[str], code: str
) -> None:
    value = parse_form_value(q.questions_by_id[question_id], posted)
    errors = errors_of(q, {**VALID, question_id: value})
    assert [e.code for e in errors[question_id]] == [code]


def test_parsed_form_values_validate(q: Questionnaire) -> None:
    posted = {
        "has_sales_team": ["no"],
        "deal_value": ["1 250,75"],
        "qualification": ["formal"],
        "channels": ["linkedin", "phone"],
        "weekly_review": ["yes"],
        "contacts_before_giving_up": ["8"],
        "discipline": ["5"],
        "crm_usage": [""],
        "comment": ["Merci\r\n"],
    }
    raw = {qid: parse_form_value(q.questions_by_id[qid], values) for qid, values in posted.items()}
    assert validate_answers(q, raw) == {**VALID, "deal_value": 1250.75, "comment": "Merci"}


MINIMAL = """\
format: 1
id: show-if-types
version: "1"
title: Types in show_if
categories: [{id: main, label: Main}]
levels: [{id: all, from: 0, label: All}]
sections:
  - id: only
    title: Only
    questions:
      - {id: flag, type: number, label: Flag, required: false}
      - {id: follow, type: boolean, label: Follow, show_if: "answers.flag is sameas true"}
"""


def test_remembered_show_if_results_tell_true_from_one(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    q = load_questionnaire(path)
    # 1 == True in Python, but not for `sameas`: the remembered result must not mix them up.
    for _ in range(2):
        assert [item.shown for item in walk(q, {"flag": True}, None)] == [True, True]
        assert [item.shown for item in walk(q, {"flag": 1}, None)] == [True, False]
        assert [item.shown for item in walk(q, {"flag": 1.0}, None)] == [True, False]
        assert [item.shown for item in walk(q, {"flag": [1]}, None)] == [True, False]


ADDITIONS = Path(__file__).parent / "fixtures" / "contract_additions.yaml"


@pytest.mark.parametrize(
    "chosen", [["phone", "aucun"], ["aucun", "linkedin"], ["phone", "linkedin", "aucun"]]
)
def test_an_exclusive_option_with_another_is_refused(chosen: list[str]) -> None:
    additions = load_questionnaire(ADDITIONS)
    question = additions.questions_by_id["channels"]
    value, error = clean_answer(question, chosen)
    assert value is None
    assert error is not None and error.code == "exclusive_option"
    assert error.params["value"] == "aucun"
    assert error.message == "'Aucun' cannot be chosen with another option."


@pytest.mark.parametrize("chosen", [["aucun"], ["phone", "linkedin"], ["linkedin"]])
def test_an_exclusive_option_alone_or_other_options_together_are_valid(
    chosen: list[str],
) -> None:
    question = load_questionnaire(ADDITIONS).questions_by_id["channels"]
    value, error = clean_answer(question, chosen)
    assert error is None and value == chosen


def test_apply_step_refuses_the_exclusive_mix_and_keeps_the_steps_other_answers() -> None:
    additions = load_questionnaire(ADDITIONS)
    stored = {"channels": ["phone"], "channel_results": "phone"}
    section = additions.sections_by_id["canaux"]
    posted = {"channels": ["linkedin", "aucun"], "channel_results": "linkedin", "crm": "yes"}
    step = apply_step(additions, stored, section, posted, None)
    assert [e.code for e in step.errors["channels"]] == ["exclusive_option"]
    # the refused answer leaves the saved one; the valid answers posted with it are kept
    assert step.answers == {"channels": ["phone"], "channel_results": "linkedin", "crm": "yes"}
