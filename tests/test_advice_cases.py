"""Advice cases: every file of tests/advice/ passes on its questionnaire, and a cases file
that cannot be run is refused with every problem at its line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assess.cli.advice_cases import read_cases
from assess.cli.questionnaire import questionnaire
from assess.core.questionnaire import load_questionnaire
from tests.helpers.paths import MINIMAL, ROOT, SHIPPED

ADVICE = ROOT / "tests" / "advice"

# A company for the minimal questionnaire (tests/fixtures/valid_minimal.yaml).
MINIMAL_CASE = """\
- name: une équipe qui relance peu
  answers:
    has_sales_team: true
    channels: [phone]
    crm: partly
    follow_up: 3
    contacts_before_giving_up: 2
  contact: {company_size: pe, sector: industrie}
  expect:
    top3: [relancer]
"""


def run_cases(path: Path, questionnaire_path: Path = MINIMAL, *more: str) -> Result:
    arguments = ["test", str(path), "--questionnaire", str(questionnaire_path), *more]
    return CliRunner().invoke(questionnaire, arguments)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("cases_file", sorted(ADVICE.glob("*.yaml")), ids=lambda p: p.name)
def test_every_advice_file_passes_on_the_shipped_questionnaire(cases_file: Path) -> None:
    result = run_cases(cases_file, SHIPPED)
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and " 0 failed" in result.output


def test_the_shipped_cases_cover_several_company_shapes() -> None:
    cases = read_cases(str(ADVICE / "shipped.yaml"), load_questionnaire(SHIPPED))
    assert len(cases) >= 14
    assert any(case.answers["has_sales_team"] is False for case in cases)
    assert any(case.expect.level == "performant" for case in cases)
    assert {case.contact["company_size"] for case in cases} == {"tpe", "pe", "me", "eti"}
    assert len({case.contact["sector"] for case in cases}) >= 6
    # Team shapes: nobody but the owner, one salesperson, a team with and without a manager.
    teams = {
        (case.answers["has_sales_team"], case.answers.get("has_sales_manager"))
        for case in cases
        if (case.answers.get("salespeople") or 2) >= 2
    }
    assert {(False, None), (True, True), (True, False)} <= teams
    assert any(case.answers.get("salespeople") == 1 for case in cases)

    # The findings of issue 17 each have a case that expects the advice in the top 3.
    def top3_of(rule: str) -> list[dict[str, object]]:
        return [case.answers for case in cases if rule in case.expect.top3]

    assert any(a.get("top5_share") == "plus_60" for a in top3_of("dependance_gros_clients"))
    assert any(a.get("retention_rate") == 75 for a in top3_of("enrayer_perte_clients"))
    assert any(
        a.get("satisfaction_level") == "insatisfaits" for a in top3_of("traiter_insatisfaction")
    )
    assert any(a.get("has_sales_manager") is False for a in top3_of("piloter_equipe_sans_manager"))


def test_a_valid_case_passes_and_exits_0(tmp_path: Path) -> None:
    result = run_cases(write(tmp_path, MINIMAL_CASE))
    assert result.exit_code == 0, result.output
    assert "PASS une équipe qui relance peu" in result.output
    assert "1 cases: 1 passed, 0 failed" in result.output


def test_unknown_keys_and_ids_are_refused_at_their_line(tmp_path: Path) -> None:
    text = MINIMAL_CASE.replace(
        "    top3: [relancer]\n",
        "    top3: [relancer, rappeler]\n"
        "    level: expert\n"
        "    outcome: {balance: 0}\n"
        "    maximum: 3\n",
    ).replace("  contact: {company_size: pe, sector: industrie}\n", "  contact: {size: pe}\n")
    path = write(tmp_path, text + "  note: oublié\n")
    result = run_cases(path)
    assert result.exit_code == 2
    assert f"{path}:8: unknown contact key 'size'" in result.output
    assert f"{path}:8: the contact has no 'company_size'" in result.output
    assert f"{path}:10: unknown recommendation id 'rappeler'" in result.output
    assert f"{path}:11: unknown level id 'expert' (known: debutant, avance)" in result.output
    assert f"{path}:12: unknown outcome id 'balance' (known: none)" in result.output
    assert f"{path}:13: unknown expect key 'maximum'" in result.output
    assert f"{path}:14: unknown case key 'note'" in result.output
    assert "PASS" not in result.output and "Traceback" not in result.output


def test_answers_are_validated_as_the_wizard_validates_them(tmp_path: Path) -> None:
    text = (
        MINIMAL_CASE.replace("    crm: partly\n", "    crm: sometimes\n    budget: 3\n")
        .replace("    follow_up: 3\n", "")
        .replace("has_sales_team: true", "has_sales_team: false")
    )
    path = write(tmp_path, text)
    result = run_cases(path)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert f"{path}:2: no answer to these questions, which need one: follow_up" in lines
    assert (
        f"{path}:4: answer to 'channels', which a show_if hides for this company: remove it"
        in lines
    )
    assert f"{path}:5: answer to 'crm': 'sometimes' is not one of the options." in lines
    assert f"{path}:6: unknown question id 'budget'" in lines


def test_a_contact_value_the_app_does_not_offer_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL_CASE.replace("sector: industrie", "sector: banque"))
    result = run_cases(path)
    assert result.exit_code == 2
    assert f"{path}:8: 'banque' is not a sector (one of: industrie," in result.output


def test_contradictory_or_malformed_expectations_are_refused(tmp_path: Path) -> None:
    text = MINIMAL_CASE.replace(
        "    top3: [relancer]\n",
        "    top3: [relancer]\n    absent: [relancer]\n    max_recommendations: many\n",
    )
    path = write(tmp_path, text + text)
    result = run_cases(path)
    assert result.exit_code == 2
    assert f"{path}:11: 'relancer' is expected both present and absent" in result.output
    assert f"{path}:12: 'max_recommendations' must be a whole number" in result.output
    assert f"{path}:13: case 'une équipe qui relance peu' is named twice (first at line 1)" in (
        result.output
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("- name: [\n", 2, "YAML syntax error"),
        ("name: seul\n", 1, "the file must be a list of cases"),
        ("", 1, "the file is empty"),
        ("- just a text\n", 1, "a case must be a mapping"),
        ("- name: sans rien\n", 1, "the case has no 'answers'"),
    ],
)
def test_a_file_that_is_not_a_list_of_cases_exits_2(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    result = run_cases(path)
    assert result.exit_code == 2
    assert f"{path}:{line}: {message}" in result.output
    assert "which need one" not in result.output  # a part left out is not checked as empty


def test_a_broken_questionnaire_exits_2_not_as_a_failed_case(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: [\n", encoding="utf-8")
    result = run_cases(write(tmp_path, MINIMAL_CASE), broken)
    assert result.exit_code == 2
    assert f"{broken}:3: YAML syntax error" in result.output


def test_a_missing_cases_file_exits_2_and_runs_no_other_file(tmp_path: Path) -> None:
    good = write(tmp_path, MINIMAL_CASE)
    result = run_cases(good, MINIMAL, str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'missing.yaml'}:1: cannot read the file" in result.output
    assert "PASS" not in result.output
