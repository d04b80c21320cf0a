"""The main challenge quoted back: the questionnaire names its question; long answers are cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.core.challenge import ELLIPSIS, MAX_QUOTE, main_challenge, quote
from assess.core.questionnaire import load_questionnaire
from tests.helpers.paths import MINIMAL, SHIPPED


def test_a_short_answer_is_quoted_on_one_line() -> None:
    assert quote("  Trouver des relais\n de croissance.  ") == "Trouver des relais de croissance."


def test_a_long_answer_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "Recruter un commercial chasseur, " * 20
    quoted = quote(text)
    assert len(quoted) <= MAX_QUOTE
    assert quoted.endswith(ELLIPSIS)
    assert text.startswith(quoted[: -len(ELLIPSIS)])
    assert not quoted[: -len(ELLIPSIS)].endswith((" ", ","))
    assert quoted[: -len(ELLIPSIS)].split()[-1] in {"Recruter", "un", "commercial", "chasseur"}


def test_an_answer_of_exactly_the_limit_is_not_cut() -> None:
    text = "a" * MAX_QUOTE
    assert quote(text) == text
    assert quote(text + "b") == "a" * (MAX_QUOTE - 1) + ELLIPSIS


def test_the_shipped_questionnaire_names_its_main_challenge() -> None:
    q = load_questionnaire(SHIPPED)
    assert q.report.challenge_question == "main_challenge"
    assert q.questions_by_id["main_challenge"].type == "text"
    assert main_challenge(q, {"main_challenge": " Doubler l'ARR. "}) == "Doubler l'ARR."


@pytest.mark.parametrize("answer", [None, "", "   \n ", 12, ["x"]])
def test_no_usable_answer_quotes_nothing(answer) -> None:
    q = load_questionnaire(SHIPPED)
    assert main_challenge(q, {"main_challenge": answer}) is None
    assert main_challenge(q, {}) is None


def test_a_questionnaire_without_the_key_quotes_nothing(tmp_path: Path) -> None:
    q = load_questionnaire(MINIMAL)
    assert q.report.challenge_question is None
    assert main_challenge(q, {"anything": "Un défi"}) is None
