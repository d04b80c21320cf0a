"""Single-line text: what may stand in a name, a company or an e-mail header.

Unicode categories Cc (control characters, C0 and C1 such as NEL U+0085), Zl (LINE
SEPARATOR U+2028) and Zp (PARAGRAPH SEPARATOR U+2029) end a line for some reader: a mail
header, a CSV cell, a log line. None of them belongs in a single-line field.
"""

from __future__ import annotations

import unicodedata

LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def breaks_line(character: str) -> bool:
    """Whether this character is a control character or a line or paragraph separator."""
    return unicodedata.category(character) in LINE_BREAKING_CATEGORIES


def is_single_line(text: str) -> bool:
    """Whether the text holds no control character and no line or paragraph separator."""
    return not any(breaks_line(character) for character in text)


def on_one_line(text: str) -> str:
    """The text with every run of line-breaking characters replaced by one space, trimmed."""
    kept: list[str] = []
    for character in text:
        if not breaks_line(character):
            kept.append(character)
        elif kept and kept[-1] != " ":
            kept.append(" ")
    return "".join(kept).strip()
