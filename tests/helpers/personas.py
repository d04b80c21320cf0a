"""The respondents of tests/personas/: their answers and contact details."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers.paths import PERSONAS


def persona(name: str) -> dict[str, Any]:
    """A persona's answers and contact details, as stored in tests/personas/<name>.json."""
    return json.loads((PERSONAS / f"{name}.json").read_text())
