"""The parsers every setting's value goes through, and what a setting is."""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assess.core.sending_window import parse_window
from assess.core.web_address import is_web_address


def integer(value: object) -> int:
    """A whole number, given as one or as its digits."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            return int(value)
    raise ValueError("must be a whole number")


def number(value: object) -> float:
    """A finite number (seconds, minutes, hours), given as one or as text."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            number = float(value)
            if math.isfinite(number):
                return number
    raise ValueError("must be a number")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def flag(value: object) -> bool:
    """On or off: a bool, or one of 1/true/yes/on and 0/false/no/off (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("must be true or false (1/true/yes/on or 0/false/no/off)")


def text(value: object) -> str:
    """Text as given (a path is taken as its text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ValueError("must be text")


# Colours go into the report's CSS as they are: nothing but a hex colour is accepted.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def smtp_security(value: object) -> str:
    """How the SMTP connection is encrypted: none, starttls or ssl (any case; empty: none)."""
    if isinstance(value, str) and value.strip().lower() in {"", "none", "starttls", "ssl"}:
        return value.strip().lower() or "none"
    raise ValueError('must be "none", "starttls" or "ssl"')


def sending_hours(value: object) -> str:
    """Weekdays and wall-time hours in Paris, such as "mon-fri 09:00-18:00"."""
    if isinstance(value, str):
        parse_window(value)  # ValueError says what is wrong
        return value.strip().lower()
    raise ValueError('must read like "mon-fri 09:00-18:00"')


def colour(value: object) -> str:
    """A colour written #rgb or #rrggbb."""
    if isinstance(value, str) and _HEX_COLOUR.fullmatch(value):
        return value
    raise ValueError("must be a colour written #rgb or #rrggbb")


def web_address(value: object) -> str:
    """An http:// or https:// address with a host, or nothing (empty)."""
    if isinstance(value, str):
        address = value.strip()
        if not address or is_web_address(address):
            return address
    raise ValueError("must be an address starting with https:// (or http://), or empty")


def languages(value: object) -> list[str]:
    """Language codes, comma-separated (or a list of them); the first is the default."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list | tuple) and all(isinstance(code, str) for code in value):
        codes = [code.strip() for code in value if code.strip()]
        if codes:
            return codes
    raise ValueError("must be language codes separated by commas, such as fr,en")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default, the parser every value goes through, what it does."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    # The docs' default when the value alone would mislead (an empty one that means "derived").
    shown_default: str | None = None
    # A secret's value never shows in the docs.
    secret: bool = False
