"""The respondent's main challenge, in their own words, ready to be quoted back to them.

The questionnaire names the free-text question (`report.challenge_question`); the
synthesis of the report and the results page quote the answer, trimmed to a
length that reads as a quote, never as a page.
"""

from __future__ import annotations

from typing import Any

from assess.core.questionnaire import Questionnaire

# Longer answers are cut at a word boundary before this many characters, with an ellipsis.
MAX_QUOTE = 200
ELLIPSIS = "…"


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """`text` on one line, cut at a word before `limit` characters with an ellipsis if longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    # One character more than fits, so a space right after the last fitting word is found.
    cut = flat[: limit - len(ELLIPSIS) + 1]
    cut = cut[: cut.rindex(" ")] if " " in cut else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:.!?-–") + ELLIPSIS


def main_challenge(q: Questionnaire, answers: dict[str, Any]) -> str | None:
    """The quoted answer to the questionnaire's challenge question; None when not answered."""
    question_id = q.report.challenge_question
    answer = answers.get(question_id) if question_id else None
    if not isinstance(answer, str) or not answer.strip():
        return None
    return quote(answer)
