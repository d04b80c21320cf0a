"""Texts given as lists of cases, exclusive options and per-category level texts: how a file
declares them, what the loader refuses, and which case the answers pick."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from assess.core.questionnaire.case_text import CaseList, resolve
from assess.core.scoring import score
from tests.helpers.paths import FIXTURES, MINIMAL

ADDITIONS = FIXTURES / "contract_additions.yaml"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(ADDITIONS)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    """The line of the first line holding `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_the_file_reads_exclusive_options_case_lists_and_category_levels(q):
    channels = q.questions_by_id["channels"]
    assert [o.exclusive for o in channels.options or ()] == [False, False, True]
    summary = q.levels_by_id["debutant"].summary
    assert isinstance(summary, CaseList)
    assert [case.when for case in summary.cases] == ["answers.crm == 'no'", None]
    assert set(summary.conditions) == {0}  # the default has no condition to compile
    levels = q.categories_by_id["prospection"].levels or {}
    assert set(levels) == {"debutant", "avance"}
    assert isinstance(levels["debutant"], CaseList)
    assert str(levels["avance"]) == "Votre prospection est solide."
    assert q.categories_by_id["pilotage"].levels is None
    # an English text inside a case counts among the file's languages
    assert q.locales == ("fr", "en")


def test_the_first_case_that_holds_wins_else_the_default(q):
    summary = q.levels_by_id["debutant"].summary
    assert isinstance(summary, CaseList)
    without_crm = resolve(summary, {"answers": {"crm": "no"}})
    with_crm = resolve(summary, {"answers": {"crm": "yes"}})
    assert without_crm is not None and with_crm is not None
    assert without_crm.get("fr") == "Sans fichier clients partagé, le pilotage reste à créer."
    assert with_crm.get("fr") == "Les bases sont là, le pilotage reste à structurer."
    # a plain text is itself whatever the answers
    avance = q.levels_by_id["avance"].summary
    assert resolve(avance, {}) is avance
    assert resolve(None, {}) is None


def test_a_when_that_fails_on_these_answers_is_false(q):
    outcome_text = q.outcomes[0].cases[0].text
    assert isinstance(outcome_text, CaseList)
    # `none >= 7` raises in the sandbox: the case does not hold, the default is taken
    picked = outcome_text.pick({"answers": {"contacts_before_giving_up": None}})
    assert picked.get("fr") == "Un CRM, mais des relances abandonnées trop tôt."


def test_a_recommendation_title_and_text_follow_the_answers_in_every_language(q):
    none = score(q, {"channels": ["aucun"], "crm": "no", "contacts_before_giving_up": 2})
    [rule] = none.recommendations
    assert rule.title == {
        "fr": "Ouvrez un premier canal de prospection",
        "en": "Open a first prospecting channel",
    }
    assert rule.text["fr"] == "Aucun canal aujourd'hui, et 2 relances."
    some = score(
        q,
        {
            "channels": ["phone", "linkedin"],
            "channel_results": "phone",
            "crm": "yes",
            "contacts_before_giving_up": 2,
        },
    )
    [rule] = some.recommendations
    assert rule.title["fr"] == rule.title["en"] == "Travaillez vos canaux de prospection"
    assert rule.text["fr"] == "Vous utilisez 2 canal ou plus."


def test_an_outcome_case_text_follows_the_answers(q):
    base = {"channels": ["phone"], "channel_results": "phone", "crm": "yes"}
    held = score(q, {**base, "contacts_before_giving_up": 8}).outcomes["fichier"]
    dropped = score(q, {**base, "contacts_before_giving_up": 2}).outcomes["fichier"]
    assert held.text["fr"] == "Un CRM et des relances tenues."
    assert dropped.text["fr"] == "Un CRM, mais des relances abandonnées trop tôt."
    absent = score(q, {**base, "crm": "no", "contacts_before_giving_up": 8}).outcomes["fichier"]
    assert absent.label["fr"] == "Absent" and absent.text == {}


def test_a_follow_up_is_skipped_after_none(q):
    """`"none" not in (answers.x or [])` in a show_if: the follow-up is neither asked nor needed."""
    after_none = validate_answers(
        q,
        {"channels": ["aucun"], "channel_results": "phone", "crm": "no"},
        only_sections=["canaux"],
    )
    assert "channel_results" not in after_none
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(q, {"channels": ["phone"], "crm": "no"}, only_sections=["canaux"])
    assert "channel_results" in caught.value.errors
    # unanswered, `answers.channels` is none: `or []` keeps the follow-up shown, not an error
    with pytest.raises(InvalidAnswers) as caught:
        validate_answers(q, {"crm": "no"}, only_sections=["canaux"])
    assert set(caught.value.errors) == {"channels", "channel_results"}


def test_two_exclusive_options_in_one_question_are_allowed(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        '{value: none, label: "Aucun", points: -1}',
        '{value: none, label: "Aucun", points: -1, exclusive: true}\n'
        '          - {value: unknown, label: "Je ne sais pas", exclusive: true}',
    )
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    channels = load_questionnaire(path).questions_by_id["channels"]
    assert [o.value for o in channels.options or () if o.exclusive] == ["none", "unknown"]


def test_a_case_list_needs_the_default_language_in_each_case(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        'conclusion: "Merci."',
        'conclusion:\n    - when: "overall > 50"\n      text: {en: "Well done."}\n'
        '    - text: "Merci."',
    )
    line = line_of(text, "Well done")
    assert problems_of(tmp_path, text) == [
        f"{line}: 'text' has no 'fr' text: the default language, which the other languages fall "
        "back to"
    ]


def test_a_case_with_an_unknown_key_or_no_text_is_refused_at_its_field(tmp_path):
    base = MINIMAL.read_text(encoding="utf-8")
    unknown = base.replace(
        'conclusion: "Merci."', 'conclusion:\n    - {if: "overall > 50", text: "Bravo."}'
    )
    line = line_of(unknown, "conclusion:")
    assert problems_of(tmp_path, unknown) == [
        f"{line}: 'conclusion': case 1 has an unknown key 'if' (known: when, text)"
    ]
    no_text = base.replace('conclusion: "Merci."', 'conclusion:\n    - {when: "overall > 50"}')
    line = line_of(no_text, "conclusion:")
    assert problems_of(tmp_path, no_text) == [f"{line}: 'conclusion': case 1 needs a 'text'"]


def test_a_when_of_a_case_may_not_read_an_unknown_name(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        'conclusion: "Merci."',
        'conclusion:\n    - when: "score > 50"\n      text: "Bravo."\n    - text: "Merci."',
    )
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{line_of(text, 'score > 50')}: unknown name 'score'")


def test_a_bad_recommendation_text_case_is_reported_at_its_line(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        '    text: "Vous abandonnez après {{ answers.contacts_before_giving_up }} contacts."',
        '    text:\n      - when: "overall < 50"\n        text: "{{ answers.nope }}"\n'
        '      - text: "Relancez."',
    )
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{line_of(text, 'answers.nope')}: unknown question 'nope'")
