"""The respondent's journey without JavaScript, and in English on a phone-sized window."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from assess.core.questionnaire import Questionnaire
from tests.browser.page_checks import PHONE, PageChecks, assert_no_horizontal_scroll
from tests.browser.wizard_pages import (
    REPORT_LINK,
    assert_is_the_report,
    contact_answers,
    fill_visible_questions,
    journey_answers,
    step_id,
    wait_for_report_link,
)
from tests.helpers.wizard_driver import CONTACT, questionnaire

pytestmark = pytest.mark.browser

NEXT_BUTTON = 'button[name="nav"][value="next"]'


@pytest.fixture
def q(live_app: Flask) -> Questionnaire:
    return questionnaire(live_app)


def test_without_javascript_the_server_applies_show_if_and_focuses_the_errors(
    browser: Browser,
    browser_context_args: dict[str, Any],
    report_worker: Any,
    page_checks: PageChecks,
    q: Questionnaire,
) -> None:
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    # axe-core needs timers, which a no-script page does not run: it audits a copy there
    scratch = browser.new_context(**browser_context_args).new_page()
    posted = {**journey_answers(q), "has_sales_team": "no"}
    page.goto("/")
    page.get_by_role("button", name="Commencer le diagnostic").click()

    page.locator(NEXT_BUTTON).click()
    expect(page.locator("#error-summary")).to_be_visible()
    # autofocus applies at the next rendering update: wait for it rather than read it at once
    expect(page.locator("#error-summary"), "autofocus works without the script").to_be_focused()
    page_checks.check(page, "no script: errors", "fr", axe_in=scratch)

    visited: list[str] = []
    while step_id(page) != "contact":
        here = step_id(page)
        problems = page.locator("#error-summary").all_inner_texts()
        assert here not in visited, f"{here} again: {problems}"
        hidden_before = page.locator(".question[hidden]").count()
        fill_visible_questions(page, posted)
        page.locator(NEXT_BUTTON).click()
        if step_id(page) == here:  # the answers revealed a question: it is asked now
            assert page.locator(".question[hidden]").count() < hidden_before, here
            expect(page.locator("#error-summary")).to_be_visible()
            page_checks.check(page, f"no script: {here} revealed", "fr", axe_in=scratch)
            fill_visible_questions(page, posted)
            page.locator(NEXT_BUTTON).click()
        visited.append(here)
    assert "equipe_commerciale" not in visited, "no sales team: its section is skipped"
    assert "patrimoine_clients" in visited

    for name, value in contact_answers().items():
        field = page.locator(f'[name="{name}"]')
        if name == "consent":
            field.check()
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator(NEXT_BUTTON).click()
    page_checks.check(page, "no script: results", "fr", axe_in=scratch)
    wait_for_report_link(page, scripts=False)
    with page.expect_download() as download:
        page.locator(REPORT_LINK).click()
    assert_is_the_report(download.value.path().read_bytes(), CONTACT["company"])
    scratch.context.close()
    context.close()


def test_in_english_on_a_phone_nothing_scrolls_sideways(
    browser: Browser,
    browser_context_args: dict[str, Any],
    page_checks: PageChecks,
    q: Questionnaire,
) -> None:
    phone = {**browser_context_args, "viewport": {"width": PHONE, "height": 740}}
    context = browser.new_context(**phone, is_mobile=True, has_touch=True)
    page: Page = context.new_page()
    posted = journey_answers(q)
    page.goto("/")
    page.get_by_role("link", name="English").click()
    page_checks.check(page, "landing", "en")
    page.get_by_role("button", name="Start the diagnostic").click()
    seen: list[str] = []
    while step_id(page) != "contact":
        assert step_id(page) not in seen, page.locator("#error-summary").all_inner_texts()
        seen.append(step_id(page))
        page_checks.check(page, f"step {step_id(page)}", "en")
        fill_visible_questions(page, posted)
        page.wait_for_selector("form.step-form:not([aria-busy])", state="attached")
        page.locator(NEXT_BUTTON).click()
    page.locator(NEXT_BUTTON).click()  # nothing filled: the errors, in English
    expect(page.locator("#error-summary h2")).to_contain_text("problems to fix")
    page_checks.check(page, "contact with errors", "en")
    for name, value in contact_answers().items():
        field = page.locator(f'[name="{name}"]')
        if name == "consent":
            field.check()
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator(NEXT_BUTTON).click()
    expect(page.locator("h1")).to_contain_text("Overall score")
    assert_no_horizontal_scroll(page, "results")
    page_checks.check(page, "results", "en")
    context.close()
