"""Every validation rule, one invalid file each: the problem and the line the author must fix.

Each file in fixtures/invalid/ is valid but for one problem, announced on its first
line as `# expect: LINE: message fragment` (and marked `# <-` on that line).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.core.questionnaire import Problem, QuestionnaireError, load_questionnaire
from tests.helpers.bounded_run import run_bounded

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


def load_problems(path: Path) -> list[Problem]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    return caught.value.problems


def expectation(path: Path) -> tuple[int, str]:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT.match(first_line)
    assert match, f"{path.name}: the first line must be '# expect: LINE: fragment'"
    return int(match.group(1)), match.group(2)


def test_there_is_a_file_per_rule() -> None:
    assert len(INVALID) >= 45


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_reports_its_one_problem_at_its_line(path: Path) -> None:
    line, fragment = expectation(path)
    problems = load_problems(path)
    listing = "\n".join(map(str, problems))
    assert any(p.line == line and fragment in p.message for p in problems), listing
    assert len(problems) == 1, listing
    assert str(problems[0]) == f"{path}:{line}: {problems[0].message}"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def base_text() -> str:
    """The valid questionnaire the invalid fixtures are variations of (their second line on)."""
    text = (FIXTURES / "invalid" / "wrong_type.yaml").read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if "# <-" not in line)


def test_the_fixtures_base_is_valid(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(write(tmp_path, base_text()))
    assert [q.id for q in questionnaire.questions] == ["has_team", "crm", "relances", "suivi"]


# Several problems of both kinds in one file: shape errors (pydantic) and semantic ones.
MANY_PROBLEMS = """\
format: 1
id: diagnostic-test
version: "1"
title: "Diagnostic de test"
categories:
  - id: prospection
    label: "Prospection"
    weight: heavy
  - id: pilotage
    label: "Pilotage"
levels:
  - id: debutant
    from: 10
    label: "Débutant"
sections:
  - id: equipe
    title: "Équipe"
    questions:
      - id: has_team
        type: boolean
        lable: "Avez-vous une équipe commerciale ?"
        category: pilotage
      - id: crm
        type: singel
        label: "Utilisez-vous un CRM ?"
        options:
          - {value: "no", label: "Non"}
      - id: outils
        type: multiple
        label: "Outils"
        category: relation
        options:
          - {value: yes, label: "Tableur"}
          - {value: "crm", label: "CRM", points: 2}
          - {value: "crm", label: "Logiciel", points: 1}
      - id: suivi
        type: scale
        label: "Suivi"
        category: prospection
        min: 1
        max: 5
        show_if: "answers.suivi > 2"
recommendations:
  - id: adopter_crm
    when: "answers.crm == 'no' and scores.pilotage < 50"
    priority: 1
    title: "Adoptez un CRM"
    text: "Texte."
  - id: relancer
    when: "answers.relances < 3 and"
    priority: high
    title: "Relancez"
    text: "Texte."
  - id: mesurer
    when: "scores.pilotge < 50"
    priority: 2
    category: prospection
    title: "Mesurez"
    text: "Texte."
