"""The languages' side of rendering (assess/i18n.py): French typography on every template
rendered in French and on no other, Paris time in the back office, and plurals that agree
with their number."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale
from markupsafe import escape

from assess.core.answers import AnswerError
from assess.core.typography import french
from assess.i18n import answer_message, format_moment, plural_count
from tests.helpers.backoffice_client import log_in
from tests.helpers.lead_records import make_lead
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    confirm_address,
    csrf_token,
    questionnaire,
    start,
)

N = "\u202f"  # the narrow no-break space of French typography


def question_labels(app: Flask, step_id: str, locale: str) -> list[str]:
    """The labels of a step's questions that end with a question mark, in one language."""
    q = questionnaire(app)
    [section] = [s for s in q.sections if s.id == step_id]
    return [
        question.label.get(locale, q.locale)
        for question in section.questions
        if "?" in question.label.get(locale, q.locale)
    ]


def test_a_french_step_page_keeps_each_question_mark_with_its_question(app: Flask) -> None:
    client = app.test_client()
    path = urlsplit(start(client).location).path
    labels = question_labels(app, path.rsplit("/", 1)[-1], "fr")
    assert labels, "the first step asks no question"
    # The first request renders the page around its holes, the second fills the kept frame.
    for _ in range(2):
        page = client.get(path).get_data(as_text=True)
        for label in labels:
            typeset = str(escape(french(label)))
            assert f"{N}?" in typeset and typeset in page
        assert 'name="csrf_token" value="' in page and "data-visibility-url=" in page


def test_an_english_page_gets_no_french_typography(app: Flask) -> None:
    client = app.test_client()
    client.get("/language/en")
    path = urlsplit(start(client).location).path
    page = client.get(path).get_data(as_text=True)
    labels = question_labels(app, path.rsplit("/", 1)[-1], "en")
    assert labels and all(str(escape(label)) in page for label in labels)
    assert f"{N}?" not in page and f"{N}:" not in page and f"{N}»" not in page


def test_only_french_html_and_text_templates_are_typeset(app: Flask) -> None:
    source = '<p title="Quoi ?">Quoi ? {{ x }}</p>'
    with app.test_request_context(), force_locale("fr"):
        # A template given as a string has no name, so no type: left as it is.
        assert render_template_string(source, x="70 %") == '<p title="Quoi ?">Quoi ? 70 %</p>'
        page = app.jinja_env.get_template("errors/error.html").render(
            code=404, title="Introuvable ?", text="Rien à 70 % !"
        )
    assert f"Introuvable{N}?" in page and f"70{N}%{N}!" in page


def test_the_team_form_gives_back_what_was_typed_as_it_was_typed(app: Flask) -> None:
    """What a textarea holds is posted again: typography never touches it."""
    data = persona("artisan_tpe")
    client = app.test_client()
    results, _ = complete(client, questionnaire(app), data["answers"], data["contact"])
    confirm_address(app, CONTACT["email"])
    token = results.request.path.rsplit("/", 1)[-1]
    page = client.get(f"/results/{token}/team")
    typed = "alice@example.com ; pas-une-adresse !"
    refused = client.post(
        f"/results/{token}/team", data={"emails": typed, "csrf_token": csrf_token(page)}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f">{typed}</textarea>" in html
    assert f"«{N}pas-une-adresse{N}»" in html  # the message about it is typeset


def test_the_back_office_gives_dates_and_times_in_paris_time(app: Flask) -> None:
    lead_id = make_lead(
        app,
        consent_at=datetime(2026, 12, 3, 13, 5, tzinfo=UTC),  # winter: UTC+1
        completed_at=datetime(2026, 7, 31, 22, 30, tzinfo=UTC),  # summer: 1 August in Paris
    )
    french_page = log_in(app).get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert f"3 décembre 2026 à 14{N}h{N}05" in french_page
    assert "2026-12-03" not in french_page and "UTC" not in french_page
    english = log_in(app, language="en").get(f"/backoffice/leads/{lead_id}")
    assert "3 December 2026 at 14:05" in english.get_data(as_text=True)
    leads = log_in(app).get("/backoffice/leads").get_data(as_text=True)
    assert "1 août 2026" in leads and "2026-07-31" not in leads


def test_a_moment_is_written_the_way_each_language_writes_it(app: Flask) -> None:
    summer = datetime(2026, 6, 1, 6, 7, 8, tzinfo=UTC)
    naive = datetime(2026, 6, 1, 6, 7, 8)  # as SQLite gives it back: UTC
    with app.app_context():
        with force_locale("fr"):
            assert format_moment(summer) == "1 juin 2026 à 8 h 07"
            assert format_moment(naive) == "1 juin 2026 à 8 h 07"
            assert format_moment(summer, "medium") == "1 juin 2026, 08:07:08"
            assert format_moment(None) == "–"
        with force_locale("en"):
            assert format_moment(summer) == "1 June 2026 at 08:07"


@pytest.mark.parametrize(
    ("locale", "value", "count"),
    [
        ("fr", 0, 1),
        ("fr", 1, 1),
        ("fr", 1.5, 1),
        ("fr", -1.5, 1),
        ("fr", 2, 2),
        ("fr", 4.5, 2),
        ("en", 0, 2),
        ("en", 1, 1),
        ("en", 1.0, 1),
        ("en", 1.5, 2),
        ("en", -1, 1),
    ],
)
def test_plural_count_follows_each_language_s_rule(
    app: Flask, locale: str, value: float, count: int
) -> None:
    with app.app_context(), force_locale(locale):
        assert plural_count(value) == count


def test_a_count_of_one_or_none_takes_the_singular_in_french(app: Flask) -> None:
    with app.app_context(), force_locale("fr"):
        assert answer_message(AnswerError("too_long", {"max_length": 1})) == (
            "Merci de ne pas dépasser 1 caractère."
        )
        assert answer_message(AnswerError("too_long", {"max_length": 200})) == (
            "Merci de ne pas dépasser 200 caractères."
        )
        singular = render_template_string(
            '{{ ngettext("Since your diagnostic of %(date)s: %(change)s point overall.", '
            '"Since your diagnostic of %(date)s: %(change)s points overall.", '
            "0|plural_count, date='1 mai', change=0|change) }}"
        )
    assert singular == "Depuis votre diagnostic du 1 mai : 0 point au score global."
    with app.app_context(), force_locale("en"):
        assert answer_message(AnswerError("too_long", {"max_length": 1})) == (
            "Please keep it to 1 character at most."
        )
