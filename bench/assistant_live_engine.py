"""What choosing the live model version costs a message: `engine_store.live_engine` (the cached live version,
checked against the database every few seconds) then `predict`, against `predict` on the same engine alone (the
reference, measured in the same run). Also the cost without the cache (a query per message), to show what the
cache saves. On a migrated SQLite file with a live version stored.

    .venv/bin/python bench/assistant_live_engine.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import townhall.all_models  # noqa: F401 - every table mapped
from townhall.assistant.engine_store import forget_live_engines, live_engine, product_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples
from townhall.assistant.learning import ensure_baseline
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.migrate import upgrade


def interleaved(works: list[Callable[[str], object]], texts: list[str]) -> list[list[float]]:
    """Milliseconds per message for each way, taking turns message by message (and rotating who goes first) so
    that load from other jobs and warming caches fall on all of them alike."""
    spent: list[list[float]] = [[] for _ in works]
    for number, text in enumerate(texts):
        for offset in range(len(works)):
            which = (number + offset) % len(works)
            started = time.perf_counter()
            works[which](text)
            spent[which].append((time.perf_counter() - started) * 1000)
    return spent


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    arguments = parser.parse_args()
    rows = load_examples(DATA_DIR / "eval.jsonl")
    texts = [rows[i % len(rows)]["text"] for i in range(arguments.messages)]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}", environment="test")
        upgrade(settings)
        database = make_engine(settings)
        factory = make_session_factory(database)
        with session_scope(factory) as session:
            ensure_baseline(session, engine=product_engine())
        no_cache = settings.model_copy(update={"assistant_model_check_seconds": 0.0})
        with factory() as session:
            engine = live_engine(session, settings=settings)
            reference, cached, uncached = interleaved([
                lambda text: engine.predict([text]),
                lambda text: live_engine(session, settings=settings).predict([text]),
                lambda text: live_engine(session, settings=no_cache).predict([text]),
            ], texts)  # fmt: skip
        forget_live_engines()
        database.dispose()
    print(f"{arguments.messages} messages, milliseconds per message (p50 / p95)")
    for name, values in (("predict alone (reference)", reference), ("live_engine + predict", cached),
                         ("live_engine without cache + predict", uncached)):  # fmt: skip
        ratio = statistics.median(values) / statistics.median(reference)
        print(f"  {name:<38} {statistics.median(values):6.3f} / {p95(values):6.3f}   x{ratio:.3f} of the reference")


if __name__ == "__main__":
    main()
