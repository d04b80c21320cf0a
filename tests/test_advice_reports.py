"""Every advice case read as the executive reads it: its rendered report, as text.

The expected priorities are on the executive page, the advice a case rules out is nowhere
in the report, and the PDF keeps to ten pages (issue 17's check, held-out companies in
tests/advice/held_out.yaml)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pypdf
import pytest
from flask import Flask

from assess.cli.advice_cases import AdviceCase, read_cases
from assess.core.answers import validate_answers
from assess.core.questionnaire import load_questionnaire
from assess.core.scoring import score
from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import (
    ReportInput,
    branding_from_config,
    build_report,
    render_report_html,
)
from assess.report.pdf import html_to_pdf
from tests.helpers.paths import ROOT, SHIPPED

pytestmark = pytest.mark.layout
SHIPPED_Q = load_questionnaire(SHIPPED)
CASES = [
    case
    for path in sorted((ROOT / "tests" / "advice").glob("*.yaml"))
    for case in read_cases(str(path), SHIPPED_Q)
]
CONTACT = {"first_name": "Claire", "last_name": "Dubois", "company": "Dubois SA"}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module")
def report_app(make_app) -> Flask:
    return make_app()


def rendered(app: Flask, case: AdviceCase) -> tuple[str, dict[str, str]]:
    """The report's HTML for a case, and the French title of each rule of the file."""
    contact = {**CONTACT, **case.contact}
    with app.app_context():
        q = current_questionnaire()
        clean = validate_answers(q, case.answers, contact)
        result = score(q, clean, contact).as_json()
        data = ReportInput(clean, result, contact, "fr", datetime(2026, 12, 3, tzinfo=UTC))
        html = render_report_html(build_report(q, data, branding_from_config(app.config)))
    titles = {
        fired["id"]: fired["title"]["fr"] for fired in result["explanation"]["recommendations"]
    }
    return html, titles


@pytest.mark.parametrize("case", CASES, ids=[f"{Path(c.file).stem}:{c.line}" for c in CASES])
def test_the_report_puts_the_expected_advice_first_and_keeps_to_ten_pages(report_app, case):
    html, titles = rendered(report_app, case)
    start = html.index('class="page executive"')
    executive = text_of(html[start : html.index("</section>", start)])
    for rule_id in case.expect.top3:
        assert " ".join(titles[rule_id].split()) in executive, (case.name, rule_id)
    everything = text_of(html)
    for rule in SHIPPED_Q.recommendations:
        if rule.id in case.expect.absent and rule.id not in titles:
            for title in _plain_titles(rule):
                assert title not in everything, (case.name, rule.id)
    with report_app.app_context():
        pdf = html_to_pdf(html, report_app.static_folder or "static")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) <= 10, case.name


def _plain_titles(rule) -> list[str]:
    """A rule's French title, or each case of it, as plain text (no template)."""
    title = rule.title
    cases = getattr(title, "cases", None)
    texts = [c.text for c in cases] if cases else [title]
    found = []
    for text in texts:
        french = " ".join(text.get("fr").split())
        if "{" not in french:
            found.append(french)
    return found
