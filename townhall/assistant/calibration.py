"""Probabilities from a linear classifier's scores: a softmax with one temperature fitted on held-out scores.

A linear SVM gives scores, not probabilities. Calibrating each class separately (Platt or isotonic) costs
several extra model fits; one temperature fitted on the cross-validated scores the engine computes anyway to tune
its threshold costs nothing more, keeps the ranking of the classes, and makes the confidence honest on average.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

TEMPERATURE_BOUNDS = (0.1, 200.0)


def softmax(scores: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """Row-wise softmax of `scores * temperature` (a larger temperature makes the model surer)."""
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exponentials = np.exp(scaled)
    result: NDArray[np.float64] = exponentials / exponentials.sum(axis=1, keepdims=True)
    return result


def fit_temperature(scores: NDArray[np.float64], labels: Sequence[str], truth: Sequence[str]) -> float:
    """The temperature that minimises the log loss of `softmax(scores)` against the true labels."""
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]

    column = {label: index for index, label in enumerate(labels)}
    rows = np.arange(len(truth))
    columns = np.asarray([column[label] for label in truth])

    def log_loss(temperature: float) -> float:
        chances = softmax(scores, temperature)[rows, columns]
        return float(-np.log(np.clip(chances, 1e-12, 1.0)).mean())

    result = minimize_scalar(log_loss, bounds=TEMPERATURE_BOUNDS, method="bounded")
    return float(result.x)


class TemperatureScaledClassifier:
    """A fitted scikit-learn linear classifier plus a temperature: `predict_proba` like any probabilistic model."""

    def __init__(self, model: Any, temperature: float) -> None:
        self.model = model
        self.temperature = temperature

    @property
    def classes_(self) -> NDArray[Any]:
        classes: NDArray[Any] = self.model.classes_
        return classes

    def predict_proba(self, matrix: Any) -> NDArray[np.float64]:
        return softmax(self.scores(matrix), self.temperature)

    def scores(self, matrix: Any) -> NDArray[np.float64]:
        """The model's decision function (one column per class), computed directly as features @ weights + bias.

        For a resident's single message, scikit-learn's own input and feature-name checks in `decision_function`
        cost more than the product itself (profiled: 4% of a whole API request).
        """
        weights, bias = self.model.coef_, self.model.intercept_
        if weights.shape[0] == 1:  # two classes: one column of scores, which decision_function shapes for us
            return np.asarray(self.model.decision_function(matrix), dtype=np.float64)
        scores: NDArray[np.float64] = np.asarray(matrix @ weights.T, dtype=np.float64) + bias
        return scores
