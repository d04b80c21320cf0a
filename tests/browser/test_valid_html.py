"""Every page of the journeys, as the server sent it, passes the Nu HTML Checker.

The journey tests (which run before this module) saved each page; vnu.jar checks them
all in one Java call (its start-up costs seconds). A page known to be invalid goes in
the same call, so a checker that reports nothing cannot pass for a valid site.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.page_checks import PageChecks
from tests.helpers.paths import VNU

pytestmark = pytest.mark.browser

JOURNEYS = (
    "test_beyond.py",
    "test_respondent_keyboard.py",
    "test_respondent_variants.py",
    "test_consultant_journey.py",
)
KNOWN_INVALID = '<!doctype html><html lang="fr"><title>x</title><p><div>not in a p</p></html>'


def nu_checker_errors(files: list[Path]) -> list[dict[str, Any]]:
    """The errors vnu.jar reports on these files (one Java run)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages: list[dict[str, Any]] = json.loads(result.stderr)["messages"]
    return [m for m in messages if m.get("type") in {"error", "non-document-error"}]


def test_every_page_of_the_journeys_is_valid_html(
    request: pytest.FixtureRequest, page_checks: PageChecks, tmp_path: Path
) -> None:
    if not any(item.path.name in JOURNEYS for item in request.session.items):
        pytest.skip("this checks the pages the journey tests save: run them too (tests/browser)")
    assert page_checks.saved_html, "the journeys saved no page"
    invalid = tmp_path / "known-invalid.html"
    invalid.write_text(KNOWN_INVALID, encoding="utf-8")
    errors = nu_checker_errors([*page_checks.saved_html, invalid])
    assert any(e.get("url", "").endswith("known-invalid.html") for e in errors), "vnu is silent"
    on_pages = [e for e in errors if not e.get("url", "").endswith("known-invalid.html")]
    assert not on_pages, "\n".join(
        f"{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e['message']} ({e.get('extract')})"
        for e in on_pages
    )
