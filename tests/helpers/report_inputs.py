"""Report inputs built from the shipped personas, as the worker builds them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pypdf
from flask import Flask

from assess.core.answers import validate_answers
from assess.core.scoring import score
from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import ReportInput, render_report_pdf
from tests.helpers.paths import ROOT

PERSONAS = ROOT / "tests" / "personas"
CONTACT = {
    "first_name": "Hélène",
    "last_name": "Lefèvre",
    "company": "Lefèvre & Fils Négoce",
    "job_title": "Présidente",
    "email": "helene@example.com",
    "company_size": "pe",
    "sector": "negoce",
}
WHEN = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def report_input(
    app: Flask,
    name: str,
    contact: dict[str, Any] | None = None,
    locale: str = "fr",
    drop: tuple[str, ...] = (),
) -> ReportInput:
    data = json.loads((PERSONAS / f"{name}.json").read_text())
    with app.app_context():
        q = current_questionnaire()
        answers = {k: v for k, v in data["answers"].items() if k not in drop}
        full_contact = {**CONTACT, **data["contact"], **(contact or {})}
        clean = validate_answers(q, answers, full_contact)
        result = score(q, clean, full_contact).as_json()
    return ReportInput(clean, result, full_contact, locale, WHEN, reference="#42")


def pdf_of(app: Flask, data: ReportInput) -> pypdf.PdfReader:
    with app.app_context():
        pdf = render_report_pdf(current_questionnaire(), data)
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)
