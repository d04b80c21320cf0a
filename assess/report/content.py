"""The personalised report: plain data built from a scored submission, then HTML and PDF.

`build_report` turns the stored result, answers and contact into a dictionary of
texts already in the respondent's language (no ORM rows, no clock: the date is
the submission's), `render_report_html` lays it out, `render_report_pdf` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _

from assess.core.action_plan import focus_of
from assess.core.challenge import main_challenge
from assess.core.charts import score_bars
from assess.core.contact import expression_contact
from assess.core.peers import PeerComparison
from assess.core.progress import Progress
from assess.core.questionnaire import Category, Level, Questionnaire
from assess.core.questionnaire.case_text import resolve
from assess.core.result import StoredResult
from assess.i18n import format_change
from assess.report.calendar import calendar, qr_code
from assess.report.comparisons import peer_words, percent, progress_words
from assess.report.cost import cost_section
from assess.report.dashboard import suggested_kpis
from assess.report.plain_answers import describe_answer, plain
from assess.report.plan import localized, recommendations
from assess.report.publication import call_to_action

__all__ = [
    "Branding",
    "ReportInput",
    "branding_from_config",
    "build_report",
    "describe_answer",
    "print_report",
    "render_report_html",
    "render_report_pdf",
]

# How many answers per area the report quotes as strengths and as gaps.
ANSWERS_PER_SIDE = 1
# The areas are compact: their best answer, and the one that costs the most points.
STRENGTHS_PER_AREA = 1
# An area is praised as a strength to build on from this score: below it, the best area of a
# struggling company is only the least weak one.
STRENGTH_FROM = 60.0


@dataclass(frozen=True)
class ReportInput:
    """What a report is made from: a completed submission, as plain data."""

    answers: dict[str, Any]
    # The stored plain data (`Result.as_json`), read through `StoredResult`.
    result: dict[str, Any]
    contact: dict[str, Any]
    locale: str
    completed_at: datetime
    reference: str = ""
    # Change since the lead's previous diagnostic (a re-assessment), and the peer benchmark.
    progress: Progress | None = None
    peers: PeerComparison | None = None
    # The app's booking page for this lead: the call to action's address unless
    # CALL_TO_ACTION_URL names an outside scheduler.
    booking_page: str = ""


@dataclass(frozen=True)
class Branding:
    """The consultancy's look and contact details, from the configuration."""

    name: str
    logo: str | None = None
    primary_color: str = "#1f5fa8"
    accent_color: str = "#e07a1f"
    contact_line: str = ""
    # CALL_TO_ACTION_URL: replaces the questionnaire's call to action address when set.
    booking_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # The consultant the call to action offers a call with (none: the consultancy only).
    consultant_name: str = ""
    consultant_credentials: dict[str, str] = field(default_factory=dict)


def branding_from_config(config: Any) -> Branding:
    """The branding settings of the running app."""
    return Branding(
        name=config["BRAND_NAME"],
        logo=config.get("BRAND_LOGO") or None,
        primary_color=config["BRAND_PRIMARY_COLOR"],
        accent_color=config["BRAND_ACCENT_COLOR"],
        contact_line=config["BRAND_CONTACT"],
        consultant_name=config["CONSULTANT_NAME"],
        consultant_credentials={
            "fr": config["CONSULTANT_CREDENTIALS"],
            "en": config["CONSULTANT_CREDENTIALS_EN"] or config["CONSULTANT_CREDENTIALS"],
        },
        booking_url=config["CALL_TO_ACTION_URL"],
    )


def build_report(q: Questionnaire, data: ReportInput, branding: Branding) -> dict[str, Any]:
    """Every text and figure of the report, in the respondent's language."""
    locale = data.locale if data.locale in q.locales else q.locale
    with force_locale(locale):
        return _build(q, data, branding, locale)


