"""Advice cases run: a failing case says what differed and the command exits 1; --coverage
lists the rules in no case's plan, telling the ones cut from the plan from the ones that never
fired; the plan checked is the one the report prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from flask import Flask

from assess.cli.advice_cases import read_cases
from assess.cli.advice_verdicts import plan_of
from assess.cli.questionnaire import questionnaire
from assess.core.questionnaire import load_questionnaire
from assess.core.result import StoredResult
from assess.core.scoring import score
from assess.report import plan
from tests.helpers.paths import MINIMAL, ROOT, SHIPPED

SHIPPED_CASES = ROOT / "tests" / "advice" / "shipped.yaml"


def minimal_case(name: str, contacts: int, expect: dict[str, Any]) -> dict[str, Any]:
    """A company for tests/fixtures/valid_minimal.yaml, whose one rule fires below 7 contacts."""
    return {
        "name": name,
        "answers": {
            "has_sales_team": True,
            "channels": ["phone"],
            "crm": "partly",
            "follow_up": 3,
            "contacts_before_giving_up": contacts,
        },
        "contact": {"company_size": "pe", "sector": "industrie"},
        "expect": expect,
    }


def shipped_case(name: str, expect: dict[str, Any]) -> dict[str, Any]:
    """The first shipped case (a carpenter who sells alone) with other expectations."""
    case: dict[str, Any] = yaml.safe_load(SHIPPED_CASES.read_text(encoding="utf-8"))[0]
    return {**case, "name": name, "expect": expect}


def run(tmp_path: Path, cases: list[dict[str, Any]], on: Path, *more: str) -> Result:
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(cases, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return CliRunner().invoke(questionnaire, ["test", str(path), "--questionnaire", str(on), *more])


def test_a_failing_case_says_what_differed_and_exits_1(tmp_path: Path) -> None:
    cases = [
        minimal_case("relance trop tôt", 2, {"top3": ["relancer"], "level": "debutant"}),
        minimal_case(
            "relance assez",
            8,
            {"top3": ["relancer"], "in_plan": ["relancer"], "level": "debutant"},
        ),
    ]
    result = run(tmp_path, cases, MINIMAL)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("PASS relance trop tôt (")
    assert lines[1].startswith("FAIL relance assez (")
    assert "  - expected 'relancer' in the top 3, got: nothing" in lines
    assert (
        "  - expected 'relancer' in the plan; it is not (when: answers.contacts_before_giving_up"
        " is not none and answers.contacts_before_giving_up < 7)" in lines
    )
    assert "  - expected level 'debutant', got 'avance' (overall 70.4)" in lines
    assert lines[-1] == "2 cases: 1 passed, 1 failed"


def test_a_failing_case_names_the_plan_it_got(tmp_path: Path) -> None:
    # The ranks are read from the plan the engine gives, so that a change of ranking does
    # not break what this proves: the message names the plan and the rank it got.
    q = load_questionnaire(SHIPPED)
    carpenter = read_cases(str(SHIPPED_CASES), q)[0]
    got = plan_of(score(q, carpenter.answers, carpenter.contact))
    late, early = got[-1], got[0]
    expect = {
        "top3": [late],
        "absent": [early],
        "outcome": {"balance": 0},
        "max_recommendations": 5,
    }
    result = run(tmp_path, [shipped_case("menuisier", expect)], SHIPPED)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"  - expected '{late}' in the top 3, got: {', '.join(got[:3])}; "
        f"it is at rank {len(got)}" in lines
    )
    assert f"  - expected '{early}' absent; it is in the plan at rank 1" in lines
    assert (
        "  - expected outcome 'balance' case 0 (Priorité à la fidélisation (70 % patrimoine "
        "clients / 30 % prospection)), got case 4 (Équilibre entre fidélisation et prospection "
        "(50 % / 50 %))" in lines
    )
    assert f"  - expected at most 5 recommendations, got {len(got)}" in lines
    assert len(got) == 10


def test_coverage_lists_the_rules_no_case_fired(tmp_path: Path) -> None:
    case = minimal_case("relance assez", 8, {"max_recommendations": 0})
    unfired = run(tmp_path, [case], MINIMAL, "--coverage")
    assert unfired.exit_code == 0, unfired.output
    assert "coverage: 0 of 1 rules in some case's plan" in unfired.output
    assert "  not fired: relancer (priority 1; when: answers.contacts_before_giving_up" in (
        unfired.output
    )
    case = minimal_case("relance peu", 2, {"top3": ["relancer"]})
    fired = run(tmp_path, [case], MINIMAL, "--coverage")
    assert "coverage: 1 of 1 rules in some case's plan" in fired.output
    assert "not fired" not in fired.output
    without = run(tmp_path, [case], MINIMAL)
    assert "case's plan" not in without.output and without.exit_code == 0


def test_coverage_tells_a_rule_cut_from_the_plan_from_one_that_never_fired(
    tmp_path: Path,
) -> None:
    q = load_questionnaire(SHIPPED)
    carpenter = read_cases(str(SHIPPED_CASES), q)[0]
    result = score(q, carpenter.answers, carpenter.contact)
    cut = result.dropped[0].id
    assert cut not in plan_of(result)
    output = run(
        tmp_path, [shipped_case("menuisier", {"level": "debutant"})], SHIPPED, "--coverage"
    )
    assert output.exit_code == 0, output.output
    assert f"  fired but cut: {cut} (priority " in output.output
    # The carpenter gives no retention rate: the rule on losing customers cannot fire.
    assert "  not fired: enrayer_perte_clients (priority " in output.output
    assert f"  not fired: {cut} " not in output.output


def test_the_plan_checked_is_the_one_the_report_prints(app: Flask) -> None:
    q = load_questionnaire(SHIPPED)
    for case in read_cases(str(SHIPPED_CASES), q):
        result = score(q, case.answers, case.contact)
        with app.test_request_context():
            printed = plan.recommendations(
                q, StoredResult.from_json(result.as_json()), {}, "fr", str
            )
        assert plan_of(result) == tuple(found["id"] for found in printed), case.name


def test_the_command_runs_without_the_app_or_its_database(tmp_path: Path) -> None:
    # Its own cases, not the shipped ones: this proves the command runs with no database
    # and no configured questionnaire, whatever the shipped expectations are.
    cases = tmp_path / "cases.yaml"
    case = minimal_case("relance trop tôt", 2, {"top3": ["relancer"]})
    cases.write_text(yaml.safe_dump([case], allow_unicode=True), encoding="utf-8")
    environment = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/nowhere",
        "ASSESS_QUESTIONNAIRE": str(tmp_path / "missing.yaml"),
    }
    flask = Path(sys.executable).with_name("flask")
    arguments = ["--app", "assess", "questionnaire", "test", str(cases)]
    result = subprocess.run(
        [str(flask), *arguments, "--questionnaire", str(MINIMAL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 cases: 1 passed, 0 failed"
