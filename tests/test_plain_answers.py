"""Answers in plain words: labels, yes or no, numbers with their unit, blanks for odd values."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from assess.db.questionnaire_store import current_questionnaire
from assess.report.plain_answers import describe_answer, plain


@pytest.fixture(scope="module")
def shipped_app(make_app) -> Flask:
    return make_app()


def first_of_type(q, kind: str):
    return next(question for question in q.questions_by_id.values() if question.type == kind)


def test_answers_read_as_words_in_the_report_language(shipped_app):
    with shipped_app.test_request_context(), force_locale("en"):
        q = current_questionnaire()
        single = first_of_type(q, "single")
        option = single.options[0]
        assert describe_answer(q, single, option.value, "en") == q.text(option.label, "en")
        boolean = first_of_type(q, "boolean")
        assert describe_answer(q, boolean, True, "en") == "yes"
        assert describe_answer(q, boolean, False, "en") == "no"
        assert describe_answer(q, single, None, "en") == "not answered"
        assert describe_answer(q, None, "free text", "en") == "free text"


def test_odd_values_become_blanks():
    assert plain(None) == ""
    assert plain(["x"]) == ""
    assert plain({"a": 1}) == ""
    assert plain("  Dubois  ") == "Dubois"
    assert plain(12) == "12"
