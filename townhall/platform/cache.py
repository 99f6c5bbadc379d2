"""Small in-process caches: `TTLCache` for reference data that changes rarely (addresses at a postcode, say), and
`ComputedOnce` for what is built once per process and kept (a trained model, vectors read from disk).

TTLCache entries expire after `ttl_seconds`, so every worker sees a change (a gazetteer import) within that time;
the process that makes the change clears its own cache at once. Bounded, least recently used out first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class TTLCache(Generic[Key, Value]):
    def __init__(self, *, max_entries: int, ttl_seconds: float) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[Key, tuple[float, Value]] = OrderedDict()
        self._lock = threading.Lock()  # routes run in a thread pool

    @property
    def enabled(self) -> bool:
        return self.ttl_seconds > 0 and self.max_entries > 0

    def get(self, key: Key) -> Value | None:
        if not self.enabled:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored_at, value = found
            if time.monotonic() - stored_at > self.ttl_seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Key, value: Value) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class ComputedOnce(Generic[Key, Value]):
    """`compute(key)` run at most once per key in this process and kept: threads asking at once wait for the one
    computing it rather than each doing the (slow) work again."""

    def __init__(self, compute: Callable[[Key], Value]) -> None:
        self._compute = compute
        self._values: dict[Key, Value] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value:
        with self._lock:
            if key not in self._values:
                self._values[key] = self._compute(key)
            return self._values[key]
