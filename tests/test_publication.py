"""What the public sees of the consultancy: the call to action (the settings may give its
address), and in production no placeholder: the app refuses to start, naming each one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from assess.core.answers import validate_answers
from assess.core.scoring import score
from assess.core.web_address import is_placeholder
from assess.db.questionnaire_store import current_questionnaire
from assess.report.content import ReportInput, branding_from_config, build_report
from assess.report.publication import call_to_action, photo_problems
from tests.helpers.database import empty_tables
from tests.helpers.paths import MINIMAL, ROOT, SHIPPED
from tests.helpers.personas import persona
from tests.helpers.production import FILLED_IN
from tests.helpers.questionnaires import variant
from tests.helpers.wizard_driver import complete, questionnaire

MINIMAL_ACTION = (
    '  call_to_action: {label: "Prendre rendez-vous", url: "https://example.com/rdv"}\n'
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "https://www.example.com/contact",
        "https://example.org",
        "http://rdv.example.net/x",
        "contact@example.com · +33 1 23 45 67 89",
        "Écrivez à jean@EXAMPLE.COM",
    ],
)
def test_placeholders_are_empty_or_at_a_documentation_domain(text):
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://rendez-vous.cabinet-martin.fr/",
        "contact@cabinet-martin.fr · +33 4 72 00 00 00",
        "https://www.myexample.com/",
        "https://example.company.fr/",
    ],
)
def test_a_real_address_or_contact_line_is_not_a_placeholder(text):
    assert not is_placeholder(text)


def test_production_with_the_shipped_placeholders_refuses_to_start_naming_each(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(SHIPPED, APP_ENV="production")
    errors = capsys.readouterr().err
    assert "Traceback" not in errors
    lines = errors.strip().splitlines()
    for name in ("BRAND_CONTACT", "LEGAL_NOTICE_URL", "PRIVACY_POLICY_URL"):
        [line] = [line for line in lines if line.startswith(f"configuration: {name}:")]
        assert line.endswith("(APP_ENV=production)")
    # Without CALL_TO_ACTION_URL the call to action leads to the built-in booking page.
    assert "CALL_TO_ACTION_URL" not in errors


def test_production_refuses_a_placeholder_call_to_action_setting(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(
            SHIPPED,
            APP_ENV="production",
            **{**FILLED_IN, "CALL_TO_ACTION_URL": "https://www.example.com/contact"},
        )
    errors = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in errors] == ["CALL_TO_ACTION_URL"]


def test_production_with_everything_filled_in_starts(make_app):
    app = make_app(SHIPPED, APP_ENV="production", **FILLED_IN)
    assert app.config["CALL_TO_ACTION_URL"] == FILLED_IN["CALL_TO_ACTION_URL"]


@pytest.mark.parametrize("name", sorted(set(FILLED_IN) - {"CALL_TO_ACTION_URL"}))
def test_production_refuses_each_placeholder_on_its_own(make_app, capsys, name):
    placeholder = "" if name != "BRAND_CONTACT" else "contact@example.org"
    with pytest.raises(SystemExit):
        make_app(SHIPPED, APP_ENV="production", **{**FILLED_IN, name: placeholder})
    errors = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in errors] == [name]


def test_development_keeps_working_with_the_placeholders(make_app):
    app = make_app(SHIPPED, APP_ENV="development")
    assert app.test_client().get("/").status_code == 200


def test_a_questionnaires_own_real_address_is_enough(make_app, tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace(
        MINIMAL_ACTION,
        '  call_to_action: {label: "Réserver", url: "https://rdv.cabinet-martin.fr/"}\n',
    )
    path = tmp_path / "real_address.yaml"
    path.write_text(text, encoding="utf-8")
    settings = {**FILLED_IN, "CALL_TO_ACTION_URL": ""}
    app = make_app(path, APP_ENV="production", **settings)
    assert app.test_client().get("/", base_url="https://localhost").status_code == 200


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "mailto:contact@cabinet.fr", "www.cabinet.fr", "https://"]
)
def test_a_call_to_action_setting_that_is_not_a_web_address_stops_the_app(
    make_app, capsys, address
):
    with pytest.raises(SystemExit):
        make_app(SHIPPED, CALL_TO_ACTION_URL=address)
    errors = capsys.readouterr().err
    assert "configuration: CALL_TO_ACTION_URL must be an address starting with https://" in errors


def test_the_setting_replaces_the_questionnaires_address_in_the_report(make_app):
    booking = "https://rendez-vous.cabinet-martin.fr/30-minutes"
    app = make_app(SHIPPED, CALL_TO_ACTION_URL=booking)
    data = persona("pme_industrielle")
    with app.app_context():
        q = current_questionnaire()
        answers = validate_answers(q, data["answers"], data["contact"])
        result = score(q, answers, data["contact"]).as_json()
        when = datetime(2026, 3, 2, 12, tzinfo=UTC)
        data = ReportInput(answers, result, data["contact"], "fr", when)
        report = build_report(q, data, branding_from_config(app.config))
        assert q.report.call_to_action is not None
    found = report["call_to_action"]
    assert {key: found[key] for key in ("label", "url")} == {
        "label": q.text(q.report.call_to_action.label, "fr"),
        "url": booking,
    }
    assert f'aria-label="QR code de {booking}"' in found["qr"]  # the QR code leads there too


def test_without_a_call_to_action_in_the_file_the_setting_gives_one(app, tmp_path):
    q = variant(tmp_path, (MINIMAL_ACTION, ""))
    with app.app_context():
        assert call_to_action(q, "", str) is None
        with force_locale("fr"):
            found = call_to_action(q, "https://rdv.cabinet-martin.fr/", str)
        with force_locale("en"):
            english = call_to_action(q, "https://rdv.cabinet-martin.fr/", str)
    assert found == {
        "label": "Prendre rendez-vous avec nous",
        "url": "https://rdv.cabinet-martin.fr/",
    }
    assert english is not None and english["label"] == "Book a call with us"


@pytest.mark.parametrize("photo", ["img/nobody.jpg", "../pyproject.toml", "/etc/hostname", "css"])
def test_a_photo_that_is_not_a_file_under_static_is_refused(photo):
    config = {"CONSULTANT_PHOTO": photo}
    [problem] = photo_problems(config, ROOT / "static")
    assert problem.startswith(f"configuration: CONSULTANT_PHOTO {photo!r} is not a file under")


def test_a_photo_under_static_is_accepted_and_none_is_fine():
    assert photo_problems({"CONSULTANT_PHOTO": "favicon.svg"}, ROOT / "static") == []
    assert photo_problems({"CONSULTANT_PHOTO": ""}, Path("/nowhere")) == []


def test_the_results_page_leads_to_the_same_booking_page(make_app):
    booking = "https://rendez-vous.cabinet-martin.fr/30-minutes"
    app = make_app(SHIPPED, CALL_TO_ACTION_URL=booking)
    data = persona("pme_industrielle")
    try:
        results, _ = complete(
            app.test_client(), questionnaire(app), data["answers"], data["contact"]
        )
        page = results.get_data(as_text=True)
        assert page.count(f'href="{booking}"') == 2  # under the score, after the priorities
        assert "www.example.com/contact" not in page
    finally:
        empty_tables(app)


def test_production_never_falls_back_to_the_shipped_placeholder_address(make_app):
    """Built-in booking (no CALL_TO_ACTION_URL) before any consultant set hours: the
    questionnaire's example.com address is shown in development, never in production."""
    filled = {**FILLED_IN, "CALL_TO_ACTION_URL": ""}
    for env, expected in (("development", "https://www.example.com/contact"), ("production", "")):
        app = make_app(SHIPPED, APP_ENV=env, **filled)
        with app.app_context():
            q = current_questionnaire()
            assert is_placeholder(q.report.call_to_action.url)
            found = call_to_action(q, "", str)
            assert (found["url"] if found else "") == expected, env
