"""Report rendering: the app's path (scored result -> context -> HTML -> PDF) against WeasyPrint
printing the identical HTML with no app code, alternating in one process, 20 runs each, on the
heaviest persona; then each persona's median; then resident memory over 200 renders.

The app reuses one font configuration and one parsed style sheet per thread (see
`assess.report.pdf`); bare WeasyPrint is given the same HTML and the same style sheet text,
which it parses each time, with its defaults (a new font configuration per document). A third
side, bare WeasyPrint given a reused font configuration too, separates the app's own overhead
from that gain.
Goals: median ratio <= 1.15; median time about a second or less; resident memory after 200
renders <= 1.1x that after 10.

Issue 18 (the executive report): each persona in ten pages at most, in at most half the CPU
time of the report as it was before (bench/baselines/report-before-18-*.html: the HTML the
app produced then, with its style sheet of then, report-before-18.css, printed by bare WeasyPrint in the same run)."""

from __future__ import annotations

import gc
import io
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "bench" / "baselines"
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "20"))
PERSONA_RUNS = int(os.environ.get("BENCH_REPORT_PERSONA_RUNS", "5"))
MEMORY_RUNS = int(os.environ.get("BENCH_REPORT_MEMORY_RUNS", "200"))
MEMORY_BASELINE_RUNS = 10
CONTACT = {"company": "Dubois Équipements", "first_name": "Claire", "last_name": "Dubois"}


def resident_mb() -> float:
    """This process's resident memory (VmRSS), in MB, after a full garbage collection."""
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def timed(render: Callable[[], bytes]) -> tuple[float, float]:
    """Wall and CPU seconds of one render (the CPU time is what other engineers' load spares)."""
    wall, cpu = time.perf_counter(), time.process_time()
    render()
    return time.perf_counter() - wall, time.process_time() - cpu


