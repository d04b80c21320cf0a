"""A respondent completes the shipped diagnostic in Chromium with the keyboard only.

Tab, Space, the arrow keys and Enter: a failed first post, live show_if, a step
back, leaving and coming back by the resume link on a fresh browser context, the
results with their chart, and the PDF report downloaded.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from assess.core.questionnaire import Questionnaire
from tests.browser.page_checks import PageChecks, assert_focus_visible
from tests.browser.wizard_pages import (
    BACK,
    NEXT,
    REPORT_LINK,
    answer_by_keyboard,
    assert_is_the_report,
    contact_answers,
    focused,
    journey_answers,
    press_enter_and_wait,
    step_id,
    tab_until,
    wait_for_report_link,
)
from tests.helpers.wizard_driver import CONTACT, questionnaire

pytestmark = pytest.mark.browser

LIVE_STEP, LIVE_SWITCH, LIVE_QUESTION = "patrimoine_clients", "retention_known", "retention_rate"
STEP_TO_REVISIT = 3
STEPS_BEFORE_LEAVING = 4


@pytest.fixture
def q(live_app: Flask) -> Questionnaire:
    return questionnaire(live_app)


def test_a_respondent_completes_the_diagnostic_with_the_keyboard_only(
    page: Page,
    browser: Browser,
    browser_context_args: dict[str, Any],
    report_worker: Any,
    page_checks: PageChecks,
    q: Questionnaire,
) -> None:
    posted = journey_answers(q)
    page.goto("/")
    page_checks.check(page, "landing", "fr")
    page.keyboard.press("Tab")
    assert "skip-link" in focused(page)["classes"], "the first Tab reaches the skip link"
    assert_focus_visible(page)
    tab_until(page, {"tag": "button"})
    assert_focus_visible(page)
    press_enter_and_wait(page)

    checked = {step_id(page)}
    page_checks.check(page, f"step {step_id(page)}", "fr")
    expect(page.locator(".optional").first).to_have_text("(facultatif)")
    _a_failed_post_keeps_what_was_typed(page, page_checks)
    visited: list[str] = []
    while step_id(page) != "contact":
        visited.append(step_id(page))
        if step_id(page) not in checked:
            checked.add(step_id(page))
            page_checks.check(page, f"step {step_id(page)}", "fr")
        answer_by_keyboard(page, posted, stop=NEXT)
        if step_id(page) == LIVE_STEP:
            _show_if_answers_live(page)
        assert_focus_visible(page)
        press_enter_and_wait(page)
        if len(visited) == STEP_TO_REVISIT:
            _go_back_and_find_the_answers(page, visited[-1])
        if len(visited) == STEPS_BEFORE_LEAVING:
            page = _leave_and_resume(page, browser, browser_context_args, page_checks)
    assert len(visited) == len(q.sections), "every section shows when there is a sales team"

    _contact_step_by_keyboard(page, page_checks)
    page_checks.check(page, "results", "fr")
    expect(page.locator(".score-bars")).to_be_visible()
    assert page.locator(".score-bars li").count() == len(q.categories)
    expect(page.locator(".call-to-action").first).to_be_visible()
    wait_for_report_link(page)
    tab_until(page, {"tag": "a", "href": page.locator(REPORT_LINK).get_attribute("href")})
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert_is_the_report(download.value.path().read_bytes(), CONTACT["company"])


def _a_failed_post_keeps_what_was_typed(page: Page, page_checks: PageChecks) -> None:
    """Next with a bad number and a required answer missing: the summary takes the focus."""
    typed = {"new_customers_target": "beaucoup", "main_challenge": "Recruter deux commerciaux"}
    answer_by_keyboard(page, typed, stop=NEXT)
    press_enter_and_wait(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary, "the error summary has the focus").to_be_focused()
    assert summary.locator("a").count() >= 2  # the bad number and the missing answers
    expect(page.locator("#q-new_customers_target")).to_have_value("beaucoup")
    expect(page.locator("#q-main_challenge")).to_have_value("Recruter deux commerciaux")
    page_checks.check(page, "step with errors", "fr")
    page.locator("#error-summary").focus()


def _show_if_answers_live(page: Page) -> None:
    """The conditional question follows its switch at once, without posting the step."""
    question = page.locator(f'[data-question="{LIVE_QUESTION}"]')
    expect(question).to_be_visible()
    expect(question.locator("input")).to_have_value("80")
    tab_until(page, {"name": LIVE_SWITCH}, backwards=True)
    page.keyboard.press("ArrowDown")  # "no"
    expect(question).to_be_hidden()
    page.keyboard.press("ArrowUp")  # "yes" again
    expect(question).to_be_visible()
    expect(question.locator("input")).to_have_value("80")
    tab_until(page, NEXT)


def _go_back_and_find_the_answers(page: Page, previous: str) -> None:
    """Back shows the step just left with its answers; Next goes on."""
    tab_until(page, BACK)
    press_enter_and_wait(page)
    assert step_id(page) == previous
    assert page.locator("input:checked").count() > 0, "the answers given are still there"
    tab_until(page, NEXT)
    press_enter_and_wait(page)


def _leave_and_resume(
    page: Page, browser: Browser, context_args: dict[str, Any], page_checks: PageChecks
) -> Page:
    """Close the browser window, open the resume link in a fresh context: a page asks to
    continue here (a link preview moves nothing); its button, by keyboard: same step."""
    where = step_id(page)
    link = page.locator(".resume-link").input_value()
    page.close()
    fresh = browser.new_context(**context_args).new_page()
    fresh.goto(link)
    expect(fresh.locator("h1")).to_have_text("Poursuivre votre diagnostic ici")
    page_checks.check(fresh, "continue here", "fr")
    tab_until(fresh, {"tag": "button"})
    assert_focus_visible(fresh)
    press_enter_and_wait(fresh)
    assert step_id(fresh) == where, "the resume link comes back to the step left"
    return fresh


def _contact_step_by_keyboard(page: Page, page_checks: PageChecks) -> None:
    """A bad e-mail and a missing name are refused with what was typed kept; then accepted."""
    page_checks.check(page, "contact", "fr")
    answer_by_keyboard(page, contact_answers(email="claire.dubois@", last_name=""), stop=NEXT)
    press_enter_and_wait(page)
    expect(page.locator("#error-summary")).to_be_focused()  # waits for autofocus to apply
    expect(page.locator("#error-summary a")).to_have_count(2)
    expect(page.locator("#email")).to_have_value("claire.dubois@")
    expect(page.locator("#first_name")).to_have_value("Claire")
    page_checks.check(page, "contact with errors", "fr")
    page.locator("#error-summary").focus()
    answer_by_keyboard(page, contact_answers(), stop=NEXT)
    press_enter_and_wait(page)
    assert "/results/" in page.url
