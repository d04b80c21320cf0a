"""Single-line text: control characters and Unicode line separators are refused or flattened."""

from __future__ import annotations

import pytest

from assess.core.single_line import is_single_line, on_one_line
from assess.outbox.mail import header_safe

BREAKERS = ["\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_every_control_character_and_separator_breaks_the_line(breaker: str):
    assert not is_single_line(f"Claire{breaker}Dubois")
    assert on_one_line(f"Claire{breaker}{breaker}Dubois{breaker}") == "Claire Dubois"
    assert header_safe(f"Sécurité{breaker}Bcc: x@example.com") == "Sécurité Bcc: x@example.com"


@pytest.mark.parametrize("text", ["Claire Dubois", "Équipements & Fils", "Zoë\u00a0Ng", "", "🙂"])
def test_ordinary_text_is_single_line_and_unchanged(text: str):
    assert is_single_line(text)
    assert on_one_line(text) == text
