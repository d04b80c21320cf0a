"""What the public sees of the consultancy besides the questionnaire's texts: the call to
action (its booking address may come from the settings), the contact line, the legal
links and the consultant's photo; in production, no placeholder among them.

A lead magnet that sends executives to https://www.example.com, or gives them
contact@example.com to write to, loses the leads it was built for: with
`APP_ENV=production` the app does not start until each is filled in. Development and the
tests keep working with the shipped placeholders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _

from assess.core.questionnaire import Questionnaire
from assess.core.web_address import is_placeholder
from assess.db.questionnaire_store import current_questionnaire


def call_to_action_url(q: Questionnaire, booking_url: str, own_page: str = "") -> str:
    """Where the call to action leads: CALL_TO_ACTION_URL (an outside scheduler) when set,
    else the app's own booking page for this lead (`own_page`), else the questionnaire's
    `report.call_to_action.url`; empty when none is given. In production a placeholder
    there (the shipped example.com) is no destination: before a consultant sets hours, no
    call to action rather than a dead link (the start-up check cannot see hours to come)."""
    action = q.report.call_to_action
    fallback = action.url if action is not None else ""
    production = has_app_context() and current_app.config["APP_ENV"] == "production"
    if production and is_placeholder(fallback):
        fallback = ""
    return booking_url or own_page or fallback


def call_to_action(
    q: Questionnaire, booking_url: str, localize: Callable[[Any], str], own_page: str = ""
) -> dict[str, str] | None:
    """The call to action of the report and its e-mail, in the current language: the
    questionnaire's label (`localize` turns it into text), or a standard one when only the
    settings or the booking page give an address; None when there is no address."""
    url = call_to_action_url(q, booking_url, own_page)
    if not url:
        return None
    action = q.report.call_to_action
    label = localize(action.label) if action is not None else _("Book a call with us")
    return {"label": label, "url": url}


def placeholder_problems(config: Mapping[str, Any], q: Questionnaire) -> list[str]:
    """What production would show the public unfilled, one line per setting, naming it."""
    problems = []
    # Without CALL_TO_ACTION_URL the call to action leads to the app's own booking page
    # (docs/booking.md); a placeholder set there is refused.
    url = config["CALL_TO_ACTION_URL"]
    if url and is_placeholder(url):
        problems.append(
            f"CALL_TO_ACTION_URL: the call to action leads to {url!r}: set the consultant's "
            "booking page, or leave it empty for the built-in booking page"
        )
    if config["BOOKING_URL"] and is_placeholder(config["BOOKING_URL"]):
        problems.append(
            f"BOOKING_URL: the booking buttons lead to {config['BOOKING_URL']!r}: set the "
            "outside scheduler's address, or leave it empty for the built-in booking page"
        )
    if is_placeholder(config["BRAND_CONTACT"]):
        shown = repr(config["BRAND_CONTACT"]) if config["BRAND_CONTACT"].strip() else "empty"
        problems.append(
            f"BRAND_CONTACT: the contact line is {shown}: set the consultancy's e-mail address "
            "and phone number"
        )
    for name, what in (("LEGAL_NOTICE_URL", "legal notice"), ("PRIVACY_POLICY_URL", "privacy")):
        if is_placeholder(config[name]):
            shown = repr(config[name]) if config[name] else "not set"
            problems.append(f"{name}: the {what} page is {shown}: set its https:// address")
    return [f"configuration: {problem} (APP_ENV=production)" for problem in problems]


def photo_problems(config: Mapping[str, Any], static_folder: Path) -> list[str]:
    """A consultant's photo that is not a file under static/ (a broken image otherwise)."""
    photo = config["CONSULTANT_PHOTO"]
    if not photo:
        return []
    root = static_folder.resolve()
    path = (root / photo).resolve()
    if Path(photo).is_absolute() or not path.is_relative_to(root) or not path.is_file():
        return [f"configuration: CONSULTANT_PHOTO {photo!r} is not a file under {root}"]
    return []


def init_app(app: Flask, on_error: Callable[[str], None]) -> None:
    """Check, once the questionnaire is loaded, the photo everywhere and the placeholders in
    production; report every problem at once through on_error (the app must not start)."""
    problems = photo_problems(app.config, Path(app.static_folder or "static"))
    if app.config["APP_ENV"] == "production":
        with app.app_context():
            problems += placeholder_problems(app.config, current_questionnaire())
    if problems:
        on_error("\n".join(problems))
