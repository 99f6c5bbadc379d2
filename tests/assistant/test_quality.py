"""The default engine, trained on the team's training set, meets issue 6's targets on the evaluation set."""

import time
from typing import Any

import pytest

from townhall.assistant.engine import IntentEngine, default_engine
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
    assert product_engine.metadata["method"] == "tfidf + svm"


def test_training_takes_seconds_not_minutes(data_sets: dict[str, list[dict[str, Any]]]) -> None:
    train = data_sets["train"]
    started = time.perf_counter()
    default_engine().fit([row["text"] for row in train], [row["intent"] for row in train])
    # A few seconds on an idle core; the bound leaves room for a machine shared with other test workers.
    assert time.perf_counter() - started < 30
