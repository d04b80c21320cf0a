"""Rate-limit counters in the process's memory, for when there is no Redis (REDIS_URL unset).

The `limits` library's own memory storage starts a thread every few milliseconds of
traffic to expire its counters; on these machines that cost a wizard post about 0.4 ms,
a fifth of the post. These counters are fixed windows that expire when read, with no
thread. Like any memory storage they are per process: behind several gunicorn workers
only Redis makes a limit hold across them.
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

# Counters kept before the expired ones are swept (one per visitor address and limit).
SWEEP_ABOVE = 10_000


class ProcessMemoryStorage(Storage):
    """Fixed-window counters in a dict: key -> (hits in the window, when it ends)."""

    STORAGE_SCHEME: list[str] | None = ["process-memory"]  # noqa: RUF012 - typed as limits types it

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._counters: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count `amount` hits in the key's window, opening a window of `expiry` seconds
        when there is none; the hits in the window so far."""
        now = time.time()
        with self._lock:
            count, ends = self._counters.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + expiry
            count += amount
            self._counters[key] = (count, ends)
            if len(self._counters) > SWEEP_ABOVE:
                self._sweep(now)
            return count

    def get(self, key: str) -> int:
        """The hits in the key's current window (0 when it has ended)."""
        count, ends = self._counters.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now when there is none)."""
        now = time.time()
        _, ends = self._counters.get(key, (0, 0.0))
        return ends if ends > now else now

    def check(self) -> bool:
        """Always healthy: it is this process's memory."""
        return True

    def reset(self) -> int:
        """Forget every counter; how many there were."""
        with self._lock:
            count = len(self._counters)
            self._counters.clear()
        return count

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with self._lock:
            self._counters.pop(key, None)

    def _sweep(self, now: float) -> None:
        for key in [key for key, (_, ends) in self._counters.items() if ends <= now]:
            del self._counters[key]
