"""Settings: each declared once and parsed from any source; one that cannot be used stops the
app at start-up; the docs' table is the declaration's."""

from __future__ import annotations

import pytest
from flask import Flask

from assess.config import (
    DEFAULTS,
    SETTINGS,
    load_config,
    setting_problems,
    settings_table,
    with_settings_table,
)
from tests.helpers.paths import ROOT, SHIPPED

INJECTION = "red; } body { background: url(https://evil.example/x) } a {"


@pytest.mark.parametrize("setting", ["BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"])
def test_a_brand_colour_that_is_not_a_colour_stops_the_app_naming_the_setting(
    make_app, capsys, setting
):
    with pytest.raises(SystemExit):
        make_app(SHIPPED, **{setting: INJECTION})
    errors = capsys.readouterr().err
    assert f"configuration: {setting} must be a colour written #rgb or #rrggbb" in errors
    assert "Traceback" not in errors


@pytest.mark.parametrize("colour", ["#1f5fa8", "#1F5FA8", "#abc"])
def test_colours_written_as_hex_are_accepted(colour):
    settings = {"BRAND_PRIMARY_COLOR": colour, "BRAND_ACCENT_COLOR": "#e07a1f"}
    assert setting_problems(settings) == []


@pytest.mark.parametrize("colour", ["", "1f5fa8", "#1f5fa", "#ggg", "blue", "#1f5fa8;", " #abc"])
def test_anything_else_is_a_problem(colour):
    settings = {"BRAND_PRIMARY_COLOR": colour, "BRAND_ACCENT_COLOR": "#e07a1f"}
    [problem] = setting_problems(settings)
    assert problem.startswith("BRAND_PRIMARY_COLOR must be a colour")


def _loaded(tmp_path, overrides=None):
    """A bare app's config after load_config, and the errors reported (none stops it here)."""
    app = Flask(__name__, instance_path=str(tmp_path))
    errors: list[str] = []
    given = {"SECRET_KEY": "k", "DATABASE_URL": "sqlite://", **(overrides or {})}
    load_config(app, given, on_error=errors.append)
    return app.config, errors


def test_every_default_is_what_its_parser_makes_of_it():
    assert len({setting.name for setting in SETTINGS}) == len(SETTINGS)
    for setting in SETTINGS:
        assert setting.parse(setting.default) is not None, setting.name
        assert "\n" not in setting.help and setting.help.strip(), setting.name


def test_values_from_the_environment_get_the_declared_types(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_PORT", " 2525 ")
    monkeypatch.setenv("SMTP_TIMEOUT", "2.5")
    monkeypatch.setenv("LOG_JSON", "Yes")
    monkeypatch.setenv("RATELIMIT_ENABLED", "off")
    monkeypatch.setenv("LANGUAGES", "en, fr")
    monkeypatch.setenv("SMTP_SECURITY", "STARTTLS")
    config, errors = _loaded(tmp_path)
    assert errors == []
    assert config["SMTP_PORT"] == 2525
    assert config["SMTP_TIMEOUT"] == 2.5
    assert config["LOG_JSON"] is True
    assert config["RATELIMIT_ENABLED"] is False
    assert config["LANGUAGES"] == ["en", "fr"]
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert config["SMTP_SECURITY"] == "starttls"


def test_overrides_go_through_the_same_parsers(tmp_path):
    config, errors = _loaded(
        tmp_path, {"SMTP_PORT": "2525", "RATELIMIT_ENABLED": "false", "DELIVERY_MAX_ATTEMPTS": 3}
    )
    assert errors == []
    assert config["SMTP_PORT"] == 2525
    assert config["RATELIMIT_ENABLED"] is False
    assert config["DELIVERY_MAX_ATTEMPTS"] == 3


def test_the_app_holds_every_setting_as_its_parser_makes_it(app):
    for setting in SETTINGS:
        value = app.config[setting.name]
        assert setting.parse(value) == value, setting.name
        assert type(setting.parse(value)) is type(value), setting.name


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number, not 'twenty-five'"),
        ("SMTP_PORT", "25.5", "SMTP_PORT must be a whole number, not '25.5'"),
        ("SMTP_TIMEOUT", "soon", "SMTP_TIMEOUT must be a number, not 'soon'"),
        ("SMTP_TIMEOUT", "inf", "SMTP_TIMEOUT must be a number, not 'inf'"),
        ("LOG_JSON", "maybe", "LOG_JSON must be true or false"),
        ("SMTP_SECURITY", "tls", 'SMTP_SECURITY must be "none", "starttls" or "ssl"'),
        ("LANGUAGES", " , ", "LANGUAGES must be language codes separated by commas"),
    ],
)
def test_a_bad_value_in_the_environment_is_reported_naming_the_setting(
    tmp_path, monkeypatch, name, value, message
):
    monkeypatch.setenv(name, value)
    config, errors = _loaded(tmp_path)
    [error] = errors
    assert error.startswith(f"configuration: {message}")
    assert config[name] == next(s for s in SETTINGS if s.name == name).parse(DEFAULTS[name]), (
        "a refused value leaves the default"
    )


def test_every_bad_value_is_reported_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "x")
    monkeypatch.setenv("PROXY_COUNT", "one")
    _config, [error] = _loaded(tmp_path, {"BRAND_ACCENT_COLOR": "orange"})
    assert error.splitlines() == [
        "configuration: BRAND_ACCENT_COLOR must be a colour written #rgb or #rrggbb, not 'orange'",
        "configuration: SMTP_PORT must be a whole number, not 'x'",
        "configuration: PROXY_COUNT must be a whole number, not 'one'",
    ]


def test_a_bad_value_in_the_environment_stops_the_app_without_a_traceback(
    make_app, capsys, monkeypatch
):
    monkeypatch.setenv("SMTP_PORT", "smtp")
    with pytest.raises(SystemExit):
        make_app(SHIPPED, CONSENT_TEXT_VERSION="bad-environment")
    errors = capsys.readouterr().err
    assert "configuration: SMTP_PORT must be a whole number, not 'smtp'" in errors
    assert "Traceback" not in errors


def test_a_refused_secret_is_not_repeated_in_the_message(tmp_path):
    _config, [error] = _loaded(tmp_path, {"WEBHOOK_SECRET": 12345})
    assert error == "configuration: WEBHOOK_SECRET must be text, not (hidden)"


def test_the_settings_table_shows_no_secret_and_every_setting():
    table = settings_table()
    for setting in SETTINGS:
        [row] = [line for line in table.splitlines() if line.startswith(f"| `{setting.name}` |")]
        if setting.secret:
            assert row.split(" | ")[1] == "(secret)"
    assert "`DC Pilot <diagnostic@example.com>`" in table
    assert "| `LOG_JSON` | false |" in table


def test_the_settings_table_in_the_docs_is_the_declared_one():
    docs = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert with_settings_table(docs) == docs, (
        "docs/operations.md: the settings table differs from assess/config/settings.py; "
        "run bin/settings-table to regenerate it"
    )
