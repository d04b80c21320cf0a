"""Answer the wizard's steps in a real browser: with the keyboard only, or by pointer.

The keyboard driver presses Tab and reads which element has the focus, then answers
it with Space, the arrow keys or typing, the way a keyboard user does; it never clicks.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pypdf
from playwright.sync_api import Page, expect

from assess.core.questionnaire import Questionnaire
from tests.helpers.wizard_driver import CONTACT, plausible_answers

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), name: el.getAttribute("name"),
    value: el.value === undefined ? null : el.value, checked: !!el.checked, id: el.id,
    text: (el.textContent || "").trim(), href: el.getAttribute("href"),
    classes: el.className || "",
  };
}"""

RADIO_VALUES = """(name) => Array.from(document.getElementsByName(name)).map((r) => r.value)"""
OPTION_VALUES = """() => Array.from(document.activeElement.options).map((o) => o.value)"""
IDLE_FORM = "form.step-form:not([aria-busy])"
MAX_TABS = 200
REPORT_LINK = 'a[href$="/report.pdf"]'
NEXT = {"name": "nav", "value": "next"}
BACK = {"name": "nav", "value": "back"}


def form_answers(q: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as the form posts them: booleans yes/no, choices as lists, numbers as text."""
    posted: dict[str, Any] = {}
    for question in q.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if question.type == "boolean":
            posted[question.id] = "yes" if value else "no"
        elif question.type == "multiple":
            posted[question.id] = [str(v) for v in value]
        else:
            posted[question.id] = str(value)
    return posted


def focused(page: Page) -> dict[str, Any] | None:
    """What has the keyboard focus."""
    found: dict[str, Any] | None = page.evaluate(FOCUSED)
    return found


def tab_until(page: Page, wanted: dict[str, Any], backwards: bool = False) -> dict[str, Any]:
    """Press Tab until the focused element has every property of `wanted`."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now and all(now.get(key) == value for key, value in wanted.items()):
            return now
    raise AssertionError(f"Tab never reached {wanted}")


def answer_by_keyboard(page: Page, posted: dict[str, Any], stop: dict[str, Any]) -> set[str]:
    """Tab through the form answering each field found in `posted`, until `stop` has the focus.

    Radios: Space picks the focused one, arrows move the choice; checkboxes: Space;
    fields: typed. Returns the names answered.
    """
    answered: set[str] = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            continue
        if all(now.get(key) == value for key, value in stop.items()):
            return answered
        name = now["name"]
        if name not in posted:
            continue
        wanted = posted[name]
        if now["type"] == "radio" and name not in answered:
            _choose_radio(page, name, now["value"], wanted)
        elif now["type"] == "checkbox":
            if (now["value"] in wanted) != now["checked"]:
                page.keyboard.press("Space")
        elif now["tag"] == "select":
            _move(page, page.evaluate(OPTION_VALUES), now["value"], wanted)
        elif now["tag"] in {"input", "textarea"} and now["type"] not in {"radio", "checkbox"}:
            page.keyboard.press("Control+A")
            page.keyboard.type(str(wanted))
        answered.add(name)
        # a live show_if request may be on its way: wait until the form has applied it
        page.wait_for_selector(IDLE_FORM, state="attached")
    raise AssertionError(f"Tab never reached {stop}")


def _choose_radio(page: Page, name: str, current: str, wanted: str) -> None:
    page.keyboard.press("Space")
    _move(page, page.evaluate(RADIO_VALUES, name), current, wanted)


def _move(page: Page, values: list[str], current: str, wanted: str) -> None:
    """Arrow keys from the current choice of a radio group or a select to the wanted one."""
    moves = values.index(wanted) - values.index(current)
    for _ in range(abs(moves)):
        page.keyboard.press("ArrowDown" if moves > 0 else "ArrowUp")


def press_enter_and_wait(page: Page) -> None:
    """Press Enter on the focused button or link and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def fill_visible_questions(page: Page, posted: dict[str, Any]) -> None:
    """Answer by pointer every question shown on the step (no keyboard needed)."""
    names = page.locator(".question[data-question]").evaluate_all(
        "blocks => blocks.map((b) => b.dataset.question)"
    )
    for name in names:
        block = page.locator(f'.question[data-question="{name}"]')
        # an answer above may have just shown this question (live show_if)
        page.wait_for_selector(IDLE_FORM, state="attached")
        if name not in posted or not block.is_visible():
            continue
        wanted = posted[name]
        inputs = block.locator(f'[name="{name}"]')
        kind = inputs.first.get_attribute("type")
        if kind == "radio":
            block.locator(f'input[value="{wanted}"]').check()
        elif kind == "checkbox":
            for box in inputs.all():
                box.set_checked(box.get_attribute("value") in wanted)
        else:
            inputs.first.fill(str(wanted))


def step_id(page: Page) -> str:
    """The id of the wizard step the page shows ('' when not a step)."""
    path = page.url.split("?", 1)[0]
    return path.rsplit("/", 1)[-1] if "/step/" in path else ""


def wait_for_report_link(page: Page, timeout: float = 90, *, scripts: bool = True) -> None:
    """Wait until the page shows the link once the worker has rendered the PDF: without
    reloading (the results page's script polls the report's status and redraws its
    section), or, without scripts, following the section's refresh link as a visitor does."""
    if scripts:
        expect(page.locator(REPORT_LINK)).to_be_visible(timeout=timeout * 1000)
        return
    deadline = time.monotonic() + timeout
    while page.locator(REPORT_LINK).count() == 0:
        assert time.monotonic() < deadline, "the PDF report was never ready"
        page.wait_for_timeout(500)
        page.locator("#report .no-script-only a").click()


def assert_is_the_report(pdf: bytes, company: str) -> None:
    """A real PDF whose first page names the company."""
    assert pdf.startswith(b"%PDF"), pdf[:20]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert company in reader.pages[0].extract_text()


def journey_answers(q: Questionnaire) -> dict[str, Any]:
    """Every question answered, with a sales team and a known retention rate (show_if holds)."""
    answers = plausible_answers(q)
    answers.update(has_sales_team=True, retention_known=True, retention_rate=80)
    answers.update(new_customers_target=12, main_challenge="Recruter deux commerciaux")
    return form_answers(q, answers)


def contact_answers(**changes: str) -> dict[str, Any]:
    """The contact step as a browser posts it (consent ticked), with some fields changed."""
    posted: dict[str, Any] = {k: v for k, v in CONTACT.items() if k != "consent"}
    posted["consent"] = ["y"]
    posted.update(changes)
    return {k: v for k, v in posted.items() if v != ""}