def _build(q: Questionnaire, data: ReportInput, branding: Branding, locale: str) -> dict[str, Any]:
    result = StoredResult.from_json(data.result)
    context = _expression_context(data, result)
    # A text given as a list of cases says what these answers call for.
    text = lambda value: q.text(resolve(value, context), locale)  # noqa: E731
    categories: list[dict[str, Any]] = []
    for category in q.categories:
        score = result.score_of(category.id)
        level = q.levels_by_id.get(result.level_of(category.id) or "")
        change = data.progress.categories.get(category.id) if data.progress else None
        share = data.peers.categories.get(category.id) if data.peers else None
        categories.append(
            {
                "id": category.id,
                "change_text": format_change(change),
                "peer_text": percent(share),
                "label": text(category.label),
                "description": text(category.description),
                "score": score,
                "score_text": score_text(score),
                "level": text(level.label) if level else _("not scored"),
                "level_summary": text(_area_level_text(category, level)),
            }
        )
    area_labels = {c["id"]: c["label"] for c in categories}
    fired = recommendations(q, result, area_labels, locale, score_text)
    # Weakest first, as on the results page; an area the answers did not score is left out.
    scored = sorted((c for c in categories if c["score"] is not None), key=lambda c: c["score"])
    overall_level = q.levels_by_id.get(result.level or "")
    challenge = main_challenge(q, data.answers)
    focus = focus_of(q, result)  # the area the plan starts with, and the call is about
    contact = {key: plain(value) for key, value in data.contact.items()}
    return {
        "locale": locale,
        "title": text(q.title),
        "intro": text(q.intro),
        "brand": branding,
        "company": contact.get("company") or _("Your company"),
        "respondent": " ".join(
            part for part in (contact.get("first_name"), contact.get("last_name")) if part
        ),
        "job_title": contact.get("job_title") or "",
        "date": format_date(data.completed_at, format="long"),
        "created": data.completed_at.strftime("%Y-%m-%dT%H:%M:%S"),
        "reference": data.reference,
        "overall": result.overall,
        "overall_text": score_text(result.overall),
        "level": text(overall_level.label) if overall_level else _("not scored"),
        "level_summary": text(overall_level.summary) if overall_level else "",
        "synthesis": _synthesis(result, categories, challenge, focus),
        "challenge": _("You told us: “%(challenge)s”", challenge=challenge) if challenge else "",
        "progress": progress_words(data.progress),
        "peers": peer_words(data.peers),
        "outcomes": _outcomes(q, result, locale),
        "categories": categories,
        "scored_categories": scored,
        "weakest": next(
            (c["label"] for c in scored if c["id"] == focus_of(q, result)),
            None,
        )
        if len(scored) > 1
        else None,
        "score_bars": score_bars(scored, data.peers.medians if data.peers else {}, focus),
        "bar_colors": {
            "track": "#d9e0e8",
            "fill": branding.primary_color,
            "focus": branding.accent_color,
            "median": "#1d2733",
        },
        "sections": _category_sections(
            q, result, [c for c in categories if c["score"] is not None], fired, locale
        ),
        "priorities": [r for r in fired if r["in_full"]],
        "recommendations": fired,
        "calendar": calendar(q, fired, data.completed_at.date()),
        "kpis": suggested_kpis(q, _expression_context(data, result), locale),
        "cost": cost_section(q, data.answers),
        "conclusion": text(q.report.conclusion),
        "consultant": {
            "name": branding.consultant_name,
            "credentials": branding.consultant_credentials.get(locale, ""),
        },
        "call_to_action": _call_to_action(q, branding, text, data.booking_page),
    }


def _call_to_action(
    q: Questionnaire, branding: Branding, text: Any, own_page: str
) -> dict[str, Any] | None:
    """The offer of a call, its address and the QR code of that address."""
    found = call_to_action(q, branding.booking_url, text, own_page)
    if found is None:
        return None
    return {**found, "qr": qr_code(found["url"], _("QR code of %(url)s", url=found["url"]))}


def _area_level_text(category: Category, level: Level | None) -> Any:
    """What the report says of an area at its level: the category's own text, else the level's."""
    if level is None:
        return None
    own = (category.levels or {}).get(level.id)
    return own if own is not None else level.summary


def score_text(score: float | None) -> str:
    """A score as the report writes it: "62.5 / 100", or "not scored"."""
    return _("not scored") if score is None else f"{format_decimal(score, format='0.0')} / 100"


def _synthesis(
    result: StoredResult,
    categories: list[dict[str, Any]],
    challenge: str | None,
    focus: str | None,
) -> list[str]:
    """A few sentences: the challenge in the respondent's words, the strongest area and where
    to start."""
    # Quoted as given; the template escapes it like every other text.
    sentences = [_("You told us: “%(challenge)s”", challenge=challenge)] if challenge else []
    rows = {c["id"]: c for c in categories}
    scored = [rows[c.id] for c in result.weakest() if c.id in rows]
    if not scored:
        return [*sentences, _("Not enough answers were given to score your areas.")]
    strongest = scored[-1]
    # Where to start: the area whose gap weighs most on the overall score, as the action plan
    # ranks its advice, so the synthesis, the priorities and the call agree.
    weakest = rows.get(focus or "", scored[0])
    if strongest["score"] >= STRENGTH_FROM:
        sentences.append(
            _(
                "Your strongest area is %(area)s (%(score)s): build on it.",
                area=strongest["label"],
                score=strongest["score_text"],
            )
        )
    else:
        sentences.append(
            _(
                "Your best area is %(area)s (%(score)s): still below %(strength)s, "
                "it is not yet a strength to build on.",
                area=strongest["label"],
                score=strongest["score_text"],
                strength=f"{format_decimal(STRENGTH_FROM, format='0')} / 100",
            )
        )
    if weakest is not strongest:
        sentences.append(
            _(
                "The most room for progress is in %(area)s (%(score)s): this is where to start.",
                area=weakest["label"],
                score=weakest["score_text"],
            )
        )
    fragile = [c["label"] for c in scored if c["score"] < 40]
    if len(fragile) >= 2:
        sentences.append(
            _(
                "%(count)d areas are below 40 / 100: %(areas)s.",
                count=len(fragile),
                areas=", ".join(fragile),
            )
        )
    return sentences


