"""CLINC150 (full split): our intent engine against the published results, on CPU.

Trains on `train` + `oos_train`, tunes C and the out-of-scope threshold on `val` + `oos_val`, and reports
in-scope accuracy and out-of-scope recall on `test` + `oos_test`, beside the paper's figures and as a ratio to
BERT's. The data set stays where it is: it is read, never copied into the repository.

    .venv/bin/python bench/assistant_clinc.py [--path DIR] [--features tfidf] [--classifier svm]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from townhall.assistant.engine import IntentEngine
from townhall.assistant.evaluation import evaluate
from townhall.assistant.thresholds import THRESHOLD_GRID, score_threshold

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_dir() -> Path:
    """`../shared/datasets/clinc150` beside the repository, looking further up for git worktrees."""
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "datasets" / "clinc150"
        if candidate.exists():
            return candidate
    return REPO_ROOT.parent / "shared" / "datasets" / "clinc150"


# Larson et al. 2019, Table 2, full split: (in-scope accuracy, out-of-scope recall), threshold on confidence.
PUBLISHED = {
    "FastText": (88.6, 28.3),
    "SVM": (88.2, 18.0),
    "CNN": (90.9, 30.9),
    "DialogFlow": (90.8, 26.7),
    "Rasa": (90.9, 31.2),
    "MLP": (93.4, 49.1),
    "BERT": (96.2, 52.3),
}
OOS = "oos"


def load_split(directory: Path) -> dict[str, list[list[str]]]:
    path = directory / "data_full.json"
    if not path.exists():
        raise SystemExit(f"CLINC150 not found at {path}; pass --path to the folder holding data_full.json")
    with path.open(encoding="utf-8") as source:
        data: dict[str, list[list[str]]] = json.load(source)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=None)
    parser.add_argument("--features", default="tfidf")
    parser.add_argument("--classifier", default="svm")
    parser.add_argument("--min-in-scope", type=float, default=0.0, help="also report a threshold for this")
    args = parser.parse_args()
    data = load_split(args.path or default_dir())
    train = data["train"] + data["oos_train"]
    validation = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]

    engine = IntentEngine(features=args.features, classifier=args.classifier)
    started = time.perf_counter()
    engine.fit(
        [text for text, _ in train],
        [intent for _, intent in train],
        oos_label=OOS,
        validation=([text for text, _ in validation], [intent for _, intent in validation]),
    )
    trained_in = time.perf_counter() - started
    result = evaluate(engine, ({"text": t, "intent": i} for t, i in test), oos_label=OOS)
    print_report(engine, result, trained_in)
    if args.min_in_scope:
        engine.threshold = threshold_for_in_scope(engine, validation, args.min_in_scope)
        print(f"\nthreshold re-tuned on val for in-scope accuracy >= {args.min_in_scope:.2f}:")
        result = evaluate(engine, ({"text": t, "intent": i} for t, i in test), oos_label=OOS)
        print_report(engine, result, trained_in)


def threshold_for_in_scope(engine: IntentEngine, validation: list[list[str]], minimum: float) -> float:
    """The highest threshold (most out-of-scope caught) keeping validation in-scope accuracy >= minimum."""
    probabilities = engine.predict_proba([text for text, _ in validation])
    truth = [intent for _, intent in validation]
    allowed = [
        t
        for t in THRESHOLD_GRID
        if score_threshold(probabilities, engine.labels, truth, OOS, t).in_scope_accuracy >= minimum
    ]
    return max(allowed, default=0.0)


def print_report(engine: IntentEngine, result: dict[str, Any], trained_in: float) -> None:
    in_scope = 100 * float(result["in_scope_accuracy"])
    oos_recall = 100 * float(result["oos_recall"])
    print(f"CLINC150 full: test {result['n']} messages; trained in {trained_in:.1f} s on CPU")
    print(f"engine: {engine.metadata['method']}, C={engine.metadata['c']}, threshold={engine.threshold:.2f}")
    print(f"{'method':<28} {'in-scope acc %':>15} {'oos recall %':>13}")
    for name, (accuracy, recall) in PUBLISHED.items():
        print(f"{name + ' (published)':<28} {accuracy:>15.1f} {recall:>13.1f}")
    ours = f"Townhall {engine.features} + {engine.classifier}"
    print(f"{ours:<28} {in_scope:>15.1f} {oos_recall:>13.1f}")
    bert_accuracy, bert_recall = PUBLISHED["BERT"]
    ratios = f"in-scope accuracy {in_scope / bert_accuracy:.3f}, oos recall {oos_recall / bert_recall:.3f}"
    print(f"ratio to BERT: {ratios}")
    macro_f1, oos_precision = 100 * float(result["macro_f1"]), 100 * float(result["oos_precision"])
    print(f"macro F1 {macro_f1:.1f}, oos precision {oos_precision:.1f}")


if __name__ == "__main__":
    main()
