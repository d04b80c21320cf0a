"""The personalised PDF report: content read back with pypdf, safety, determinism, snapshot."""

from __future__ import annotations

import io
import os
import socket
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdf
import pytest
from flask import Flask

from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import (
    ReportInput,
    branding_from_config,
    build_report,
    render_report_html,
    render_report_pdf,
)
from assess.report.pdf import html_to_pdf
from tests.helpers.report_inputs import pdf_of, report_input, text_of

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture(scope="module")
def shipped_app(make_app) -> Flask:
    return make_app()


# An executive report: ten pages at most, whatever the answers (tests/test_report_layout.py).
MAX_PAGES = 10


@pytest.mark.parametrize("persona", ["pme_industrielle", "artisan_tpe"])
def test_the_pdf_holds_the_company_the_score_and_every_fired_recommendation(shipped_app, persona):
    data = report_input(shipped_app, persona)
    reader = pdf_of(shipped_app, data)
    text = " ".join(text_of(reader).split())
    assert "Lefèvre & Fils Négoce" in text  # accents intact
    overall = f"{data.result['overall']:.1f}".replace(".", ",")
    assert overall in text
    for rank, recommendation in enumerate(data.result["explanation"]["recommendations"], 1):
        title = " ".join(recommendation["title"]["fr"].split())
        assert title in text, title
        # Every action of the three priorities; the first step of each other recommendation.
        actions = recommendation.get("actions", [])
        for index, action in enumerate(actions):
            printed = " ".join(action["what"]["fr"].split()) in text
            assert printed == (rank <= 3 or index == 0), action["what"]["fr"]
    assert 6 <= len(reader.pages) <= MAX_PAGES
    assert "Coût de l" in text or "abandon" in text.lower()


def test_a_struggling_company_reads_a_plan_of_ten_with_three_urgent(shipped_app):
    data = report_input(shipped_app, "artisan_tpe")
    text = " ".join(text_of(pdf_of(shipped_app, data)).split())
    plan = data.result["explanation"]["recommendations"]
    assert len(plan) == 10 and all(len(r["actions"]) <= 3 for r in plan)
    assert text.count("Urgent") == 3
    for dropped in data.result["explanation"]["dropped"]:  # fired, but not printed
        rule = next(r for r in current_rules(shipped_app) if r.id == dropped["id"])
        assert " ".join(rule.title.get("fr").split()) not in text, dropped


def current_rules(app: Flask) -> tuple:
    with app.app_context():
        return current_questionnaire().recommendations


def test_the_pdf_is_tagged_with_its_language_title_author_and_bookmarks(shipped_app):
    reader = pdf_of(shipped_app, report_input(shipped_app, "services_b2b_structure"))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title and "Lefèvre" in reader.metadata.title
    assert reader.metadata.author == shipped_app.config["BRAND_NAME"]
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Synthèse" in " ".join(titles) or len(titles) >= 5


def test_the_report_speaks_english_when_the_lead_does(shipped_app):
    reader = pdf_of(shipped_app, report_input(shipped_app, "startup_tech", locale="en"))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = text_of(reader)
    assert "Executive summary" in text
    assert "Synthèse" not in text


def test_missing_optional_answers_leave_out_the_cost_estimate_without_failing(shipped_app):
    data = report_input(shipped_app, "artisan_tpe", drop=("deal_value", "new_leads_per_month"))
    with shipped_app.app_context():
        report = build_report(
            current_questionnaire(), data, branding_from_config(shipped_app.config)
        )
    assert report["cost"] is None
    text = text_of(pdf_of(shipped_app, data))
    assert "Coût de l'abandon" not in text


def test_odd_contact_fields_render_as_blanks(shipped_app):
    data = report_input(
        shipped_app, "artisan_tpe", contact={"company": None, "first_name": ["x"], "last_name": 12}
    )
    text = text_of(pdf_of(shipped_app, data))
    assert "None" not in text and "['x']" not in text


def test_the_cost_of_giving_up_prints_its_formula_and_figures(shipped_app):
    data = report_input(shipped_app, "artisan_tpe")  # 6.9 sales lost, below his target of 10
    with shipped_app.app_context():
        report = build_report(
            current_questionnaire(), data, branding_from_config(shipped_app.config)
        )
    cost = report["cost"]
    assert cost is not None
    estimate = cost["estimate"]
    expected = (
        estimate.leads_per_month
        * estimate.win_rate
        * estimate.deal_value
        * (1 - min(estimate.contacts_before_giving_up, 7) / 7)
        * 12
    )
    assert estimate.lost_per_year == pytest.approx(expected, abs=0.01)
    # A company that never prospects is not asked how many prospects it contacts: no estimate.
    never = report_input(shipped_app, "negoce_historique")
    assert "new_leads_per_month" not in never.answers
    assert build(shipped_app, never)["cost"] is None


def build(app: Flask, data: ReportInput) -> dict[str, Any]:
    with app.app_context():
        return build_report(current_questionnaire(), data, branding_from_config(app.config))


def test_the_synthesis_quotes_the_main_challenge_in_the_respondents_language(shipped_app):
    data = report_input(shipped_app, "pme_industrielle")
    quoted = "Trouver des relais de croissance hors automobile."
    assert (
        build(shipped_app, data)["synthesis"][0]
        == f"Vous nous avez dit\u00a0: «\u00a0{quoted}\u00a0»"
    )
    english = build(shipped_app, replace(data, locale="en"))
    assert english["synthesis"][0] == f"You told us: “{quoted}”"
    text = " ".join(text_of(pdf_of(shipped_app, data)).split())
    assert f"Vous nous avez dit : « {quoted} »" in text.replace("\u00a0", " ")