def _outcomes(q: Questionnaire, result: StoredResult, locale: str) -> list[dict[str, str]]:
    texts = {o["id"]: o.get("text") or {} for o in result.explanation.get("outcomes", [])}
    found = []
    for outcome in q.outcomes:
        stored = result.outcomes.get(outcome.id)
        if stored is None:
            continue
        found.append(
            {
                "title": q.text(outcome.label, locale),
                "label": localized(stored.label, locale),
                "text": localized(texts.get(outcome.id), locale),
            }
        )
    return found


def _category_sections(
    q: Questionnaire,
    result: StoredResult,
    categories: list[dict[str, Any]],
    recommendations: list[dict[str, Any]],
    locale: str,
) -> list[dict[str, Any]]:
    explained = [e for e in result.explanation["questions"] if e.get("shown")]
    sections = []
    for category in categories:
        scored = [
            e for e in explained if e.get("category") == category["id"] and e.get("possible", 0) > 0
        ]
        # Each answer on one side only: a strength when it earns more than half its points,
        # a gap otherwise ("written but not shared" is not praised and criticised at once).
        strengths = sorted(
            (e for e in scored if _earns_most(e)), key=lambda e: -e["earned"] / e["possible"]
        )
        gaps = sorted(
            (e for e in scored if not _earns_most(e)),
            key=lambda e: -(e["possible"] - e["earned"]),
        )
        sections.append(
            {
                **category,
                "strengths": [_answer_row(q, e, locale) for e in strengths[:STRENGTHS_PER_AREA]],
                "gaps": [_answer_row(q, e, locale) for e in gaps[:ANSWERS_PER_SIDE]],
                "recommendations": [r for r in recommendations if r["category"] == category["id"]],
            }
        )
    return sections


def _earns_most(explained: dict[str, Any]) -> bool:
    """Whether an answer earned more than half the points its question offers."""
    return bool(2 * explained["earned"] > explained["possible"])


def _answer_row(q: Questionnaire, explained: dict[str, Any], locale: str) -> dict[str, Any]:
    question = q.questions_by_id.get(explained["id"])
    return {
        "question": q.text(question.label, locale) if question else explained["id"],
        "answer": describe_answer(q, question, explained.get("answer"), locale),
        "points": f"{format_decimal(explained['earned'], format='0.#')} / "
        f"{format_decimal(explained['possible'], format='0.#')}",
    }


def _expression_context(data: ReportInput, result: StoredResult) -> dict[str, Any]:
    return {
        "answers": {
            e["id"]: e.get("answer") if e.get("shown") else None
            for e in result.explanation["questions"]
        },
        "scores": {cid: c.score for cid, c in result.categories.items()},
        "levels": {cid: c.level for cid, c in result.categories.items()},
        "overall": result.overall,
        "level": result.level,
        "contact": expression_contact(data.contact),
    }


def render_report_html(report: dict[str, Any], *, linked_stylesheet: bool = True) -> str:
    """The report's HTML, in its language (needs an app context).

    With its style sheet linked (and the brand's colours inline) it stands alone in a browser;
    without, for `print_report`, which gives WeasyPrint the style sheet already parsed.
    """
    with force_locale(report["locale"]):
        return render_template("report/report.html", r=report, linked_stylesheet=linked_stylesheet)


def print_report(report: dict[str, Any], static_folder: str) -> bytes:
    """The report's PDF: its HTML printed with the report's style sheet parsed once per thread."""
    # Imported here: only the worker prints, and WeasyPrint costs the web processes memory.
    from assess.report.pdf import html_to_pdf, report_stylesheet

    brand: Branding = report["brand"]
    sheet = report_stylesheet(static_folder, brand.primary_color, brand.accent_color)
    return html_to_pdf(render_report_html(report, linked_stylesheet=False), static_folder, sheet)


def render_report_pdf(q: Questionnaire, data: ReportInput) -> bytes:
    """Build, lay out and print the report of a submission (needs an app context)."""
    report = build_report(q, data, branding_from_config(current_app.config))
    return print_report(report, current_app.static_folder or "static")
