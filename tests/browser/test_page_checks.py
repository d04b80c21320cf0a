"""The page checks can fail: axe-core and the sideways-scroll check see a broken page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.page_checks import PHONE, PageChecks, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_axe_reports_an_image_without_text(page: Page, page_checks: PageChecks) -> None:
    page.set_content(
        '<html lang="fr"><body><main><h1>x</h1><img src="data:,"></main></body></html>'
    )
    assert "image-alt" in {v["id"] for v in page_checks.violations(page)}


def test_a_page_wider_than_a_phone_is_caught(page: Page) -> None:
    page.set_viewport_size({"width": PHONE, "height": 700})
    page.set_content('<html lang="fr"><body><div style="width: 900px">large</div></body></html>')
    with pytest.raises(AssertionError, match="px of content in a 375 px window"):
        assert_no_horizontal_scroll(page, "wide")
