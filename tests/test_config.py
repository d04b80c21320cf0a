"""Settings that would reach a page or the report unchecked stop the app at start-up."""

from __future__ import annotations

import pytest

from assess.config import setting_problems
from tests.helpers.paths import SHIPPED

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
