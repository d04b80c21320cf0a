"""No module of assess/ grows past 400 lines (STYLE.md: split a module past about 400 lines)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOST_LINES = 400


def line_counts() -> dict[str, int]:
    """Every module of assess/, as a path relative to the repository, and its line count."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / "assess").rglob("*.py"))
    }


def test_no_module_is_longer_than_the_limit() -> None:
    too_long = {name: count for name, count in line_counts().items() if count > MOST_LINES}
    assert not too_long, f"split these modules, past {MOST_LINES} lines: {too_long}"