"""

EXPECTED_MANY = [
    (8, "'weight' must be a number"),
    (13, "the first level must start at 0"),
    (21, "unknown key 'lable' (did you mean 'label'?)"),
    (24, "'type' must be 'single', 'multiple', 'scale', 'number', 'boolean' or 'text'"),
    (31, "unknown category 'relation'"),
    (33, "YAML read this value as a boolean"),
    (35, "duplicate option value 'crm'"),
    (42, "the show_if of 'suivi' refers to the question itself"),
    (51, "'priority' must be a number"),
    (55, "unknown category 'pilotge' in scores.pilotge"),
]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = load_problems(write(tmp_path, MANY_PROBLEMS))
    found = [(p.line, p.message) for p in problems]
    listing = "\n".join(map(str, problems))
    for line, fragment in EXPECTED_MANY:
        assert any(at == line and fragment in message for at, message in found), (
            f"missing {line}: {fragment}\n{listing}"
        )
    # Nothing else: a rule naming the dropped question `crm` or the dropped rule's
    # expression are consequences of shape errors, not problems of their own.
    assert len(problems) == len(EXPECTED_MANY), listing


def test_a_reference_to_a_dropped_question_is_not_unknown(tmp_path: Path) -> None:
    text = base_text().replace("        type: single\n", "        type: radio\n")
    problems = load_problems(write(tmp_path, text))
    assert [p.message for p in problems] == [
        "'type' must be 'single', 'multiple', 'scale', 'number', 'boolean' or 'text'"
    ]


def test_a_reference_to_a_dropped_category_is_not_unknown(tmp_path: Path) -> None:
    text = base_text().replace('    label: "Pilotage"\n', '    label: "Pilotage"\n    weight: -1\n')
    problems = load_problems(write(tmp_path, text))
    assert len(problems) == 1, problems
    assert "'weight' must be greater than or equal to 0" in problems[0].message


def test_a_single_whose_options_were_all_dropped_does_not_need_options(tmp_path: Path) -> None:
    text = base_text().replace('{value: "no", label: "Non"}', "{value: no, label: Non}")
    text = text.replace('{value: "yes", label: "Oui", points: 2}', "{value: yes, label: Oui}")
    problems = load_problems(write(tmp_path, text))
    assert len(problems) == 2, problems
    assert all("read this value as a boolean" in p.message for p in problems)


def test_an_outcome_with_a_dropped_case_is_not_checked_for_its_default(tmp_path: Path) -> None:
    outcomes = (
        "outcomes:\n  - id: equilibre\n    label: Équilibre\n    cases:\n"
        "      - when: \"answers.crm == 'yes'\"\n        label: Outillé\n"
        "      - label: [Sans outil]\n        text: 3\n"
    )
    text = base_text().replace("recommendations:\n", outcomes + "recommendations:\n")
    problems = load_problems(write(tmp_path, text))
    assert {p.message.split(" ")[0] for p in problems} == {"'label'", "'text'"}, problems


def test_a_misspelt_key_with_a_bad_value_is_reported_once_corrected(tmp_path: Path) -> None:
    text = base_text().replace(
        '        label: "Utilisez-vous un CRM ?"\n', "        lable: [CRM]\n"
    )
    problems = load_problems(write(tmp_path, text))
    messages = sorted(p.message for p in problems)
    assert len(messages) == 2, problems
    assert messages[0].startswith("'label' must be a string or a map of language")
    assert messages[1] == "unknown key 'lable' (did you mean 'label'?)"
    assert problems[0].line == problems[1].line


def test_top_level_shape_errors_stop_before_the_semantic_checks(tmp_path: Path) -> None:
    text = base_text().replace("categories:\n", "categories: prospection\nunused:\n", 1)
    problems = load_problems(write(tmp_path, text))
    # The questions' categories are not reported unknown: the checks did not run.
    assert sorted(p.message for p in problems) == [
        "'categories' must be a list",
        "unknown key 'unused'",
    ]


def test_a_section_left_without_questions_is_dropped_quietly(tmp_path: Path) -> None:
    text = base_text().replace("        type: number\n", "        type: count\n")
    text = text.replace(
        '      - id: suivi\n        type: scale\n        label: "Qualité du suivi"\n'
        "        category: prospection\n        min: 1\n        max: 5\n",
        "",
    )
    problems = load_problems(write(tmp_path, text))
    # The rule text quotes answers.relances, whose question was dropped: no second problem.
    assert [p.message for p in problems] == [
        "'type' must be 'single', 'multiple', 'scale', 'number', 'boolean' or 'text'"
    ]


def test_an_item_dropped_without_a_readable_id_hides_unknown_references(tmp_path: Path) -> None:
    # Any unknown category may be the one whose id is broken: none is reported.
    text = base_text().replace("  - id: pilotage\n", "  - id: ~\n")
    problems = load_problems(write(tmp_path, text))
    assert [(p.line, p.message) for p in problems] == [(11, "'id' must be a string")]


def test_a_missing_text_gets_a_placeholder_so_its_question_is_still_checked(
    tmp_path: Path,
) -> None:
    text = base_text().replace('        label: "Qualité du suivi"\n', "")
    text = text.replace(
        "        category: prospection\n        min: 1", "        category: x\n        min: 1"
    )
    problems = load_problems(write(tmp_path, text))
    assert sorted(p.message for p in problems) == ["missing key 'label'", "unknown category 'x'"]


def test_a_duplicate_key_does_not_stop_the_other_checks(tmp_path: Path) -> None:
    text = base_text().replace(
        "    category: pilotage\n    title:", "    category: nope\n    title:"
    )
    text = text.replace('title: "Diagnostic de test"\n', 'title: "A"\ntitle: "B"\n')
    problems = load_problems(write(tmp_path, text))
    messages = sorted(p.message for p in problems)
    assert messages[0].startswith("duplicate key 'title'")
    assert messages[1] == "unknown category 'nope'"


def test_a_file_that_cannot_be_read_is_a_problem(tmp_path: Path) -> None:
    problems = load_problems(tmp_path / "missing.yaml")
    assert problems[0].line == 1
    assert "cannot read the file" in problems[0].message


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Équipe\n".encode("latin-1"))
    problems = load_problems(path)
    assert "not UTF-8 text" in problems[0].message


HOSTILE = sorted((FIXTURES / "hostile").glob("*.yaml"))
# Loads each hostile file in a child with a time and memory limit: its problems as text,
# or the exception that escaped (a traceback is a failure too).
LOAD_HOSTILE = """
from assess.core.questionnaire import QuestionnaireError, load_questionnaire
found = {{}}
for path in {paths!r}:
    try:
        load_questionnaire(path)
        found[path] = ["loaded"]
    except QuestionnaireError as error:
        found[path] = [str(problem) for problem in error.problems]
    except BaseException as error:
        found[path] = [f"escaped: {{type(error).__name__}}"]
print(json.dumps(found))
"""


def test_hostile_files_are_refused_quickly_at_their_line() -> None:
    """Huge constants, a recursive rule text, alias bombs: `file:line: what is wrong`."""
    assert len(HOSTILE) >= 5
    found = run_bounded(LOAD_HOSTILE.format(paths=[str(path) for path in HOSTILE]))
    for path in HOSTILE:
        line, fragment = expectation(path)
        [problem] = found[str(path)]
        assert problem.startswith(f"{path}:{line}: ") and fragment in problem, problem
