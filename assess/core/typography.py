"""French typography: the no-break spaces French puts around punctuation, in numbers and
before units, and how it abbreviates "numéro".

One no-break space throughout: U+202F NARROW NO-BREAK SPACE, the "espace fine insécable"
French typographers put before ; : ! ? and inside « », and the one CLDR (and so babel)
groups French thousands with. Lato, the pages' and the report's font, has the glyph. A
no-break space (U+00A0) or a plain space where these rules apply becomes U+202F, so the
page reads the same whoever wrote the text.

What the rules change, and only in French (the caller decides):

- a space before ; : ! ? becomes U+202F, and one is added between a word and the sign
  ("Pourquoi?" -> "Pourquoi ?"), when the sign ends a word (a time such as 14:30 and a
  query string keep theirs);
- « and » get U+202F inside;
- the groups of a number written with spaces (257 000), and the space before a unit
  (70 %, 257 000 €, 14 h 05), and those around the slash of a score (40 / 100), become
  U+202F; one is added between a number and % or €;
- "n°" (or "nº") before a number becomes "nᵒ", and "nᵒˢ" before a list of numbers
  ("n° 9, 16, 17" -> "nᵒˢ 9, 16, 17"); "nos" becomes "nᵒˢ" only before a list of
  numbers that ends the phrase ("les questions nos 9 et 16." but not "nos 3 offres",
  where "nos" is the word "our").

URLs, e-mail addresses and character references (&amp;) are left as they are;
`french_html` also leaves tags, their attributes, comments and what is inside script,
style, textarea, pre and code elements. Applying either function twice changes nothing
more than applying it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NARROW_NBSP = "\u202f"
# Spaces a rule may replace: a space, a no-break space, a thin space, a narrow no-break space.
_SPACE = "[ \u00a0\u2009\u202f]"
# What may follow a sign that ends a word: a space, the end, a closing mark, other punctuation.
_WORD_END = r"(?=[\s!?»)\]\"'’.,…]|$)"
_SIGN = f"[;:!?]{_WORD_END}"

_PROTECTED = re.compile(
    r"(?:https?|ftp|mailto|tel):[^\s<>\"']+"  # a URL
    r"|www\.[^\s<>\"']+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an e-mail address
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",  # a character reference
)
# Characters one of which a text needs for a rule to change it (besides "nos" and a digit
# beside a space).
_SIGNS = frozenset(";:!?«»%‰€°ºᵒ/")
_SPACES_SET = frozenset(" \u00a0\u2009\u202f")
_DIGITS = frozenset("0123456789")

_NUMBER_LIST = (
    rf"\d+(?:(?:,{_SPACE}*|{_SPACE}+(?:et|à){_SPACE}+)\d+)+"
    # ... ending the phrase: not followed by a word ("nos 2 et 3 offres" is "our 2 and 3 offers")
    rf"(?!\d|{_SPACE}*[^\W\d_])"
)
# Each rule: the characters without which it cannot match (a quick test), the pattern, and
# what replaces a match.
_RULES: tuple[tuple[str | frozenset[str], re.Pattern[str], str], ...] = (
    # A space (or none, after a word) before a sign that ends a word.
    (";:!?", re.compile(rf"{_SPACE}+(?={_SIGN})"), NARROW_NBSP),
    (";:!?", re.compile(rf"(?=[;:!?])(?<=[^\W_]|[»)\]%€])(?={_SIGN})"), NARROW_NBSP),
    # Inside guillemets.
    ("«", re.compile(rf"«{_SPACE}*(?=\S|$)"), "«" + NARROW_NBSP),
    ("»", re.compile(rf"{_SPACE}*»"), NARROW_NBSP + "»"),
    # Between a number and % or € (a space or none), and a unit after a space.
    ("%‰€", re.compile(rf"(?<=\d){_SPACE}?(?=[%‰€])"), NARROW_NBSP),
    (
        _DIGITS,
        re.compile(rf"{_SPACE}(?<=\d{_SPACE})(?=(?:[$£]|k€|K€|M€|Md€|h|min|km|kg)(?![^\W\d_]))"),
        NARROW_NBSP,
    ),
    # The minutes of a time: 14 h 05.
    ("h", re.compile(rf"{_SPACE}(?<=\d{NARROW_NBSP}h{_SPACE})(?=\d\d(?!\d))"), NARROW_NBSP),
    ("€", re.compile(rf"(?<=€){_SPACE}(?=(?:HT|TTC)\b)"), NARROW_NBSP),
    # A score: 40 / 100.
    (
        "/",
        re.compile(rf"{_SPACE}/{_SPACE}(?<=\d{_SPACE}/{_SPACE})(?=\d)"),
        f"{NARROW_NBSP}/{NARROW_NBSP}",
    ),
)
# The groups of a number written with spaces: 1 to 3 digits, then groups of exactly 3.
_GROUPED = re.compile(rf"\d(?<![\d.,]\d)\d{{0,2}}(?:{_SPACE}\d{{3}})+(?!\d)")
_SPACES = re.compile(_SPACE)
_NUMERO = re.compile(
    rf"\b([nN])[°ºᵒ](ˢ|s)?{_SPACE}?(?=(\d+(?:,{_SPACE}*\d+|{_SPACE}+et{_SPACE}+\d+)*))"
)
_NOS = re.compile(rf"\b([nN])os(?:\.{_SPACE}?(?=\d)|{_SPACE}(?={_NUMBER_LIST}))")

_HTML_SKIPPED = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea|pre|code|kbd|samp)\b[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>"
    r".*?</\1\s*>"
    r"|<[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>",
    re.DOTALL | re.IGNORECASE,
)


def french(text: str) -> str:
    """Plain text with French typography (see the module's docstring)."""
    if not _may_change(set(text), text):
        return text
    return _between(text, _PROTECTED, _typeset)


def french_html(html: str) -> str:
    """HTML with French typography in its text; markup and code left as they are."""
    return _between(html, _HTML_SKIPPED, french)


def _between(text: str, kept: re.Pattern[str], change: Callable[[str], str]) -> str:
    """The text with `change` applied between the matches of `kept`, which stay as they are."""
    out: list[str] = []
    position = 0
    for found in kept.finditer(text):
        out += [change(text[position : found.start()]), found.group()]
        position = found.end()
    out.append(change(text[position:]))
    return "".join(out)


def _typeset(text: str) -> str:
    """The rules on a piece of text holding no URL, address or character reference."""
    present = set(text)
    if not _may_change(present, text):
        return text
    if not present.isdisjoint("°ºᵒ"):
        text = _NUMERO.sub(_numero, text)
    if "os" in text:
        text = _NOS.sub(lambda match: match.group(1) + "ᵒˢ" + NARROW_NBSP, text)
    if not present.isdisjoint(_DIGITS):
        text = _GROUPED.sub(lambda match: _SPACES.sub(NARROW_NBSP, match.group()), text)
    for needed, pattern, replacement in _RULES:
        if not present.isdisjoint(needed):
            text = pattern.sub(replacement, text)
    return text


def _may_change(present: set[str], text: str) -> bool:
    """Whether a rule may change a text holding these characters (a quick look)."""
    return (
        not present.isdisjoint(_SIGNS)
        or "os" in text
        or (not present.isdisjoint(_DIGITS) and not present.isdisjoint(_SPACES_SET))
    )


def _numero(match: re.Match[str]) -> str:
    """The abbreviation of "numéro": "nᵒ" before one number, "nᵒˢ" before several."""
    several = bool(match.group(2)) or not match.group(3).isdigit()
    return match.group(1) + ("ᵒˢ" if several else "ᵒ") + NARROW_NBSP
