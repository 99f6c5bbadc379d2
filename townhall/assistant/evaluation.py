"""How well an intent engine does on labelled messages it never trained on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

DATA_DIR = Path(__file__).parent / "data"


class PredictsIntents(Protocol):
    def predict(self, texts: Sequence[str]) -> Sequence[Any]: ...


def load_examples(path: Path) -> list[dict[str, str]]:
    """JSON Lines of {"text": ..., "intent": ...}."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(
    engine: PredictsIntents, examples: Iterable[Mapping[str, str]], oos_label: str = "out_of_scope"
) -> dict[str, Any]:
    """Accuracy overall and in scope, out-of-scope recall and precision, macro F1 and per-intent figures."""
    rows = list(examples)
    truth = [row["intent"] for row in rows]
    predicted = [prediction.intent for prediction in engine.predict([row["text"] for row in rows])]
    return score_predictions(truth, predicted, oos_label)


def score_predictions(truth: Sequence[str], predicted: Sequence[str], oos_label: str) -> dict[str, Any]:
    """The figures `evaluate` reports, from labels alone."""
    pairs = list(zip(truth, predicted, strict=True))
    in_scope = [(t, p) for t, p in pairs if t != oos_label]
    per_intent = {label: _intent_figures(pairs, label) for label in sorted(set(truth) | set(predicted))}
    supported = [figures["f1"] for figures in per_intent.values() if figures["support"] > 0]
    oos = per_intent.get(oos_label, {"recall": 0.0, "precision": 0.0})
    return {
        "n": len(pairs),
        "accuracy": _share(sum(t == p for t, p in pairs), len(pairs)),
        "in_scope_accuracy": _share(sum(t == p for t, p in in_scope), len(in_scope)),
        "oos_recall": oos["recall"],
        "oos_precision": oos["precision"],
        "macro_f1": _share(sum(supported), len(supported)),
        "per_intent": per_intent,
    }


def _intent_figures(pairs: Sequence[tuple[str, str]], label: str) -> dict[str, float]:
    true_positive = sum(t == label and p == label for t, p in pairs)
    support = sum(t == label for t, _ in pairs)
    predicted = sum(p == label for _, p in pairs)
    precision = _share(true_positive, predicted)
    recall = _share(true_positive, support)
    f1 = _share(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
