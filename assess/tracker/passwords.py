"""The passwords a back-office account may not have.

12 to 128 characters; not one of the most common passwords, even with digits or symbols
added at either end ("Marseille2026!"); not one character or a short sequence repeated.
The common ones: `common_passwords.txt` beside this module, the 20,000 most common
passwords of Royce Williams' list (lowercased, as Django's CommonPasswordValidator ships
it), loaded once per process.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

MIN_PASSWORD = 12
MAX_PASSWORD = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"
# Each reason a password is refused, as the command line says it.
PROBLEMS = {
    "too short": f"at least {MIN_PASSWORD} characters",
    "too long": f"at most {MAX_PASSWORD} characters",
    "too common": "too common, even with digits or symbols around it",
    "repeated": "one character or a short sequence repeated",
}
# Characters people add around a common word to get past a rule.
_PADDING = string.digits + string.punctuation + string.whitespace
# One character or a sequence of up to three, repeated: "aaaaaaaaaaaa", "abcabcabcabc".
_REPEATED = re.compile(r"(.{1,3}?)\1+", re.DOTALL)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str) -> str | None:
    """Why a password is refused (a key of PROBLEMS), or None."""
    if len(password) < MIN_PASSWORD:
        return "too short"
    if len(password) > MAX_PASSWORD:
        return "too long"
    if _REPEATED.fullmatch(password):
        return "repeated"
    lowered = password.strip().lower()
    core = lowered.strip(_PADDING)
    common = common_passwords()
    if lowered in common or (core and core in common):
        return "too common"
    return None
