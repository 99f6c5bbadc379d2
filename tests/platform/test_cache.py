"""ComputedOnce: slow work done once per key per process, however many threads ask at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from townhall.platform.cache import ComputedOnce


def test_each_key_is_computed_once_even_when_threads_ask_together() -> None:
    calls: list[str] = []
    guard = threading.Lock()

    def slow_square(key: str) -> int:
        with guard:
            calls.append(key)
        time.sleep(0.02)  # long enough for the other threads to arrive while it runs
        return len(key) ** 2

    computed: ComputedOnce[str, int] = ComputedOnce(slow_square)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(computed.get, ["abc"] * 8 + ["ab"] * 4))
    assert results == [9] * 8 + [4] * 4
    assert sorted(calls) == ["ab", "abc"]
