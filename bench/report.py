"""Report rendering: the app's path (scored result -> context -> HTML -> PDF) against WeasyPrint
printing the identical HTML with no app code, alternating in one process, 20 runs each.
Goals: median ratio <= 1.15; median time about a second or less; resident memory after 200
renders <= 1.1x that after 10."""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "20"))
MEMORY_RUNS = int(os.environ.get("BENCH_REPORT_MEMORY_RUNS", "200"))


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> list[str]:
    """Measure and report."""
    from weasyprint import HTML

    from assess import create_app
    from assess.answers import validate_answers
    from assess.questionnaire_store import current_questionnaire
    from assess.report import ReportInput, branding_from_config, build_report, render_report_html
    from assess.report_pdf import StaticOnlyFetcher, html_to_pdf
    from assess.scoring import score

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": "sqlite://",
            "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        }
    )
    persona = json.loads((ROOT / "tests" / "personas" / "pme_industrielle.json").read_text())
    contact = {
        **persona["contact"],
        "company": "Dubois Équipements",
        "first_name": "Claire",
        "last_name": "Dubois",
        "job_title": "Dirigeante",
    }
    with app.app_context():
        q = current_questionnaire()
        clean = validate_answers(q, persona["answers"], contact)
        data = ReportInput(
            clean,
            score(q, clean, contact).as_json(),
            contact,
            "fr",
            datetime(2026, 11, 20, tzinfo=UTC),
            "#1",
        )
        static = Path(app.static_folder or "static").resolve()

        def app_render() -> bytes:
            html = render_report_html(build_report(q, data, branding_from_config(app.config)))
            return html_to_pdf(html, static)

        html = render_report_html(build_report(q, data, branding_from_config(app.config)))

        def bare_render() -> bytes:
            return HTML(
                string=html, base_url=static.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static)
            ).write_pdf(pdf_variant="pdf/ua-1")

        app_render()
        bare_render()  # warm both
        app_times, bare_times = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            app_render()
            app_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            pages = bare_render()
            bare_times.append(time.perf_counter() - start)
        ratios = [a / b for a, b in zip(app_times, bare_times, strict=True)]
        rss_10 = rss_at = 0.0
        for index in range(1, MEMORY_RUNS + 1):
            app_render()
            if index == 10:
                rss_10 = _rss_mb()
        rss_at = _rss_mb()
    median_app, median_bare = statistics.median(app_times), statistics.median(bare_times)
    return [
        f"report rendering ({RUNS} alternating runs each, {len(pages) // 1024} KB PDF)",
        f"  app path          median {median_app:.3f} s",
        f"  bare WeasyPrint   median {median_bare:.3f} s  (baseline, same HTML)",
        f"  ratio             median {statistics.median(ratios):.3f}x (goal <= 1.15)",
        f"  memory            RSS after 10 renders {rss_10:.0f} MB, after {MEMORY_RUNS} "
        f"{rss_at:.0f} MB: {rss_at / rss_10:.3f}x (goal <= 1.1)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
