"""Questionnaires written for one test: the minimal fixture with some text replaced."""

from __future__ import annotations

from pathlib import Path

from assess.core.questionnaire import Questionnaire, load_questionnaire
from tests.helpers.paths import MINIMAL


def variant(tmp_path: Path, *replacements: tuple[str, str]) -> Questionnaire:
    """The minimal questionnaire with some text replaced, loaded."""
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "variant.yaml"
    path.write_text(text, encoding="utf-8")
    return load_questionnaire(path)
