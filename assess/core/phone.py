"""Phone numbers as typed by respondents, made callable: an E.164 `tel:` address, a readable form.

Respondents are mostly French and type their number the French way ("06 12 34 56 78",
"06.12.34.56.78", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78"); a foreign number comes
with its country code ("+32 470 12 34 56"). Anything else gets no link: the consultant
still reads the text as typed.
"""

from __future__ import annotations

import re

# What people put between digits; anything else (letters, "ext.", a second number) is refused.
_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")
_FRENCH_NATIONAL = re.compile(r"0([1-9]\d{8})")  # 0 then 9 digits, the first not 0
_INTERNATIONAL = re.compile(r"\+([1-9]\d{8,14})")  # E.164: 15 digits at most; 9 at least here


def e164(raw: str | None) -> str | None:
    """The number in E.164 ("+33612345678"), French numbers made international; None if not one."""
    if not raw:
        return None
    text = raw.strip()
    # "+33 (0)6 ...": the trunk zero some write in brackets after the country code.
    text = re.sub(r"^(\+|00)\s*33\s*\(0\)", "+33", text)
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+330"):  # "+33 06 ...": the trunk zero again, without brackets
        compact = "+33" + compact[4:]
    national = _FRENCH_NATIONAL.fullmatch(compact)
    if national:
        return "+33" + national.group(1)
    international = _INTERNATIONAL.fullmatch(compact)
    if international is None:
        return None
    if compact.startswith("+33") and len(compact) != 12:  # a French number has 9 digits
        return None
    return compact


def tel_uri(raw: str | None) -> str | None:
    """A `tel:` address for the number (RFC 3966, global form), or None when it is not one."""
    number = e164(raw)
    return f"tel:{number}" if number else None


def readable(raw: str | None) -> str:
    """The number to show: a French one as "06 12 34 56 78", anything else as typed."""
    number = e164(raw)
    if number is None or not number.startswith("+33"):
        return (raw or "").strip()
    national = "0" + number[3:]
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))
