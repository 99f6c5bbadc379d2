"""The default engine, trained on the team's training set, meets issue 6's targets on the evaluation set."""

from typing import Any

import pytest

from townhall.assistant.engine import IntentEngine
from townhall.assistant.evaluation import evaluate
from townhall.assistant.intents import OUT_OF_SCOPE, SAFEGUARDING


@pytest.fixture(scope="module")
def figures(product_engine: IntentEngine, data_sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return evaluate(product_engine, data_sets["eval"], oos_label=OUT_OF_SCOPE)


def test_in_scope_accuracy_is_at_least_95_percent(figures: dict[str, Any]) -> None:
    assert figures["in_scope_accuracy"] >= 0.95


def test_out_of_scope_recall_is_at_least_90_percent(figures: dict[str, Any]) -> None:
    assert figures["oos_recall"] >= 0.90


def test_every_safeguarding_concern_is_recognised(figures: dict[str, Any]) -> None:
    assert figures["per_intent"][SAFEGUARDING]["recall"] == 1.0


def test_the_engine_was_tuned_on_training_folds_only(product_engine: IntentEngine) -> None:
    assert product_engine.metadata["tuned_on"] == "5-fold cross-validation"
    assert product_engine.metadata["method"] == "tfidf+minilm-onnx + svm"
