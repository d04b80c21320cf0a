"""`flask questionnaire check|score|test`: work on a questionnaire file without starting the app.

Registered as a Flask CLI plugin command (see pyproject.toml), so a broken
default questionnaire, which stops the app, never stops the command that
diagnoses it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from assess.cli.advice_cases import CasesFileError, read_cases
from assess.cli.advice_verdicts import Verdict, condition, cut_rules, run_case, unfired_rules
from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from assess.core.scoring import score

DEFAULT_QUESTIONNAIRE = "questions.yaml"


def configured_path() -> str:
    """The questionnaire the app runs: ASSESS_QUESTIONNAIRE, default questions.yaml."""
    return os.environ.get("ASSESS_QUESTIONNAIRE") or DEFAULT_QUESTIONNAIRE


def _load_or_exit(path: str | None, status: int = 1) -> Questionnaire:
    try:
        return load_questionnaire(path or configured_path())
    except QuestionnaireError as error:
        click.echo(str(error), err=True)
        sys.exit(status)


@click.group("questionnaire")
def questionnaire() -> None:
    """Check a questionnaire file or score answers against it."""


@questionnaire.command("check")
@click.argument("path", required=False)
def check(path: str | None) -> None:
    """Validate PATH (default: the configured questionnaire); list every problem."""
    q = _load_or_exit(path)
    rules = len(q.recommendations)
    click.echo(
        f"{q.source_path}: OK: {q.id} {q.version}: {len(q.sections)} sections, "
        f"{len(q.questions)} questions, {len(q.categories)} categories, {rules} rules"
    )


@questionnaire.command("score")
@click.argument("path")
@click.argument("answers_file", metavar="ANSWERS.json")
def score_command(path: str, answers_file: str) -> None:
    """Score ANSWERS.json ({"answers": {...}, "contact": {...}}) and print the result as JSON."""
    q = _load_or_exit(path)
    answers, contact = read_answers_file(answers_file)
    clean = validated_or_exit(q, answers, contact)
    click.echo(json.dumps(score(q, clean, contact).as_json(), ensure_ascii=False, indent=2))


@questionnaire.command("test")
@click.argument("cases_files", metavar="CASES.yaml...", nargs=-1, required=True)
@click.option("--questionnaire", "path", help="The questionnaire (default: the configured one).")
@click.option(
    "--coverage",
    is_flag=True,
    help="Also list the rules in no case's plan: not fired, or fired but cut.",
)
def run_advice_cases(cases_files: tuple[str, ...], path: str | None, coverage: bool) -> None:
    """Run advice cases: score each company's answers, compare the advice with what it expects.

    Exit 0 when every case passes, 1 when one fails, 2 when the cases cannot be run (a bad
    cases file or questionnaire).
    """
    q = _load_or_exit(path, status=2)
    cases, problems = [], []
    for cases_file in cases_files:
        try:
            cases.extend(read_cases(cases_file, q))
        except CasesFileError as error:
            problems.extend(error.problems)
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(2)
    verdicts = [run_case(q, case) for case in cases]
    for verdict in verdicts:
        _echo_verdict(verdict)
    failed = sum(not verdict.passed for verdict in verdicts)
    click.echo(f"{len(verdicts)} cases: {len(verdicts) - failed} passed, {failed} failed")
    if coverage:
        unfired = unfired_rules(q, verdicts)
        fired = len(q.recommendations) - len(unfired)
        click.echo(f"coverage: {fired} of {len(q.recommendations)} rules in some case's plan")
        cut = cut_rules(verdicts)
        for rule in unfired:
            # A rule cut from every plan is covered by no case, but a case does reach it.
            word = "fired but cut" if rule.id in cut else "not fired"
            click.echo(f"  {word}: {rule.id} (priority {rule.priority}; when: {condition(rule)})")
    sys.exit(1 if failed else 0)


def _echo_verdict(verdict: Verdict) -> None:
    case = verdict.case
    word = "PASS" if verdict.passed else "FAIL"
    click.echo(f"{word} {case.name} ({case.file}:{case.line})")
    for difference in verdict.differences:
        click.echo(f"  - {difference}")


def validated_or_exit(
    q: Questionnaire, answers: dict[str, Any], contact: dict[str, Any]
) -> dict[str, Any]:
    """The clean answers, or exit 1 listing every error by question id."""
    try:
        return validate_answers(q, answers, contact)
    except InvalidAnswers as error:
        for question_id, errors in error.errors.items():
            for found in errors:
                click.echo(f"{question_id}: {found.message}", err=True)
        sys.exit(1)


def read_answers_file(answers_file: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read {"answers": {...}, "contact": {...}}, or exit 1 saying what is wrong."""
    try:
        data = json.loads(Path(answers_file).read_text(encoding="utf-8"))
    except OSError as error:
        click.echo(f"{answers_file}: cannot read: {error.strerror}", err=True)
        sys.exit(1)
    except (ValueError, UnicodeDecodeError) as error:
        click.echo(f"{answers_file}: not valid JSON: {error}", err=True)
        sys.exit(1)
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        click.echo(f'{answers_file}: expected {{"answers": {{...}}, "contact": {{...}}}}', err=True)
        sys.exit(1)
    contact = data.get("contact") or {}
    if not isinstance(contact, dict):
        click.echo(f"{answers_file}: 'contact' must be an object", err=True)
        sys.exit(1)
    return data.get("answers") or {}, contact
