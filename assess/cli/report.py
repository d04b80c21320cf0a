"""`flask report render ANSWERS.json -o report.pdf`: an answer file's report, for design work."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assess.cli.questionnaire import read_answers_file, validated_or_exit
from assess.core.scoring import score
from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import (
    ReportInput,
    branding_from_config,
    build_report,
    print_report,
    render_report_html,
)


@click.group("report")
def report() -> None:
    """Render the personalised report."""


@report.command("render")
@click.argument("answers_file", metavar="ANSWERS.json")
@click.option("-o", "--output", default="report.pdf", show_default=True, help="The PDF to write.")
@click.option("--locale", default=None, help="Language of the report (default: the file's).")
@click.option(
    "--date", "on", default=None, help="Date printed on the report, YYYY-MM-DD (default: today)."
)
@click.option("--html", "html_output", default=None, help="Also write the report's HTML here.")
@with_appcontext
def render(
    answers_file: str, output: str, locale: str | None, on: str | None, html_output: str | None
) -> None:
    """Score ANSWERS.json ({"answers": ..., "contact": ...}) and print its report."""
    q = current_questionnaire()
    answers, contact = read_answers_file(answers_file)
    clean = validated_or_exit(q, answers, contact)
    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        click.echo(f"--date: not a date: {on} (expected YYYY-MM-DD)", err=True)
        sys.exit(1)
    data = ReportInput(
        answers=clean,
        result=score(q, clean, contact).as_json(),
        contact=contact,
        locale=locale or q.locale,
        completed_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )
    built = build_report(q, data, branding_from_config(current_app.config))
    if html_output:
        Path(html_output).write_text(render_report_html(built), encoding="utf-8")
    Path(output).write_bytes(print_report(built, current_app.static_folder or "static"))
    click.echo(f"{output}: written")
