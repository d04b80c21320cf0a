"""Rate-limit counters in the process's memory: fixed windows that expire when read."""

from __future__ import annotations

import threading
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from assess.web import rate_limit_storage
from assess.web.rate_limit_storage import ProcessMemoryStorage


def test_the_scheme_gives_this_storage_and_a_limit_refuses_past_its_amount() -> None:
    storage = storage_from_string("process-memory://")
    assert isinstance(storage, ProcessMemoryStorage)
    limiter = FixedWindowRateLimiter(storage)
    three = parse("3 per minute")
    assert [limiter.hit(three, "10.0.0.1") for _ in range(4)] == [True, True, True, False]
    # Another visitor has a counter of their own.
    assert limiter.hit(three, "10.0.0.2")
    reset_at, remaining = limiter.get_window_stats(three, "10.0.0.1")
    assert remaining == 0 and time.time() < reset_at <= time.time() + 60


def test_a_window_ends_and_counting_starts_again() -> None:
    storage = ProcessMemoryStorage()
    assert storage.incr("k", expiry=0.05) == 1
    assert storage.incr("k", expiry=0.05) == 2
    assert storage.get("k") == 2
    time.sleep(0.06)
    assert storage.get("k") == 0
    assert storage.get_expiry("k") <= time.time()
    assert storage.incr("k", expiry=0.05) == 1


def test_clear_reset_and_the_sweep_of_ended_windows(monkeypatch) -> None:
    storage = ProcessMemoryStorage()
    storage.incr("a", expiry=60)
    storage.incr("b", expiry=60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1 and storage.get("b") == 0
    monkeypatch.setattr(rate_limit_storage, "SWEEP_ABOVE", 5)
    for index in range(5):
        storage.incr(f"old-{index}", expiry=0.01)
    time.sleep(0.02)
    storage.incr("new", expiry=60)  # the sixth counter: the ended ones go
    assert storage._counters.keys() == {"new"}


def test_concurrent_hits_are_all_counted() -> None:
    storage = ProcessMemoryStorage()

    def hit() -> None:
        for _ in range(500):
            storage.incr("shared", expiry=60)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.get("shared") == 4000
