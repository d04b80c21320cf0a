"""Printing: one font configuration and one parsed style sheet per thread, reused by every
render."""

from __future__ import annotations

import threading

import pytest

from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import (
    branding_from_config,
    build_report,
    print_report,
    render_report_html,
)
from assess.report.pdf import html_to_pdf, report_css, report_stylesheet, reused_font_configuration
from tests.helpers.report_inputs import report_input


def test_each_thread_reuses_its_own_font_configuration():
    first = reused_font_configuration()
    assert reused_font_configuration() is first
    from_other_thread = []
    thread = threading.Thread(target=lambda: from_other_thread.append(reused_font_configuration()))
    thread.start()
    thread.join()
    assert from_other_thread[0] is not first


def test_the_parsed_style_sheet_is_reused_until_the_colours_change(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "report.css").write_text("h1 { color: var(--brand); }")
    first = report_stylesheet(tmp_path, "#1f5fa8", "#e07a1f")
    assert report_stylesheet(tmp_path, "#1f5fa8", "#e07a1f") is first
    assert report_stylesheet(tmp_path, "#000", "#e07a1f") is not first
    sheet = report_css(tmp_path, "#000", "#fff")
    assert sheet.startswith(":root { --brand: #000; --accent: #fff; }")


def test_a_colour_that_is_not_hexadecimal_is_refused(tmp_path):
    with pytest.raises(ValueError, match="brand colours"):
        report_css(tmp_path, "red; } body { display: none", "#fff")


def test_the_printed_report_is_the_report_with_its_style_sheet_linked(make_app):
    """The worker's path (style sheet parsed once, given to WeasyPrint) prints the very bytes
    the standalone HTML (style sheet linked, colours inline) prints."""
    app = make_app()
    data = report_input(app, "pme_industrielle")
    with app.app_context():
        report = build_report(current_questionnaire(), data, branding_from_config(app.config))
        standalone = html_to_pdf(render_report_html(report), app.static_folder or "static")
        assert print_report(report, app.static_folder or "static") == standalone
        assert 'href="css/report.css"' not in render_report_html(report, linked_stylesheet=False)
