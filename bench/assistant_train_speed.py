"""How long the product engines take to train on train.jsonl, with the BLAS thread limit the engine applies while
fitting and without it (the reference: whatever threads the BLAS library starts, as before 29 Nov), interleaved
in the same run, with the ratio. Both fits must give the same engine: same C, threshold and safeguarding bar, and
the same intents for the training messages (printed as their agreement).

    .venv/bin/python bench/assistant_train_speed.py [--method tfidf+static+logreg] [--rounds 2]

Training data only; no evaluation set is read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

from townhall.assistant import engine as engine_module
from townhall.assistant.engine import IntentEngine, default_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples


@contextlib.contextmanager
def library_threads(**_: Any) -> Iterator[None]:
    """The reference: leave the BLAS library's own thread count alone."""
    yield


def timed_fit(method: str, texts: list[str], intents: list[str], *, limited: bool) -> tuple[float, IntentEngine]:
    engine = default_engine(method)
    patch = (
        contextlib.nullcontext() if limited else mock.patch.object(engine_module, "threadpool_limits", library_threads)
    )
    with patch:
        started = time.perf_counter()
        engine.fit(texts, intents)
        return time.perf_counter() - started, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", default="tfidf+static+logreg")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    train = load_examples(DATA_DIR / "train.jsonl")
    texts, intents = [row["text"] for row in train], [row["intent"] for row in train]
    print(f"{args.method} on {len(texts):,} training messages; load average {os.getloadavg()[0]:.1f}")
    times: dict[bool, list[float]] = {False: [], True: []}
    engines: dict[bool, IntentEngine] = {}
    for _ in range(args.rounds):
        for limited in (False, True):
            seconds, engines[limited] = timed_fit(args.method, texts, intents, limited=limited)
            times[limited].append(seconds)
            label = "one BLAS thread" if limited else "library threads (reference)"
            print(f"  {label}: {seconds:.1f} s")
    before, after = statistics.median(times[False]), statistics.median(times[True])
    same = [
        a.intent == b.intent for a, b in zip(engines[False].predict(texts), engines[True].predict(texts), strict=True)
    ]
    keys = ("c", "threshold", "priority_bars", "tuning_balanced_score")
    print(f"median: reference {before:.1f} s, one BLAS thread {after:.1f} s, ratio x{before / after:.2f} faster")
    print(
        f"  same settings: {all(engines[False].metadata[k] == engines[True].metadata[k] for k in keys)} "
        f"{ {k: engines[True].metadata[k] for k in keys} }"
    )
    print(f"  same intent for {100 * sum(same) / len(same):.2f}% of the training messages")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
