"""The tables' shared time helpers: `utcnow` and `aware`, defined once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from assess.db.models import aware, utcnow
from tests.helpers.paths import ROOT


def test_aware_reads_a_naive_stored_time_as_utc() -> None:
    assert aware(datetime(2024, 3, 1, 12, 30)) == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)


def test_aware_gives_an_aware_time_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    moment = aware(datetime(2024, 3, 1, 13, 30, tzinfo=paris))
    assert moment.utcoffset() == timedelta(0)
    assert moment == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)


def test_aware_keeps_utcnow_as_it_is() -> None:
    now = utcnow()
    assert aware(now) == now


def test_no_module_defines_its_own_aware() -> None:
    defined = re.compile(r"^def _?aware\(", re.MULTILINE)
    owners = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "assess").rglob("*.py")
        if defined.search(path.read_text(encoding="utf-8"))
    )
    assert owners == ["assess/db/models/respondents.py"]
