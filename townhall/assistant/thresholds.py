"""Choosing the confidence threshold below which a message counts as out of scope.

Pure functions of held-out probabilities, so they are tested on small tables and never see the evaluation set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

THRESHOLD_GRID = tuple(round(step * 0.01, 2) for step in range(100))
PRIORITY_FLOOR = 0.05  # below this a priority intent's probability is noise, whatever the validation data says
PRIORITY_BETA = 3.0  # recall counts nine times as much as precision for priority intents


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    threshold: float
    in_scope_accuracy: float
    oos_recall: float

    @property
    def score(self) -> float:
        return balanced_score(self.in_scope_accuracy, self.oos_recall)


def balanced_score(in_scope_accuracy: float, oos_recall: float) -> float:
    """Both kinds of error matter to a resident, so neither count is allowed to hide the other."""
    return (in_scope_accuracy + oos_recall) / 2


def apply_threshold(
    probabilities: NDArray[np.float64], labels: Sequence[str], oos_label: str, threshold: float
) -> list[str]:
    """The top label of each row, or `oos_label` when its probability is below `threshold`."""
    top = probabilities.argmax(axis=1)
    confident = probabilities[np.arange(len(top)), top] >= threshold
    return [labels[index] if ok else oos_label for index, ok in zip(top, confident, strict=True)]


def score_threshold(
    probabilities: NDArray[np.float64],
    labels: Sequence[str],
    truth: Sequence[str],
    oos_label: str,
    threshold: float,
) -> ThresholdChoice:
    predicted = apply_threshold(probabilities, labels, oos_label, threshold)
    in_scope = [(p, t) for p, t in zip(predicted, truth, strict=True) if t != oos_label]
    oos = [p for p, t in zip(predicted, truth, strict=True) if t == oos_label]
    in_scope_accuracy = sum(p == t for p, t in in_scope) / len(in_scope) if in_scope else 1.0
    oos_recall = sum(p == oos_label for p in oos) / len(oos) if oos else 1.0
    return ThresholdChoice(threshold, in_scope_accuracy, oos_recall)


def best_threshold(
    probabilities: NDArray[np.float64], labels: Sequence[str], truth: Sequence[str], oos_label: str
) -> ThresholdChoice:
    """The threshold with the best balanced score; ties go to the lowest, which rejects fewest."""
    choices = [score_threshold(probabilities, labels, truth, oos_label, t) for t in THRESHOLD_GRID]
    return max(choices, key=lambda choice: (round(choice.score, 9), -choice.threshold))


def threshold_within_budget(
    probabilities: NDArray[np.float64],
    labels: Sequence[str],
    truth: Sequence[str],
    oos_label: str,
    budget: float,
) -> ThresholdChoice:
    """The highest threshold whose held-out in-scope accuracy is at most `budget` below that of no threshold.

    Out-of-scope recall bought with at most `budget` of in-scope accuracy: the rule sets the price of a rejected
    in-scope question rather than weighing the two rates equally, so it behaves the same on data with few
    out-of-scope examples (a council's) and many (CLINC150's), and it never trades away more than the budget.
    """
    floor = score_threshold(probabilities, labels, truth, oos_label, 0.0).in_scope_accuracy - budget - 1e-9
    choices = [score_threshold(probabilities, labels, truth, oos_label, t) for t in THRESHOLD_GRID]
    return max((choice for choice in choices if choice.in_scope_accuracy >= floor), key=lambda c: c.threshold)


def priority_bar(
    probabilities: NDArray[np.float64],
    labels: Sequence[str],
    truth: Sequence[str],
    intent: str,
    ceiling: float,
) -> float:
    """The probability above which `intent` wins even when it is not the top label.

    Chosen for the best F-beta of `intent` on held-out data with beta = PRIORITY_BETA: a missed safeguarding
    concern costs far more than a false alarm that a person reads and dismisses. Never above `ceiling` (the
    ordinary threshold) and never below PRIORITY_FLOOR.
    """
    column = list(labels).index(intent)
    chances = probabilities[:, column]
    is_intent = np.asarray([t == intent for t in truth])
    if not is_intent.any():
        return max(ceiling, PRIORITY_FLOOR)
    best_bar, best_score = ceiling, -1.0
    for bar in (t for t in THRESHOLD_GRID if PRIORITY_FLOOR <= t <= max(ceiling, PRIORITY_FLOOR)):
        flagged = (chances >= bar) | (probabilities.argmax(axis=1) == column)
        score = f_beta(int((flagged & is_intent).sum()), int(flagged.sum()), int(is_intent.sum()), PRIORITY_BETA)
        if score > best_score:  # strict: ties keep the lower bar, which catches more
            best_bar, best_score = bar, score
    return float(best_bar)


def f_beta(true_positives: int, flagged: int, actual: int, beta: float) -> float:
    precision = true_positives / flagged if flagged else 0.0
    recall = true_positives / actual if actual else 0.0
    weight = beta * beta
    denominator = weight * precision + recall
    return (1 + weight) * precision * recall / denominator if denominator else 0.0