def page_count(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def run() -> list[str]:
    """Measure and report."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from assess import create_app
    from assess.core.answers import validate_answers
    from assess.core.scoring import score
    from assess.db.questionnaire_store import current_questionnaire
    from assess.report.content import (
        ReportInput,
        branding_from_config,
        build_report,
        print_report,
        render_report_html,
    )
    from assess.report.pdf import StaticOnlyFetcher, report_css

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": "sqlite://",
            "ASSESS_QUESTIONNAIRE": str(ROOT / "questions.yaml"),
        }
    )
    lines = [f"report rendering (load average {os.getloadavg()[0]:.2f} at start)"]
    with app.app_context():
        q = current_questionnaire()
        static = Path(app.static_folder or "static").resolve()
        branding = branding_from_config(app.config)
        inputs: dict[str, Any] = {}
        for path in sorted((ROOT / "tests" / "personas").glob("*.json")):
            persona = json.loads(path.read_text())
            contact = {**persona["contact"], **CONTACT}
            clean = validate_answers(q, persona["answers"], contact)
            result = score(q, clean, contact).as_json()
            inputs[path.stem] = ReportInput(
                clean, result, contact, "fr", datetime(2026, 11, 20, tzinfo=UTC), "#1"
            )

        def app_render(name: str) -> bytes:
            return print_report(build_report(q, inputs[name], branding), str(static))

        heaviest = max(
            inputs, key=lambda n: len(inputs[n].result["explanation"]["recommendations"])
        )
        html = render_report_html(
            build_report(q, inputs[heaviest], branding), linked_stylesheet=False
        )
        css = report_css(static, branding.primary_color, branding.accent_color)

        bare_fonts = FontConfiguration()

        def bare_render(font_config: FontConfiguration | None = None) -> bytes:
            # WeasyPrint's default: a new font configuration per document, which must hold
            # the style sheet's @font-face files.
            font_config = font_config or FontConfiguration()
            fetcher = StaticOnlyFetcher(static)
            sheet = CSS(
                string=css,
                base_url=(static / "css" / "report.css").as_uri(),
                url_fetcher=fetcher,
                font_config=font_config,
            )
            return HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=fetcher).write_pdf(
                pdf_variant="pdf/ua-1", font_config=font_config, stylesheets=[sheet]
            )

        pdf = app_render(heaviest)  # each side once, to warm up
        assert pdf == bare_render() == bare_render(bare_fonts), "all sides print the same bytes"
        app_times, bare_times, bare_fonts_times = [], [], []
        for _ in range(RUNS):
            app_times.append(timed(lambda: app_render(heaviest)))
            bare_times.append(timed(bare_render))
            bare_fonts_times.append(timed(lambda: bare_render(bare_fonts)))
        lines += [
            f"  heaviest persona {heaviest}: {page_count(pdf)} pages, {len(pdf) // 1024} KB,"
            f" {RUNS} alternating runs each",
            f"  app path                   median {_median(app_times)}",
            f"  bare WeasyPrint            median {_median(bare_times)}  (baseline, same HTML)",
            f"  bare, reused font config   median {_median(bare_fonts_times)}",
            f"  ratio app / bare           median {_ratio(app_times, bare_times)} (goal <= 1.15)",
            f"  ratio app / bare, reused   median {_ratio(app_times, bare_fonts_times)}"
            " (the app's own code)",
        ]
        # The worker freezes what it loaded at start (gc.freeze, assess/cli/worker.py): the
        # collections during its renders no longer walk it. Blocks of renders in a row, as a
        # busy worker does them, frozen and not, alternating.
        frozen, thawed = [], []
        for _ in range(RUNS // 4):
            gc.freeze()
            frozen += [timed(lambda: app_render(heaviest)) for _ in range(4)]
            gc.unfreeze()
            thawed += [timed(lambda: app_render(heaviest)) for _ in range(4)]
        lines.append(
            f"  worker's start-up objects frozen / not, CPU"
            f" {statistics.median(t[1] for t in frozen) / statistics.median(t[1] for t in thawed):.2f}x"
            f" ({len(frozen)} renders in blocks of 4 each)"
        )
        # The style sheet of then, kept once for the five old reports.
        before_css = (BASELINES / "report-before-18.css").read_text()
        for name in inputs:
            pdf = app_render(name)
            before_html = (BASELINES / f"report-before-18-{name}.html").read_text()
            before_html = before_html.replace(
                '<link rel="stylesheet" href="css/report.css">', f"<style>{before_css}</style>", 1
            )

            def before(html: str = before_html) -> bytes:
                return HTML(
                    string=html,
                    base_url=static.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(static),
                ).write_pdf(pdf_variant="pdf/ua-1", font_config=bare_fonts)

            before_pages = page_count(before())
            times, before_times = [], []
            for _ in range(PERSONA_RUNS):  # alternating, as above
                times.append(timed(lambda name=name: app_render(name)))
                before_times.append(timed(before))
            lines.append(
                f"  {name:24s} {page_count(pdf):2d} pages (before: {before_pages:2d})"
                f"  median {_median(times)}; CPU / before {_cpu_ratio(times, before_times)}"
                f" (goal <= 0.5, {PERSONA_RUNS} runs)"
            )

        names = list(inputs)
        rss_baseline = 0.0
        for index in range(1, MEMORY_RUNS + 1):
            app_render(names[index % len(names)])  # the bytes are dropped at once
            if index == MEMORY_BASELINE_RUNS:
                rss_baseline = resident_mb()
        rss_after = resident_mb()
    lines += [
        f"  memory            RSS after {MEMORY_BASELINE_RUNS} renders {rss_baseline:.0f} MB,"
        f" after {MEMORY_RUNS} {rss_after:.0f} MB: {rss_after / rss_baseline:.3f}x (goal <= 1.1)",
        f"  (load average {os.getloadavg()[0]:.2f} at the end)",
    ]
    return lines


def _ratio(times: list[tuple[float, float]], baseline: list[tuple[float, float]]) -> str:
    """Median of the run-by-run ratios of wall times."""
    ratios = [a[0] / b[0] for a, b in zip(times, baseline, strict=True)]
    return f"{statistics.median(ratios):.3f}x"


def _cpu_ratio(times: list[tuple[float, float]], baseline: list[tuple[float, float]]) -> str:
    """Median of the run-by-run ratios of CPU times."""
    ratios = [a[1] / b[1] for a, b in zip(times, baseline, strict=True)]
    return f"{statistics.median(ratios):.2f}x"


def _median(times: list[tuple[float, float]]) -> str:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return f"{wall:.3f} s wall, {cpu:.3f} s CPU"


if __name__ == "__main__":
    print("\n".join(run()))