def test_the_synthesis_starts_where_the_plan_starts(shipped_app):
    # Digital tools score lowest (37.5), but customer retention (43.8, weight 2) weighs most on
    # the overall score: the plan's first priority is there, and so is the place to start.
    data = report_input(shipped_app, "pme_industrielle")
    report = build(shipped_app, data)
    assert data.result["recommendations"][0] == "enrayer_perte_clients"
    assert report["priorities"][0]["area"] == "Développement et fidélisation clients"
    assert (
        "Votre principale marge de progression concerne le domaine « Développement et "
        "fidélisation clients » (43,8 / 100)" in " ".join(report["synthesis"])
    )


def test_an_unanswered_challenge_is_not_quoted(shipped_app):
    data = report_input(shipped_app, "negoce_historique")
    assert data.answers.get("main_challenge") is None
    synthesis = " ".join(build(shipped_app, data)["synthesis"])
    assert "Vous nous avez dit" not in synthesis
    assert (
        build(shipped_app, replace(data, answers={**data.answers, "main_challenge": "  "}))[
            "synthesis"
        ]
        == build(shipped_app, data)["synthesis"]
    )


def test_the_quoted_challenge_is_escaped_and_trimmed(shipped_app):
    data = report_input(shipped_app, "negoce_historique")
    answer = "<script>alert(1)</script> Reprendre & développer " + "les comptes dormants " * 30
    report = build(shipped_app, replace(data, answers={**data.answers, "main_challenge": answer}))
    quote = report["synthesis"][0]
    assert quote.endswith("…\u00a0»") and len(quote) < 260
    with shipped_app.app_context():
        html = render_report_html(report)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Reprendre &amp; développer" in html


def test_the_same_submission_gives_the_same_pdf(shipped_app):
    data = report_input(shipped_app, "pme_industrielle")
    with shipped_app.app_context():
        first = render_report_pdf(current_questionnaire(), data)
        second = render_report_pdf(current_questionnaire(), data)
    assert first == second


class Listener:
    """A TCP listener on loopback that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def hostile(port: int) -> list[str]:
    return [
        "<link rel=attachment href=file:///etc/passwd>",
        f"<img src=http://127.0.0.1:{port}/x.png>",
        f'<style>body {{ background: url("http://127.0.0.1:{port}/bg.png") }}</style>',
        f'</td><div style="background-image:url(http://127.0.0.1:{port}/y)">x</div>',
        "{{ config.SECRET_KEY }}",
    ]


def assert_nothing_fetched(pdf: bytes, listener: Listener) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in names
    assert b"root:x:0:0" not in pdf
    assert listener.connections == 0


def test_hostile_contact_fields_and_text_answers_are_escaped(shipped_app, listener):
    payloads = hostile(listener.port)
    data = report_input(
        shipped_app,
        "pme_industrielle",
        contact={
            "company": payloads[0],
            "first_name": payloads[1],
            "last_name": payloads[2],
            "job_title": payloads[3],
        },
    )
    data.answers["main_challenge"] = " ".join(payloads)
    with shipped_app.app_context():
        pdf = render_report_pdf(current_questionnaire(), data)
    assert_nothing_fetched(pdf, listener)
    text = text_of(pypdf.PdfReader(io.BytesIO(pdf)))
    assert "rel=attachment" in text  # shown as text, not obeyed
    assert shipped_app.config["SECRET_KEY"] not in text


def test_the_fetcher_refuses_files_and_network_even_in_raw_html(shipped_app, listener):
    html = (
        "<html lang=fr><head><title>t</title></head><body><p>x</p>"
        + "".join(hostile(listener.port))
        + "</body></html>"
    )
    pdf = html_to_pdf(html, shipped_app.static_folder)
    assert_nothing_fetched(pdf, listener)


def test_report_html_snapshot(shipped_app):
    data = report_input(shipped_app, "pme_industrielle")
    with shipped_app.app_context():
        html = render_report_html(
            build_report(current_questionnaire(), data, branding_from_config(shipped_app.config))
        )
    snapshot = SNAPSHOTS / "report_pme_industrielle.html"
    if os.environ.get("UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(html, encoding="utf-8")
    assert html == snapshot.read_text(encoding="utf-8"), (
        "report HTML changed: UPDATE_SNAPSHOTS=1 to accept"
    )


def test_the_french_report_follows_french_typography_and_the_english_one_does_not(shipped_app):
    data = report_input(shipped_app, "pme_industrielle")
    with shipped_app.app_context():
        q = current_questionnaire()
        branding = branding_from_config(shipped_app.config)
        french = render_report_html(build_report(q, data, branding))
        english = render_report_html(build_report(q, replace(data, locale="en"), branding))
    nnbsp = "\u202f"
    for typeset in ("Première action\u202f: ", "Référence\u202f: ", "80\u202f%", "000\u202f€"):
        assert typeset in french
    assert "Dans votre plan\u202f: recommandation nᵒ\u202f" in french
    assert "Dans votre plan\u202f: recommandations nᵒˢ\u202f" in french
    text = french.split("</style>", 1)[1]  # the style sheet keeps its own spaces
    assert " ?" not in text and " :" not in text and "n°" not in text
    assert ":root { --brand:" in french and 'lang="fr"' in french  # markup as it was
    for mark in ("?", ":", "!", ";", "»"):
        assert nnbsp + mark not in english
