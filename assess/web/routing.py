"""URL converters."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

# The largest id an integer column holds on PostgreSQL (and the one SQLite indexes as such).
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<int:...>` limited to ids a table can hold: bigger numbers match no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
