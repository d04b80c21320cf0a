"""Addresses the app prints as links: which it accepts, and which are placeholders."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The domains reserved for documentation (RFC 2606), as the shipped files use them, with
# any subdomain: an address or a contact line naming one has not been filled in yet.
_PLACEHOLDER_DOMAIN = re.compile(r"(?<![\w-])(?:[\w-]+\.)*example\.(?:com|org|net)\b", re.I)


def is_web_address(address: str) -> bool:
    """Whether a link is an http:// or https:// address with a host, and nothing a browser
    would read otherwise (spaces, control characters, a backslash)."""
    if any(character.isspace() or ord(character) < 32 for character in address):
        return False
    if "\\" in address:
        return False
    try:
        parts = urlsplit(address)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def is_local_path(target: str | None, under: str = "/") -> bool:
    """Whether a "next" address sends the visitor back into this site, below `under`: a path
    ("/..."), never another host ("//host", "/\\host", a scheme), and nothing a header
    cannot carry (a line break, a control character)."""
    if not target or not target.startswith(under) or target.startswith("//"):
        return False
    if "\\" in target or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def is_placeholder(text: str) -> bool:
    """Whether an address or a contact line is empty or names a documentation domain
    (example.com, example.org, example.net)."""
    return not text.strip() or _PLACEHOLDER_DOMAIN.search(text) is not None


def with_query(address: str, values: dict[str, str]) -> str:
    """The address with these query parameters added (replacing any of the same name), the
    others and the fragment kept: "https://cal.example/x?a=1" + name -> "...?a=1&name=..."."""
    parts = urlsplit(address)
    kept = [(key, value) for key, value in parse_qsl(parts.query) if key not in values]
    query = urlencode(kept + [(key, value) for key, value in values.items() if value])
    return urlunsplit(parts._replace(query=query))
