from collections.abc import Sequence

import pytest

from townhall.assistant.engine import Prediction
from townhall.assistant.evaluation import evaluate


class FixedAnswers:
    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(self.answers[text], 1.0) for text in texts]


def test_evaluate_reports_every_figure() -> None:
    examples = [
        {"text": "bin", "intent": "bins"},
        {"text": "bin2", "intent": "bins"},
        {"text": "tax", "intent": "tax"},
        {"text": "joke", "intent": "oos"},
        {"text": "weather", "intent": "oos"},
    ]
    engine = FixedAnswers({"bin": "bins", "bin2": "oos", "tax": "tax", "joke": "oos", "weather": "tax"})
    result = evaluate(engine, examples, oos_label="oos")
    assert set(result) == {
        "n",
        "accuracy",
        "in_scope_accuracy",
        "oos_recall",
        "oos_precision",
        "macro_f1",
        "per_intent",
    }
    assert result["n"] == 5
    assert result["accuracy"] == pytest.approx(3 / 5)
    assert result["in_scope_accuracy"] == pytest.approx(2 / 3)
    assert result["oos_recall"] == pytest.approx(1 / 2)
    assert result["oos_precision"] == pytest.approx(1 / 2)
    assert result["per_intent"]["bins"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    assert result["per_intent"]["tax"]["precision"] == pytest.approx(0.5)
    assert result["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 2) / 3)
