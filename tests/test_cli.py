"""The command line: score an answer file, render its report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from assess.cli.questionnaire import questionnaire
from assess.cli.report import report

ROOT = Path(__file__).resolve().parent.parent
PERSONA = ROOT / "tests" / "personas" / "pme_industrielle.json"


def test_score_prints_the_result_as_json():
    result = CliRunner().invoke(
        questionnaire, ["score", str(ROOT / "questions.yaml"), str(PERSONA)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = json.loads(PERSONA.read_text())["expected"]
    assert data["level"] == expected["level"]
    assert data["recommendations"][:3] == expected["top_recommendations"]
    assert {"overall", "categories", "explanation"} <= set(data)


def test_score_lists_every_invalid_answer_and_exits_1(tmp_path):
    answers = tmp_path / "bad.json"
    answers.write_text(json.dumps({"answers": {"has_sales_team": "maybe", "nope": 1}}))
    result = CliRunner().invoke(
        questionnaire, ["score", str(ROOT / "questions.yaml"), str(answers)]
    )
    assert result.exit_code == 1
    assert "has_sales_team:" in result.output and "nope:" in result.output
    assert "Traceback" not in result.output


def test_score_refuses_a_file_that_is_not_json(tmp_path):
    answers = tmp_path / "bad.json"
    answers.write_text("{not json")
    result = CliRunner().invoke(
        questionnaire, ["score", str(ROOT / "questions.yaml"), str(answers)]
    )
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_report_render_writes_a_pdf(app, tmp_path):
    output = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(
        report, ["render", str(PERSONA), "-o", str(output), "--date", "2026-11-20"]
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF")
    bad_date = app.test_cli_runner().invoke(report, ["render", str(PERSONA), "--date", "soon"])
    assert bad_date.exit_code == 1
