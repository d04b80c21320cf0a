"""What every page of the journeys must pass, and the evidence kept in test-output/.

For each page: `lang` on <html>, exactly one h1, a skip link to the main content,
no horizontal scrolling at 375 px, no axe-core violation of impact serious or
critical. Its HTML, as the live server sent it, is saved for the Nu HTML Checker;
screenshots are taken at 375 and 1280 px.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page

PHONE, LAPTOP = 375, 1280
BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    shadow: style.boxShadow !== "none",
  };
}"""


@dataclass
class PageChecks:
    """Runs the checks on a page and records where its HTML and screenshots went."""

    folder: Path
    axe_source: str
    served: dict[str, str] = field(default_factory=dict)  # address -> the last HTML sent there
    saved_html: list[Path] = field(default_factory=list)

    def check(self, page: Page, name: str, lang: str, *, axe_in: Page | None = None) -> None:
        """Every check of a journey page; `name` names its files in test-output/.

        `axe_in`: a page of a context with JavaScript, where axe-core runs on a copy of
        a page whose own context has none (axe needs timers): the same HTML, at the same
        address, with its scripts blocked.
        """
        stem = f"{len(self.saved_html) + 1:02d}-{lang}-{re.sub(r'[^a-z0-9]+', '-', name)}"
        assert page.get_attribute("html", "lang") == lang, f"{name}: <html lang> is not {lang}"
        assert page.locator("h1").count() == 1, f"{name}: a page has exactly one h1"
        skip = page.locator("a.skip-link").first
        assert skip.get_attribute("href") == "#main" and page.locator("#main").count() == 1
        html = self._save_html(page, stem)
        audited = page if axe_in is None else _copy_without_scripts(axe_in, page.url, html)
        assert audited.locator("h1").inner_text() == page.locator("h1").inner_text()
        blocking = self.violations(audited)
        assert not blocking, f"{name} ({lang}): axe-core found\n" + "\n".join(
            f"  {v['impact']}: {v['id']} ({v['help']}) at {v['targets']}" for v in blocking
        )
        self._screenshots(page, stem)

    def violations(self, page: Page) -> list[dict[str, Any]]:
        """The axe-core violations of impact serious or critical on the page as it is now."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
        return [v for v in found if v["impact"] in BLOCKING_IMPACTS]

    def _save_html(self, page: Page, stem: str) -> str:
        """The page as the server sent it (not as scripts changed it), for the HTML checker."""
        address = urlsplit(page.url)
        html = self.served.get(address.path + (f"?{address.query}" if address.query else ""))
        assert html is not None, f"the server sent no HTML for {page.url}"
        path = self.folder / "html" / f"{stem}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.saved_html.append(path)
        return html

    def _screenshots(self, page: Page, stem: str) -> None:
        viewport = page.viewport_size or {"width": LAPTOP, "height": 800}
        for width in (PHONE, LAPTOP):
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            if width == PHONE:
                assert_no_horizontal_scroll(page, stem)
            page.screenshot(path=self.folder / "screens" / f"{stem}-{width}.png", full_page=True)
        page.set_viewport_size(viewport)


def _copy_without_scripts(scratch: Page, url: str, html: str) -> Page:
    """Show `html` at `url` in the scratch page, its stylesheets loaded, its scripts blocked."""
    scratch.route("**/*.js", lambda route: route.abort())
    scratch.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    scratch.goto(url)
    scratch.unroute_all()
    return scratch


def assert_no_horizontal_scroll(page: Page, name: str) -> None:
    """Nothing is wider than the window: no sideways scrolling on a phone."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name}: {widths[0]} px of content in a {widths[1]} px window"


def assert_focus_visible(page: Page) -> dict[str, Any]:
    """The focused element shows a visible outline (or ring); returns what it is."""
    focused: dict[str, Any] | None = page.evaluate(FOCUS_STYLE)
    assert focused is not None, "nothing has the focus"
    assert focused["outline"] >= 2 or focused["shadow"], f"focus is not visible on {focused}"
    return focused
