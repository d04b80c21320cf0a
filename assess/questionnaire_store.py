"""The questionnaire the app runs: loaded once per process, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from assess.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire

_KEY = "assess.questionnaire"


def init_app(app: Flask, on_error: Callable[[str], None]) -> None:
    """Load the configured questionnaire; report every problem through on_error."""
    path = Path(app.config["ASSESS_QUESTIONNAIRE"])
    if not path.is_absolute() and not path.exists():
        path = Path(app.root_path).parent / path
    try:
        app.extensions[_KEY] = load_questionnaire(path)
    except QuestionnaireError as error:
        on_error(f"The questionnaire has {len(error.problems)} problem(s):\n{error}")


def current_questionnaire() -> Questionnaire:
    """The questionnaire of the running app."""
    questionnaire: Questionnaire = current_app.extensions[_KEY]
    return questionnaire
