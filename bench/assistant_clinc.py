"""CLINC150 (full split): our intent engine against the published results, on CPU.

Trains on `train` + `oos_train`, tunes C and the out-of-scope threshold on `val` + `oos_val`, and reports
in-scope accuracy and out-of-scope recall on `test` + `oos_test`, beside the paper's figures and as a ratio to
BERT's. The data set stays where it is: it is read, never copied into the repository.

    .venv/bin/python bench/assistant_clinc.py [--path DIR] [--method tfidf+static+logreg]
    .venv/bin/python bench/assistant_clinc.py [--path DIR] [--features tfidf] [--classifier svm]

`--method` configures the engine exactly as the product's method of that name, threshold rule included (the
static engine's: the highest threshold costing at most 1 point of validation in-scope accuracy); `--features`
and `--classifier` build an engine with the balanced threshold rule instead.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from townhall.assistant.engine import METHODS, IntentEngine, make_engine
from townhall.assistant.thresholds import THRESHOLD_GRID, ThresholdChoice, score_threshold

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_dir() -> Path:
    """`../shared/datasets/clinc150` beside the repository, looking further up for git worktrees."""
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "datasets" / "clinc150"
        if candidate.exists():
            return candidate
    return REPO_ROOT.parent / "shared" / "datasets" / "clinc150"


# Larson et al. 2019, Table 2, full split, threshold on confidence: (in-scope accuracy, out-of-scope recall).
# Used only when the data folder's README (which carries the whole table) cannot be read.
PUBLISHED = {
    "FastText": (88.6, 28.3),
    "SVM": (88.2, 18.0),
    "CNN": (90.9, 30.9),
    "DialogFlow": (90.8, 26.7),
    "Rasa": (90.9, 31.2),
    "MLP": (93.4, 49.1),
    "BERT": (96.2, 52.3),
}
TABLE_ROW = re.compile(r"^\|\s*([A-Za-z]+)\s*\|\s*([\d.]+) / ([\d.]+)\s*\|\s*([\d.]+) / ([\d.]+)\s*\|$")
LATENCY_MESSAGES = 200
OOS = "oos"


def load_split(directory: Path) -> dict[str, list[list[str]]]:
    path = directory / "data_full.json"
    if not path.exists():
        raise SystemExit(f"CLINC150 not found at {path}; pass --path to the folder holding data_full.json")
    with path.open(encoding="utf-8") as source:
        data: dict[str, list[list[str]]] = json.load(source)
    return data


def published_results(directory: Path) -> dict[str, tuple[float, float, float, float]]:
    """name -> (in-scope, oos recall) trained with oos_train, then (in-scope, oos recall) with a threshold."""
    readme = directory / "README.md"
    rows = {}
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            match = TABLE_ROW.match(line.strip())
            if match:
                rows[match.group(1)] = tuple(float(match.group(i)) for i in range(2, 6))
    if "BERT" not in rows:
        rows = {name: (float("nan"), float("nan"), *figures) for name, figures in PUBLISHED.items()}
    return rows  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=None)
    parser.add_argument("--method", choices=sorted(METHODS), default=None, help="a product method, its own rule")
    parser.add_argument("--features", default="tfidf", help="tfidf, static, tfidf+static, minilm or tfidf+minilm")
    parser.add_argument("--classifier", default="svm")
    parser.add_argument(
        "--min-in-scope",
        default="0.93,0.95",
        help="also report, for each of these, the highest threshold keeping val in-scope accuracy >= it",
    )
    args = parser.parse_args()
    directory = args.path or default_dir()
    data = load_split(directory)
    train = data["train"] + data["oos_train"]
    validation = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]

    if args.method:
        engine = make_engine(args.method)
    else:
        engine = IntentEngine(features=args.features, classifier=args.classifier)
    started = time.perf_counter()
    engine.fit(
        [text for text, _ in train],
        [intent for _, intent in train],
        oos_label=OOS,
        validation=([text for text, _ in validation], [intent for _, intent in validation]),
    )
    trained_in = time.perf_counter() - started
    latencies = single_message_latencies(engine, [text for text, _ in test][:: len(test) // LATENCY_MESSAGES])
    print(f"CLINC150 full: train {len(train)}, test {len(test)} messages; trained and tuned in {trained_in:.1f} s")
    meta = engine.metadata
    print(f"engine: {meta['method']}, C={meta['c']}, temperature={meta.get('temperature')}")
    print(f"threshold rule: {meta['threshold_rule']}")
    p50, p95 = statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1]
    print(f"single-message latency p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    # Probabilities once per set: the operating points differ only in the threshold (CLINC has no priority intent).
    test_probabilities = engine.predict_proba([text for text, _ in test])
    validation_probabilities = engine.predict_proba([text for text, _ in validation])
    test_truth, validation_truth = [intent for _, intent in test], [intent for _, intent in validation]
    rows = [(f"{meta['threshold_rule']}: thr {engine.threshold:.2f}", engine.threshold)]
    for minimum in (float(value) for value in args.min_in_scope.split(",")):
        threshold = threshold_for_in_scope(validation_probabilities, engine.labels, validation_truth, minimum)
        rows.append((f"val in-scope >= {minimum:.2f}: thr {threshold:.2f}", threshold))
    results = [
        (label, score_threshold(test_probabilities, engine.labels, test_truth, OOS, threshold))
        for label, threshold in rows
    ]
    print_report(published_results(directory), results)


def single_message_latencies(engine: IntentEngine, messages: list[str]) -> list[float]:
    engine.predict(messages[:1])  # the first call loads lazily imported code
    timings = []
    for message in messages:
        started = time.perf_counter()
        engine.predict([message])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def threshold_for_in_scope(
    probabilities: NDArray[np.float64], labels: list[str], truth: list[str], minimum: float
) -> float:
    """The highest threshold (most out-of-scope caught) keeping validation in-scope accuracy >= minimum."""
    allowed = [
        t for t in THRESHOLD_GRID if score_threshold(probabilities, labels, truth, OOS, t).in_scope_accuracy >= minimum
    ]
    return max(allowed, default=0.0)


def print_report(
    published: dict[str, tuple[float, float, float, float]], rows: list[tuple[str, ThresholdChoice]]
) -> None:
    print(f"\n{'method (test + oos_test)':<40} {'in-scope acc %':>15} {'oos recall %':>13}")
    for name, (_, _, accuracy, recall) in published.items():
        print(f"{name + ' (published, threshold)':<40} {accuracy:>15.1f} {recall:>13.1f}")
    bert_accuracy, bert_recall = published["BERT"][2:]
    for label, result in rows:
        in_scope, oos_recall = 100 * result.in_scope_accuracy, 100 * result.oos_recall
        print(f"{'Townhall, ' + label:<40} {in_scope:>15.1f} {oos_recall:>13.1f}")
        met = "met" if in_scope >= 93.0 and oos_recall > bert_recall else "not met"
        print(
            f"{'':<4}ratio to BERT: in-scope {in_scope / bert_accuracy:.3f}, oos recall {oos_recall / bert_recall:.3f}"
            f"; target (oos recall > {bert_recall}, in-scope >= 93.0) {met}"
        )


if __name__ == "__main__":
    main()
